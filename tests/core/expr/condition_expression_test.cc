#include "core/expr/condition_expression.h"

#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/expr/expr_test_util.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::expr {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;
using namespace ::kstone::core::expr::testing;  // NOLINT

class ConditionExpressionTest : public ::testing::Test {
 protected:
  ConditionExpressionTest() {
    item_ = MakeItem({
        {"pk", S("p1")},
        {"n", N("10")},
        {"s", S("hello")},
        {"b", B("\x7f\x80")},
        {"t", Value::Bool(true)},
        {"nul", Value::Null()},
        {"l", L({N("1"), S("two"), SS({"x", "y"})})},
        {"m", M({{"c", N("3")}, {"d", L({M({{"e", S("deep")}})})}})},
        {"ss", SS({"a", "b"})},
        {"ns", NS({"1", "2.5"})},
        {"bs", BS({"\x01", "\xff"})},
        {"u", S("\xc3\xa9\xf0\x9d\x84\x9e")},  // "é𝄞": 3 UTF-16 units
        {"big", N("10000000000000000000001")},
        {"dotted.name", N("5")},
    });
    values_[":one"] = N("1");
    values_[":ten"] = N("10.0");
    values_[":nine"] = N("9");
    values_[":eleven"] = N("11");
    values_[":s"] = S("hello");
    values_[":he"] = S("he");
    values_[":ell"] = S("ell");
    values_[":x"] = S("x");
    values_[":a"] = S("a");
    values_[":A"] = S("A");
    values_[":z"] = S("z");
    values_[":inv_q"] = S("\xc2\xbf");  // inverted question mark
    values_[":b7f"] = B("\x7f");
    values_[":b80"] = B("\x80");
    values_[":b7f80"] = B("\x7f\x80");
    values_[":true"] = Value::Bool(true);
    values_[":null"] = Value::Null();
    values_[":list"] = L({N("1")});
    values_[":map"] = M({{"c", N("3")}});
    values_[":ss"] = SS({"b", "a"});
    values_[":ns"] = NS({"2.50", "1.0"});
    values_[":xy"] = SS({"y", "x"});
    values_[":three"] = N("3");
    values_[":two"] = S("two");
    values_[":big"] = N("1e22");
    values_[":typeS"] = S("S");
    values_[":typeN"] = S("N");
    values_[":typeSS"] = S("SS");
    values_[":typeNULL"] = S("NULL");
    values_[":dog"] = S("DOG");
    values_[":deep"] = S("deep");
    values_[":five"] = N("5");
    names_["#n"] = "n";
    names_["#dn"] = "dotted.name";
    names_["#year"] = "year";
  }

  // Parses, resolves and evaluates against `item` (null: no item).
  absl::StatusOr<bool> Eval(absl::string_view text, const Item* item) {
    absl::StatusOr<ConditionExpression> cond = ConditionExpression::Parse(text);
    if (!cond.ok()) return cond.status();
    ExpressionAttributes attrs{&names_, &values_};
    absl::Status s = cond->Resolve(attrs);
    if (!s.ok()) return s;
    return cond->Evaluate(item);
  }
  bool True(absl::string_view text) {
    absl::StatusOr<bool> r = Eval(text, &item_);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    return r.ok() && *r;
  }
  bool False(absl::string_view text) {
    absl::StatusOr<bool> r = Eval(text, &item_);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    return r.ok() && !*r;
  }
  void ExpectError(absl::string_view text, absl::string_view message) {
    EXPECT_THAT(Eval(text, &item_), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr(std::string(message))))
        << text;
  }

  Item item_;
  AttributeNames names_;
  AttributeValues values_;
};

