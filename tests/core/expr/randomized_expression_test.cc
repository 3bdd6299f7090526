// Randomized tests: token soup never crashes any parser, and evaluation obeys
// simple laws (NOT inverts, AND/OR follow their operands).

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/expr/condition_expression.h"
#include "core/expr/key_condition.h"
#include "core/expr/projection_expression.h"
#include "core/expr/update_expression.h"
#include "gtest/gtest.h"
#include "tests/core/expr/expr_test_util.h"

namespace kstone::core::expr {
namespace {

using namespace ::kstone::core::expr::testing;  // NOLINT

class RandomizedExpressionTest : public ::testing::Test {
 protected:
  RandomizedExpressionTest() {
    names_ = {{"#a", "a"}, {"#b", "b"}, {"#dot", "a.b"}};
    values_ = {{":n", N("3")},     {":m", N("-2.5")},   {":s", S("ab")},
               {":t", S("S")},     {":l", L({N("3")})}, {":ss", SS({"ab"})},
               {":ns", NS({"3"})}, {":b", B("\x80")}};
    item_ = MakeItem({{"a", M({{"b", L({N("3"), S("ab")})}})},
                      {"n", N("3")},
                      {"s", S("abc")},
                      {"l", L({N("3"), SS({"ab"})})},
                      {"ss", SS({"ab", "cd"})},
                      {"k", N("7")}});
    schema_.partition = {"k", ValueType::kNumber};
    schema_.sort = KeyAttribute{"n", ValueType::kNumber};
  }

  std::string RandomSoup(std::mt19937& rng) {
    static const char* kTokens[] = {"a",
                                    "n",
                                    "s",
                                    "l",
                                    "ss",
                                    "k",
                                    "#a",
                                    "#b",
                                    ":n",
                                    ":m",
                                    ":s",
                                    ":t",
                                    ":l",
                                    ":ss",
                                    "(",
                                    ")",
                                    "[",
                                    "]",
                                    "0",
                                    "1",
                                    ".",
                                    ",",
                                    "=",
                                    "<>",
                                    "<",
                                    "<=",
                                    ">",
                                    ">=",
                                    "+",
                                    "-",
                                    "AND",
                                    "OR",
                                    "NOT",
                                    "BETWEEN",
                                    "IN",
                                    "SET",
                                    "REMOVE",
                                    "ADD",
                                    "DELETE",
                                    "size",
                                    "contains",
                                    "begins_with",
                                    "attribute_exists",
                                    "attribute_type",
                                    "if_not_exists",
                                    "list_append",
                                    "!",
                                    "#",
                                    ":",
                                    "_",
                                    "year",
                                    "#zz",
                                    ":zz"};
    std::uniform_int_distribution<int> len(1, 14);
    std::uniform_int_distribution<size_t> pick(0, std::size(kTokens) - 1);
    std::string text;
    for (int i = len(rng); i > 0; --i) {
      absl::StrAppend(&text, kTokens[pick(rng)], (rng() % 3) ? " " : "");
    }
    return text;
  }

  // A random valid condition over the fixture's names and values.
  std::string RandomCondition(std::mt19937& rng, int depth) {
    static const char* kLeaves[] = {"n = :n",
                                    "n < :m",
                                    "s > :s",
                                    "a.b[0] = :n",
                                    "#a.b[1] = :s",
                                    "size(s) >= :n",
                                    "contains(ss, :s)",
                                    "begins_with(s, :s)",
                                    "attribute_exists(l[1])",
                                    "attribute_not_exists(zz)",
                                    "n BETWEEN :m AND :n",
                                    "s IN (:s, :n)",
                                    "attribute_type(s, :t)",
                                    "zz <> :n",
                                    "l[0] <= :n"};
    if (depth == 0 || rng() % 3 == 0) {
      return kLeaves[rng() % std::size(kLeaves)];
    }
    switch (rng() % 3) {
      case 0:
        return absl::StrCat("(", RandomCondition(rng, depth - 1), ") AND (",
                            RandomCondition(rng, depth - 1), ")");
      case 1:
        return absl::StrCat("(", RandomCondition(rng, depth - 1), ") OR (",
                            RandomCondition(rng, depth - 1), ")");
      default:
        return absl::StrCat("NOT (", RandomCondition(rng, depth - 1), ")");
    }
  }

  bool Evaluate(const std::string& text) {
    absl::StatusOr<ConditionExpression> c = ConditionExpression::Parse(text);
    EXPECT_TRUE(c.ok()) << text << ": " << c.status();
    if (!c.ok()) return false;
    absl::Status s = c->Resolve({&names_, &values_});
    EXPECT_TRUE(s.ok()) << text << ": " << s;
    return c->Evaluate(&item_);
  }

  AttributeNames names_;
  AttributeValues values_;
  Item item_;
  KeySchema schema_;
};

TEST_F(RandomizedExpressionTest, TokenSoupNeverCrashes) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed: ", seed));
  std::mt19937 rng(seed);
  const ExpressionAttributes attrs{&names_, &values_};
  for (int i = 0; i < 3000; ++i) {
    const std::string text = RandomSoup(rng);
    SCOPED_TRACE(text);
    if (auto c = ConditionExpression::Parse(text); c.ok()) {
      if (c->Resolve(attrs).ok()) {
        (void)c->Evaluate(&item_);
        (void)c->Evaluate(nullptr);
      }
    } else {
      EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    }
    if (auto k = KeyConditionExpression::Parse(text); k.ok()) {
      (void)k->Resolve(attrs, schema_);
    }
    if (auto u = UpdateExpression::Parse(text); u.ok()) {
      if (u->Resolve(attrs, &schema_).ok()) (void)u->Apply(&item_);
    } else {
      EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument);
    }
    if (auto p = ProjectionExpression::Parse(text); p.ok()) {
      if (p->Resolve(attrs).ok()) (void)p->Apply(item_);
    }
  }
}

TEST_F(RandomizedExpressionTest, BooleanLaws) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed: ", seed));
  std::mt19937 rng(seed);
  for (int i = 0; i < 300; ++i) {
    const std::string x = RandomCondition(rng, 3);
    const std::string y = RandomCondition(rng, 2);
    SCOPED_TRACE(x + " | " + y);
    const bool vx = Evaluate(x);
    const bool vy = Evaluate(y);
    EXPECT_EQ(Evaluate("NOT (" + x + ")"), !vx);
    EXPECT_EQ(Evaluate("(" + x + ") AND (" + y + ")"), vx && vy);
    EXPECT_EQ(Evaluate("(" + x + ") OR (" + y + ")"), vx || vy);
  }
}

}  // namespace
}  // namespace kstone::core::expr
