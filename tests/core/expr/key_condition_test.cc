#include "core/expr/key_condition.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/expr/expr_test_util.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::expr {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;
using namespace ::kstone::core::expr::testing;  // NOLINT
using SortOp = KeyCondition::SortOp;

class KeyConditionTest : public ::testing::Test {
 protected:
  KeyConditionTest() {
    schema_.partition = {"p", ValueType::kString};
    schema_.sort = KeyAttribute{"c", ValueType::kNumber};
    values_[":p"] = S("part");
    values_[":c"] = N("5");
    values_[":c2"] = N("7");
    values_[":s"] = S("x");
    values_[":n"] = N("1");
    names_["#p"] = "p";
    names_["#c"] = "c";
  }

  absl::StatusOr<KeyCondition> Resolve(absl::string_view text) {
    absl::StatusOr<KeyConditionExpression> expr =
        KeyConditionExpression::Parse(text);
    if (!expr.ok()) return expr.status();
    return expr->Resolve({&names_, &values_}, schema_);
  }
  void ExpectError(absl::string_view text, absl::string_view message) {
    EXPECT_THAT(Resolve(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr(std::string(message))))
        << text;
  }

  KeySchema schema_;
  AttributeNames names_;
  AttributeValues values_;
};

TEST_F(KeyConditionTest, PartitionOnly) {
  KS_ASSERT_OK_AND_ASSIGN(KeyCondition k, Resolve("p = :p"));
  EXPECT_EQ(k.partition, S("part"));
  EXPECT_EQ(k.sort_op, SortOp::kNone);
  KS_ASSERT_OK_AND_ASSIGN(k, Resolve(" :p  =   #p "));
  EXPECT_EQ(k.partition, S("part"));
}

TEST_F(KeyConditionTest, SortConditionsInEitherOrder) {
  struct Case {
    const char* text;
    SortOp op;
  } cases[] = {
      {"p = :p AND c = :c", SortOp::kEq},
      {"c < :c AND p = :p", SortOp::kLt},
      {"p = :p AND c <= :c", SortOp::kLe},
      {"p = :p AND c > :c", SortOp::kGt},
      {"p = :p AND c >= :c", SortOp::kGe},
      {":p = p AND :c < c", SortOp::kGt},  // reversed operands
      {":p = p AND :c >= c", SortOp::kLe},
      {"p = :p AND c BETWEEN :c AND :c2", SortOp::kBetween},
      {"p=:p AnD c BeTwEeN :c aNd :c2", SortOp::kBetween},
      {"((c=:c) AND (p=:p))", SortOp::kEq},
  };
  for (const Case& c : cases) {
    KS_ASSERT_OK_AND_ASSIGN(KeyCondition k, Resolve(c.text));
    EXPECT_EQ(k.sort_op, c.op) << c.text;
    EXPECT_EQ(k.sort_value, N("5")) << c.text;
  }
  KS_ASSERT_OK_AND_ASSIGN(KeyCondition k,
                          Resolve("p = :p AND c BETWEEN :c AND :c2"));
  EXPECT_EQ(k.sort_value2, N("7"));
}

TEST_F(KeyConditionTest, BeginsWithOnStringAndBinarySortKeys) {
  schema_.sort = KeyAttribute{"c", ValueType::kString};
  KS_ASSERT_OK_AND_ASSIGN(KeyCondition k,
                          Resolve("p = :p AND begins_with(c, :s)"));
  EXPECT_EQ(k.sort_op, SortOp::kBeginsWith);
  EXPECT_EQ(k.sort_value, S("x"));
  schema_.sort = KeyAttribute{"c", ValueType::kNumber};
  ExpectError("p = :p AND begins_with(c, :s)", "begins_with");
  ExpectError("p = :p AND begins_with(c, :c)", "begins_with");
}

TEST_F(KeyConditionTest, MatchesSort) {
  KS_ASSERT_OK_AND_ASSIGN(KeyCondition k,
                          Resolve("p = :p AND c BETWEEN :c AND :c2"));
  Value six = N("6"), seven = N("7.0"), eight = N("8");
  EXPECT_TRUE(k.MatchesSort(&six));
  EXPECT_TRUE(k.MatchesSort(&seven));
  EXPECT_FALSE(k.MatchesSort(&eight));
  EXPECT_FALSE(k.MatchesSort(nullptr));
  KS_ASSERT_OK_AND_ASSIGN(k, Resolve("p = :p"));
  EXPECT_TRUE(k.MatchesSort(nullptr));
  schema_.sort = KeyAttribute{"c", ValueType::kBinary};
  values_[":b"] = B("\x7f");
  KS_ASSERT_OK_AND_ASSIGN(k, Resolve("p = :p AND c > :b"));
  Value high = B("\x80");
  EXPECT_TRUE(k.MatchesSort(&high));  // unsigned bytes
}