TEST_F(ConditionExpressionTest, Comparisons) {
  EXPECT_TRUE(True("n = :ten"));  // 10 == 10.0
  EXPECT_TRUE(True("n <> :nine"));
  EXPECT_TRUE(True("n > :nine AND n >= :ten AND n < :eleven AND n <= :ten"));
  EXPECT_TRUE(False("n < :nine"));
  EXPECT_TRUE(True(":nine < n"));
  EXPECT_TRUE(True("#n = :ten"));
  EXPECT_TRUE(True("#dn = :five"));
  EXPECT_TRUE(True("s = :s AND s > :he"));
  EXPECT_TRUE(True("m.c = :three AND l[0] = :one AND l[1] = :two"));
  EXPECT_TRUE(True("m.d[0].e = :deep"));
  EXPECT_TRUE(True("n = n AND s <> n"));
}

TEST_F(ConditionExpressionTest, MissingAttributesAreUnset) {
  EXPECT_TRUE(False("zz = :one"));
  EXPECT_TRUE(True("zz <> :one"));
  EXPECT_TRUE(False("zz = yy"));  // unset = unset
  EXPECT_TRUE(True("zz <> yy"));  // unset <> unset
  EXPECT_TRUE(False("zz < :one OR zz >= :one"));
  EXPECT_TRUE(False("zz BETWEEN :one AND :ten"));
  EXPECT_TRUE(False("zz IN (:one, :ten)"));
  EXPECT_TRUE(False("l[7] = :one OR m.zz = :one OR s.x = :one OR n[0] = :one"));
  EXPECT_TRUE(True("NOT zz = :one"));
}

TEST_F(ConditionExpressionTest, TypeMismatchIsFalseNotAnError) {
  EXPECT_TRUE(False("s = :one"));
  EXPECT_TRUE(True("s <> :one"));
  EXPECT_TRUE(False("s < :one OR s > :one"));
  EXPECT_TRUE(False("t < :one"));  // BOOL is not ordered
  EXPECT_TRUE(False("l > :one"));
  EXPECT_TRUE(False("n BETWEEN :a AND :z"));
}

TEST_F(ConditionExpressionTest, NumbersAreExact) {
  EXPECT_TRUE(True("big > :big"));
  EXPECT_TRUE(False("big = :big"));
}

TEST_F(ConditionExpressionTest, StringsCompareAsUnsignedUtf8Bytes) {
  values_[":lower"] = S("a");
  EXPECT_TRUE(True(":lower > :A"));
  EXPECT_TRUE(True(":inv_q > :z"));
}

TEST_F(ConditionExpressionTest, BinaryComparesAsUnsignedBytes) {
  EXPECT_TRUE(True(":b80 > :b7f"));
  EXPECT_TRUE(True("b > :b7f AND b < :b80 AND b = :b7f80"));
}

TEST_F(ConditionExpressionTest, Between) {
  EXPECT_TRUE(True("n BETWEEN :nine AND :eleven"));
  EXPECT_TRUE(True("n BETWEEN :ten AND :ten"));
  EXPECT_TRUE(False("n BETWEEN :one AND :nine"));
  // Bounds from the item in the wrong order: just false.
  EXPECT_TRUE(False(":ten BETWEEN n AND :nine"));
  ExpectError("n BETWEEN :eleven AND :nine",
              "Invalid ConditionExpression: The BETWEEN operator requires "
              "upper bound to be greater than or equal to lower bound; lower "
              "bound operand: AttributeValue: {N:11}, upper bound operand: "
              "AttributeValue: {N:9}");
  ExpectError("n BETWEEN :one AND :s",
              "The BETWEEN operator requires same data type for lower and "
              "upper bounds; lower bound operand: AttributeValue: {N:1}, "
              "upper bound operand: AttributeValue: {S:hello}");
  ExpectError("n BETWEEN :list AND :list",
              "operator or function: BETWEEN, operand type: L");
}

TEST_F(ConditionExpressionTest, OrderingAConstantOfAnUnorderableType) {
  ExpectError("n < :list",
              "Invalid ConditionExpression: Incorrect operand type for "
              "operator or function; operator or function: <, operand type: "
              "L");
  ExpectError(":true >= n", "operator or function: >=, operand type: BOOL");
  EXPECT_TRUE(False("n = :list"));  // equality accepts any type
}

