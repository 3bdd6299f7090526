// UpdateExpression::ApplyInPlace: the same result as Apply (which copies the
// item first), with right-hand sides still reading the item as it was, and
// one parsed expression resolved again for each use.

#include <string>
#include <vector>

#include "core/expr/update_expression.h"
#include "gtest/gtest.h"
#include "tests/core/expr/expr_test_util.h"

namespace kstone::core::expr {
namespace {

using namespace ::kstone::core::expr::testing;  // NOLINT

Item Sample() {
  return MakeItem({{"a", N("1")},
                   {"b", S("x")},
                   {"l", L({N("1"), N("2"), N("3")})},
                   {"m", M({{"k", N("5")}})},
                   {"s", SS({"p", "q"})}});
}

TEST(UpdateApplyInPlaceTest, MatchesApply) {
  AttributeValues values;
  values[":one"] = N("1");
  values[":s"] = S("new");
  values[":ss"] = SS({"q"});
  AttributeNames names;
  names["#a"] = "a";
  const std::vector<std::string> texts = {
      "SET a = a + :one",
      "SET #a = b, b = #a",
      "SET x = :s REMOVE a, l[0]",
      "SET l[1] = a, l[7] = :one, m.k = m.k - :one",
      "ADD a :one, z :one DELETE s :ss",
      "SET b = if_not_exists(b, :s), c = if_not_exists(c, :s)",
      "REMOVE b, m.k, l[2]",
  };
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    absl::StatusOr<UpdateExpression> u = UpdateExpression::Parse(text);
    ASSERT_TRUE(u.ok()) << u.status();
    ASSERT_TRUE(u->Resolve({&names, &values}, nullptr).ok());
    const Item before = Sample();
    absl::StatusOr<Item> copied = u->Apply(&before);
    ASSERT_TRUE(copied.ok()) << copied.status();
    Item item = Sample();
    ASSERT_TRUE(u->ApplyInPlace(&item, /*existed=*/true).ok());
    EXPECT_EQ(item, *copied);
    EXPECT_EQ(before, Sample());  // Apply left its input alone
    // No item: the same as Apply(nullptr).
    absl::StatusOr<Item> created = u->Apply(nullptr);
    Item empty;
    absl::Status in_place = u->ApplyInPlace(&empty, /*existed=*/false);
    ASSERT_EQ(created.ok(), in_place.ok()) << in_place;
    if (created.ok()) {
      EXPECT_EQ(empty, *created);
    }
  }
}

TEST(UpdateApplyInPlaceTest, ResolvedAgainWithOtherValues) {
  absl::StatusOr<UpdateExpression> u =
      UpdateExpression::Parse("SET a = a + :d");
  ASSERT_TRUE(u.ok()) << u.status();
  Item item = Sample();
  for (const char* d : {"1", "10", "-4"}) {
    AttributeValues values;
    values[":d"] = N(d);
    ASSERT_TRUE(u->Resolve({nullptr, &values}, nullptr).ok());
    ASSERT_TRUE(u->ApplyInPlace(&item, true).ok());
  }
  EXPECT_EQ(*item.Get("a"), N("8"));
  // A failed resolve (undefined :d) is reported; the next one works again.
  AttributeValues none;
  EXPECT_FALSE(u->Resolve({nullptr, &none}, nullptr).ok());
  AttributeValues two;
  two[":d"] = N("2");
  ASSERT_TRUE(u->Resolve({nullptr, &two}, nullptr).ok());
  ASSERT_TRUE(u->ApplyInPlace(&item, true).ok());
  EXPECT_EQ(*item.Get("a"), N("10"));
}

TEST(UpdateApplyInPlaceTest, ErrorsAsApply) {
  AttributeValues values;
  values[":one"] = N("1");
  absl::StatusOr<UpdateExpression> u =
      UpdateExpression::Parse("SET a = :one, q = absent_attr + :one");
  ASSERT_TRUE(u.ok()) << u.status();
  ASSERT_TRUE(u->Resolve({nullptr, &values}, nullptr).ok());
  Item item = Sample();
  const absl::Status s = u->ApplyInPlace(&item, true);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s, u->Apply(&item).status());
}

}  // namespace
}  // namespace kstone::core::expr