TEST_F(KeyConditionTest, InvalidOperators) {
  ExpectError("p = :p AND c <> :c",
              "Invalid operator used in KeyConditionExpression: <>");
  ExpectError("p = :p AND c IN (:c)",
              "Invalid operator used in KeyConditionExpression: IN");
  ExpectError("c = :c OR p = :p",
              "Invalid operator used in KeyConditionExpression: OR");
  ExpectError("NOT c = :c AND p = :p",
              "Invalid operator used in KeyConditionExpression: NOT");
  ExpectError("p = :p AND attribute_exists(c)",
              "Invalid operator used in KeyConditionExpression: "
              "attribute_exists");
  ExpectError("p = :p AND dog(c, :c)", "Invalid function name; function: dog");
  ExpectError("p = :p AND BEGINS_WITH(c, :c)", "BEGINS_WITH");
}

TEST_F(KeyConditionTest, ShapeErrors) {
  ExpectError("p = :p AND size(c) > :c",
              "KeyConditionExpressions cannot contain nested operations");
  ExpectError("p = :p AND a.b < :c",
              "KeyConditionExpressions cannot have conditions on nested "
              "attributes");
  ExpectError("p = c",
              "Invalid condition in KeyConditionExpression: Multiple "
              "attribute names used in one condition");
  ExpectError(":p = :c",
              "Invalid condition in KeyConditionExpression: No key attribute "
              "specified");
  ExpectError("p = :p AND :c BETWEEN c AND :c2",
              "Invalid condition in KeyConditionExpression: BETWEEN operator "
              "must have the key attribute as its first operand");
  ExpectError("p = :p AND begins_with(:s, c)",
              "begins_with operator must have the key attribute as its first "
              "operand");
  ExpectError("p", "Syntax error");
  ExpectError(":p", "Syntax error");
  ExpectError("p = :p AND c!=:c", "Syntax error");
  ExpectError("",
              "Invalid KeyConditionExpression: The expression can not be "
              "empty;");
  ExpectError("((c=:c) AND ((p=:p)))", "redundant parentheses");
}

TEST_F(KeyConditionTest, SchemaErrors) {
  ExpectError("p = :p AND p = :p",
              "KeyConditionExpressions must only contain one condition per "
              "key");
  ExpectError("p = :p AND c >= :c AND c <= :c2", "one condition per key");
  ExpectError("p = :p AND c < :c AND a < :n",
              "Conditions can be of length 1 or 2 only");
  ExpectError("c = :c", "Query condition missed key schema element: p");
  ExpectError("p = :p AND a < :n",
              "Query condition missed key schema element: c");
  ExpectError("p < :p", "Query key condition not supported");
  ExpectError("begins_with(p, :p)", "Query key condition not supported");
  ExpectError("p = :n",
              "One or more parameter values were invalid: Condition parameter "
              "type does not match schema type");
  ExpectError("p = :p AND c = :s", "Condition parameter type does not match");
  ExpectError("p = :p AND c BETWEEN :c2 AND :c",
              "Invalid KeyConditionExpression: The BETWEEN operator requires "
              "upper bound to be greater than or equal to lower bound");
  schema_.sort.reset();
  KS_EXPECT_OK(Resolve("p = :p"));
  ExpectError("p = :p AND c = :c", "Query key condition not supported");
}

TEST_F(KeyConditionTest, Placeholders) {
  ExpectError("#p = :zz",
              "Invalid KeyConditionExpression: An expression attribute value "
              "used in expression is not defined; attribute value: :zz");
  ExpectError("#name2 = :p", "attribute name: #name2");
  KS_ASSERT_OK_AND_ASSIGN(auto expr,
                          KeyConditionExpression::Parse("#p = :p AND c > :c"));
  PlaceholderUse use;
  expr.CollectPlaceholders(&use);
  EXPECT_TRUE(use.UsesName("#p"));
  EXPECT_TRUE(use.UsesValue(":c"));
  EXPECT_FALSE(use.UsesName("#c"));
}

}  // namespace
}  // namespace kstone::core::expr