TEST_F(ConditionExpressionTest, In) {
  EXPECT_TRUE(True("n IN (:one, :s, :ten)"));
  EXPECT_TRUE(False("n IN (:one, :s)"));
  EXPECT_TRUE(True("s IN (:s)"));
  EXPECT_TRUE(True("ss IN (:list, :ss)"));  // sets equal in any order
}

TEST_F(ConditionExpressionTest, AttributeExistsAndNotExists) {
  EXPECT_TRUE(True("attribute_exists(n) AND attribute_exists(m.d[0].e)"));
  EXPECT_TRUE(True("attribute_not_exists(zz) AND attribute_not_exists(l[9])"));
  EXPECT_TRUE(False("attribute_exists(zz)"));
  EXPECT_TRUE(True("attribute_exists(nul)"));
  // The create-if-absent idiom on a zz item.
  KS_ASSERT_OK_AND_ASSIGN(bool r, Eval("attribute_not_exists(pk)", nullptr));
  EXPECT_TRUE(r);
  KS_ASSERT_OK_AND_ASSIGN(r, Eval("attribute_exists(pk)", nullptr));
  EXPECT_FALSE(r);
  KS_ASSERT_OK_AND_ASSIGN(r, Eval("pk <> :one", nullptr));
  EXPECT_TRUE(r);
}

TEST_F(ConditionExpressionTest, AttributeType) {
  EXPECT_TRUE(True("attribute_type(s, :typeS) AND attribute_type(n, :typeN)"));
  EXPECT_TRUE(True("attribute_type(ss, :typeSS)"));
  EXPECT_TRUE(True("attribute_type(nul, :typeNULL)"));
  EXPECT_TRUE(False("attribute_type(s, :typeN) OR attribute_type(zz, :typeS)"));
  EXPECT_TRUE(True("attribute_type(:one, :typeN)"));
  ExpectError("attribute_type(s, :dog)",
              "Invalid ConditionExpression: Invalid attribute type name "
              "found; type: DOG, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  ExpectError("attribute_type(s, :one)",
              "Incorrect operand type for operator or function; operator or "
              "function: attribute_type, operand type: N");
}

TEST_F(ConditionExpressionTest, BeginsWith) {
  EXPECT_TRUE(True("begins_with(s, :he) AND begins_with(b, :b7f)"));
  EXPECT_TRUE(False("begins_with(s, :ell) OR begins_with(b, :b80)"));
  EXPECT_TRUE(False("begins_with(s, :b7f)"));
  EXPECT_TRUE(False("begins_with(n, :he)"));  // N from the item: false
  EXPECT_TRUE(True("begins_with(:s, :he)"));
  EXPECT_TRUE(False("begins_with(zz, :he)"));
  ExpectError("begins_with(s, :one)",
              "Incorrect operand type for operator or function; operator or "
              "function: begins_with, operand type: N");
}

TEST_F(ConditionExpressionTest, Contains) {
  EXPECT_TRUE(True("contains(s, :ell) AND contains(b, :b80)"));
  EXPECT_TRUE(True("contains(ss, :a) AND contains(ns, :one)"));
  values_[":twofive"] = N("2.50");
  EXPECT_TRUE(True("contains(ns, :twofive)"));
  EXPECT_TRUE(True("contains(l, :one) AND contains(l, :two)"));
  EXPECT_TRUE(True("contains(l, :xy)"));    // an element equal to the set
  EXPECT_TRUE(False("contains(ss, :ss)"));  // not a subset test
  EXPECT_TRUE(False("contains(m, :three) OR contains(ss, :one)"));
  EXPECT_TRUE(False("contains(n, :one) OR contains(zz, :a)"));
}

TEST_F(ConditionExpressionTest, Size) {
  EXPECT_TRUE(True("size(s) = :five"));
  values_[":3"] = N("3");
  values_[":2"] = N("2");
  EXPECT_TRUE(True("size(u) = :3"));  // UTF-16 code units
  EXPECT_TRUE(True("size(b) = :2 AND size(ss) = :2 AND size(l) = :3"));
  EXPECT_TRUE(True("size(m) = :2 AND size(m.d) = :one"));
  EXPECT_TRUE(False("size(n) = :2 OR size(t) = :one OR size(nul) = :one"));
  EXPECT_TRUE(True("size(n) <> :2"));
  EXPECT_TRUE(False("size(zz) >= :one"));
  EXPECT_TRUE(True("size(:s) = :five"));
  ExpectError("size(:one) > :one",
              "Incorrect operand type for operator or function; operator or "
              "function: size, operand type: N");
}

TEST_F(ConditionExpressionTest, SetsCompareIgnoringOrder) {
  EXPECT_TRUE(True("ss = :ss"));
  EXPECT_TRUE(True("ns = :ns"));
  EXPECT_TRUE(True("l[2] = :xy"));
}

TEST_F(ConditionExpressionTest, UndefinedPlaceholders) {
  ExpectError("zz = :undefined",
              "Invalid ConditionExpression: An expression attribute value "
              "used in expression is not defined; attribute value: "
              ":undefined");
  ExpectError("#undefined = :one",
              "Invalid ConditionExpression: An expression attribute name used "
              "in the document path is not defined; attribute name: "
              "#undefined");
}

TEST_F(ConditionExpressionTest, UnusedPlaceholdersAcrossExpressions) {
  AttributeNames names = {{"#a", "a"}, {"#b", "b"}};
  AttributeValues values = {{":v", N("1")}, {":w", N("2")}};
  ExpressionAttributes attrs{&names, &values};
  KS_ASSERT_OK_AND_ASSIGN(auto c1, ConditionExpression::Parse("#a = :v"));
  KS_ASSERT_OK_AND_ASSIGN(
      auto c2, ConditionExpression::Parse("#b = :w", ExpressionKind::kFilter));
  KS_ASSERT_OK(c1.Resolve(attrs));
  KS_ASSERT_OK(c2.Resolve(attrs));
  PlaceholderUse only_first;
  c1.CollectPlaceholders(&only_first);
  EXPECT_THAT(CheckAllPlaceholdersUsed(attrs, only_first),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Value provided in ExpressionAttributeNames unused in "
                       "expressions: keys: {#b}"));
  PlaceholderUse both;
  c1.CollectPlaceholders(&both);
  c2.CollectPlaceholders(&both);
  KS_EXPECT_OK(CheckAllPlaceholdersUsed(attrs, both));

  AttributeValues extra = {{":v", N("1")}, {":x", N("1")}, {":a", N("1")}};
  ExpressionAttributes attrs2{nullptr, &extra};
  PlaceholderUse use;
  use.AddExpression();
  use.AddValue(":v");
  EXPECT_THAT(CheckAllPlaceholdersUsed(attrs2, use),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Value provided in ExpressionAttributeValues unused in "
                       "expressions: keys: {:a, :x}"));
  EXPECT_THAT(CheckAllPlaceholdersUsed(attrs2, PlaceholderUse()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ExpressionAttributeValues can only be specified when "
                       "using expressions"));
}

TEST_F(ConditionExpressionTest, UsesAllPlaceholdersCountsDistinctOnes) {
  KS_ASSERT_OK_AND_ASSIGN(
      auto c, ConditionExpression::Parse("#a = :v OR (#a > :v AND #b < :w)"));
  AttributeNames names = {{"#a", "a"}, {"#b", "b"}};
  AttributeValues values = {{":v", N("1")}, {":w", N("2")}};
  EXPECT_FALSE(c.UsesAllPlaceholders({&names, &values}));  // not resolved
  KS_ASSERT_OK(c.Resolve({&names, &values}));
  EXPECT_TRUE(c.UsesAllPlaceholders({&names, &values}));
  AttributeValues more = values;
  more[":x"] = N("3");
  KS_ASSERT_OK(c.Resolve({&names, &more}));
  EXPECT_FALSE(c.UsesAllPlaceholders({&names, &more}));
  EXPECT_FALSE(c.Resolve({nullptr, &values}).ok());  // #a undefined
  EXPECT_FALSE(c.UsesAllPlaceholders({&names, &values}));
}

TEST_F(ConditionExpressionTest, NoPlaceholdersStaysResolved) {
  KS_ASSERT_OK_AND_ASSIGN(
      auto c, ConditionExpression::Parse("attribute_not_exists(pk)"));
  KS_ASSERT_OK(c.Resolve({nullptr, nullptr}));
  EXPECT_TRUE(c.UsesAllPlaceholders({nullptr, nullptr}));
  // Resolved again (with maps it does not use): the same tree, still
  // evaluating as before, and the maps reported as unused.
  AttributeValues values = {{":v", N("1")}};
  KS_ASSERT_OK(c.Resolve({nullptr, &values}));
  EXPECT_FALSE(c.UsesAllPlaceholders({nullptr, &values}));
  PlaceholderUse use;
  c.CollectPlaceholders(&use);
  EXPECT_FALSE(CheckAllPlaceholdersUsed({nullptr, &values}, use).ok());
  EXPECT_TRUE(c.Evaluate(nullptr));
  Item item;
  item.Set("pk", S("k"));
  EXPECT_FALSE(c.Evaluate(&item));
}

TEST_F(ConditionExpressionTest, PlaceholderKeysAreValidated) {
  AttributeNames names = {{"a", "a"}};
  EXPECT_THAT(ValidatePlaceholderKeys({&names, nullptr}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ExpressionAttributeNames contains invalid key: Syntax "
                       "error; key: \"a\""));
  AttributeValues values = {{":a-b", N("1")}};
  EXPECT_THAT(ValidatePlaceholderKeys({nullptr, &values}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ExpressionAttributeValues contains invalid "
                                 "key")));
  AttributeNames empty_name = {{"#a", ""}};
  EXPECT_FALSE(ValidatePlaceholderKeys({&empty_name, nullptr}).ok());
  AttributeValues empty_set = {{":e", SS({})}};
  EXPECT_THAT(ValidatePlaceholderKeys({nullptr, &empty_set}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("ExpressionAttributeValues contains invalid "
                                 "value: ")));
  AttributeNames long_name = {{"#a", std::string(65536, 'x')}};
  EXPECT_THAT(ValidatePlaceholderKeys({&long_name, nullptr}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("65535")));
  AttributeNames good = {{"#1_x", std::string(65535, 'x')}};
  KS_EXPECT_OK(ValidatePlaceholderKeys({&good, &values_}));
}

TEST_F(ConditionExpressionTest, QueryFilterMayNotUseKeys) {
  KeySchema schema;
  schema.partition = {"pk", ValueType::kString};
  schema.sort = KeyAttribute{"n", ValueType::kNumber};
  KS_ASSERT_OK_AND_ASSIGN(
      auto ok, ConditionExpression::Parse("s = :s", ExpressionKind::kFilter));
  KS_ASSERT_OK(ok.Resolve({&names_, &values_}));
  KS_EXPECT_OK(ok.CheckNoKeyAttributes(schema));
  KS_ASSERT_OK_AND_ASSIGN(
      auto bad, ConditionExpression::Parse("s = :s AND size(#n) > :one",
                                           ExpressionKind::kFilter));
  KS_ASSERT_OK(bad.Resolve({&names_, &values_}));
  EXPECT_THAT(bad.CheckNoKeyAttributes(schema),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Filter Expression can only contain non-primary key "
                       "attributes: Primary key attribute: n"));
}

TEST_F(ConditionExpressionTest, PlaceholderNamesAreOneComponent) {
  // "#dn" -> "dotted.name": a top-level attribute, not a nested path.
  EXPECT_TRUE(True("attribute_exists(#dn)"));
  // A reserved word is fine through a placeholder.
  EXPECT_TRUE(True("attribute_not_exists(#year)"));
}

}  // namespace
}  // namespace kstone::core::expr
