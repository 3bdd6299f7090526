// ApplyFlatUpdate (core/expr/flat_update.h) against the general path it
// short-cuts: decode, UpdateExpression::ApplyInPlace,
// ValidateItemAttributes, EncodeItem. Whenever it accepts an
// update its bytes must be the general path's; it must accept the shapes it
// promises and decline every other shape, and every item or update the
// general path rejects. tests/api/update_fast_path_test.cc checks the whole
// Update both ways through the Database.

#include "core/expr/flat_update.h"

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/expr/placeholders.h"
#include "core/expr/update_expression.h"
#include "core/types/item_codec.h"
#include "core/types/key.h"
#include "core/types/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/types/random_item.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::expr {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

// The key attribute's size bound the api passes for a schema "pk" without a
// sort key.
constexpr size_t kKeyBound = 2 + kMaxPartitionKeyBytes;

Value N(const char* text) {
  absl::StatusOr<Number> n = Number::Parse(text);
  EXPECT_TRUE(n.ok()) << text;
  return Value::Num(n.ok() ? *n : Number());
}

Value S(std::string s) { return Value::String(std::move(s)); }

// An update expression resolved against placeholders that live with it.
struct Resolved {
  AttributeNames names;
  AttributeValues values;
  std::optional<UpdateExpression> update;
};

// The placeholders checked and the update resolved, as the api does;
// `must_resolve`: a failure is a test failure (else the update is left
// empty).
std::unique_ptr<Resolved> Resolve(const std::string& text,
                                  AttributeNames names = {},
                                  AttributeValues values = {},
                                  bool must_resolve = true) {
  auto r = std::make_unique<Resolved>();
  r->names = std::move(names);
  r->values = std::move(values);
  absl::StatusOr<UpdateExpression> parsed = UpdateExpression::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status();
  if (!parsed.ok()) return r;
  r->update.emplace(std::move(*parsed));
  const ExpressionAttributes attrs{&r->names, &r->values};
  const KeySchema schema;  // "pk", S
  // What the api checks first (PrepareAction).
  absl::Status s = ValidatePlaceholderKeys(attrs);
  if (s.ok()) s = r->update->Resolve(attrs, &schema);
  if (must_resolve) {
    EXPECT_TRUE(s.ok()) << text << ": " << s;
  }
  if (!s.ok()) r->update.reset();
  return r;
}

// The general path's stored bytes for the item stored as `old` (key "pk" =
// "k"), or its error.
absl::StatusOr<std::string> General(const UpdateExpression& update,
                                    const Item& old) {
  Item item = old;
  item.Set("pk", S("k"));
  absl::Status s = update.ApplyInPlace(&item, /*existed=*/true);
  if (!s.ok()) return s;
  s = ValidateItemAttributes(item);
  if (!s.ok()) return s;
  const std::string_view skip[1] = {"pk"};
  return EncodeItem(item, skip);
}

// Checks one update of one item; returns whether the fast path took it.
bool Check(const UpdateExpression& update, const Item& old) {
  std::string fast;
  const bool accepted =
      ApplyFlatUpdate(update, EncodeItem(old), kKeyBound, &fast);
  absl::StatusOr<std::string> general = General(update, old);
  if (accepted) {
    EXPECT_TRUE(general.ok()) << "the fast path accepted what the general "
                                 "path rejects: "
                              << general.status();
    if (general.ok()) {
      EXPECT_EQ(fast, *general);
    }
  }
  return accepted;
}

Item Sample() {
  Item item;
  item.Set("a", N("41"));
  item.Set("c", S("text"));
  item.Set("e", Value::Map({{"x", N("1")}, {"y", S("z")}}));
  item.Set("l", Value::List({N("1"), S("two")}));
  item.Set("ss", Value::StringSet({"p", "q"}));
  item.Set("x", Value::Bool(true));
  return item;
}

TEST(FlatUpdateTest, AcceptedShapesGiveTheGeneralPathsBytes) {
  const Item item = Sample();
  struct Case {
    std::string text;
    AttributeNames names;
  };
  const std::vector<Case> cases = {
      {"SET a = a + :one", {}},
      {"SET a = a - :one", {}},
      {"SET a = :one + a", {}},
      {"SET a = :one - :two", {}},
      {"SET b = :s", {}},               // inserted between a and c
      {"SET A = :s", {}},               // before everything
      {"SET zz = :one", {}},            // after everything
      {"SET c = :one", {}},             // replaces, another type
      {"SET e = :s", {}},               // a map replaced by a scalar
      {"SET b = e", {}},                // a nested value copied
      {"SET m = l, n = ss", {}},        // a list and a set copied
      {"SET x = a + a", {}},            // two reads of one attribute
      {"SET a = a + :one, b = a", {}},  // b reads a as it was
      {"SET z = :m, y = :one, b = :s", {}},
      {"SET #n = #n + :one", {{"#n", "a"}}},
      {"SET #n = :s", {{"#n", "a.b"}}},  // a dotted top-level name
      {"SET a = :big + :one", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto r = Resolve(c.text, c.names,
                     {{":one", N("1")},
                      {":two", N("-2.5")},
                      {":s", S("new")},
                      {":big", N("12345678901234567890123456789012345678")},
                      {":m", Value::Map({{"k", S("v")}})}});
    ASSERT_TRUE(r->update.has_value());
    ASSERT_TRUE(IsFlatUpdate(*r->update));
    EXPECT_TRUE(Check(*r->update, item));
  }
}

TEST(FlatUpdateTest, OtherShapesAreDeclined) {
  const Item item = Sample();
  const std::vector<std::string> texts = {
      "SET e.x = :one",                  // nested path
      "SET l[0] = :one",                 // list element
      "SET a = e.x",                     // nested operand
      "SET a = l[0] + :one",             // list element operand
      "REMOVE c",                        // REMOVE
      "SET a = :one REMOVE c",           // SET with REMOVE
      "ADD a :one",                      // ADD
      "DELETE ss :set",                  // DELETE
      "SET a = if_not_exists(a, :one)",  // function
      "SET l = list_append(l, :list)",   // function
  };
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    auto r = Resolve(text, {},
                     {{":one", N("1")},
                      {":set", Value::StringSet({"p"})},
                      {":list", Value::List({N("3")})}});
    ASSERT_TRUE(r->update.has_value());
    EXPECT_FALSE(IsFlatUpdate(*r->update));
    EXPECT_FALSE(Check(*r->update, item));
  }
}

TEST(FlatUpdateTest, WhatTheGeneralPathRejectsIsDeclined) {
  const Item item = Sample();
  struct Case {
    std::string text;
    AttributeNames names;
  };
  const std::vector<Case> cases = {
      {"SET b = nothere + :one", {}},  // missing operand
      {"SET b = nothere", {}},         // missing attribute copied
      {"SET c = c + :one", {}},        // a string in arithmetic
      {"SET e = e - :one", {}},        // a map in arithmetic
      {"SET a = :max + :max", {}},     // overflow
      {"SET b = pk", {}},              // the key: not in the stored bytes
      {"SET #n = :one", {{"#n", std::string("\xff\xfe", 2)}}},  // bad UTF-8
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto r =
        Resolve(c.text, c.names, {{":one", N("1")}, {":max", N("9.9e125")}});
    ASSERT_TRUE(r->update.has_value());
    EXPECT_TRUE(IsFlatUpdate(*r->update));
    EXPECT_FALSE(Check(*r->update, item));
  }
}

TEST(FlatUpdateTest, NearTheSizeLimitIsDeclined) {
  Item item;
  item.Set("big", S(std::string(kMaxItemBytes - 3000, 'x')));
  auto small = Resolve("SET a = :s", {}, {{":s", S("y")}});
  ASSERT_TRUE(small->update.has_value());
  // Far enough from the limit whatever the key: taken.
  EXPECT_TRUE(Check(*small->update, item));
  // Within the key's bound of the limit: the general path measures.
  auto large = Resolve("SET a = :s", {}, {{":s", S(std::string(1500, 'y'))}});
  ASSERT_TRUE(large->update.has_value());
  EXPECT_FALSE(Check(*large->update, item));
  // Over the limit: the general path's error.
  auto over = Resolve("SET a = :s", {}, {{":s", S(std::string(4000, 'y'))}});
  ASSERT_TRUE(over->update.has_value());
  EXPECT_FALSE(Check(*over->update, item));
  EXPECT_FALSE(General(*over->update, item).ok());
}

// One SET of a stored number (a counter): the sums SmallDecimal takes and
// those it leaves to Number give the general path's bytes; what Number
// rejects is declined.
TEST(FlatUpdateTest, CountersGiveTheGeneralPathsBytes) {
  struct Case {
    const char* stored;
    const char* text;
    const char* operand;
    bool accepted;
  };
  const std::string nines18(18, '9');
  const std::string nines38(38, '9');
  const std::vector<Case> cases = {
      {"0", "SET a = a + :v", "1", true},
      {"9", "SET a = a + :v", "1", true},    // carry: 10
      {"99", "SET a = a + :v", "1", true},   // carry across digits: 100
      {"100", "SET a = a - :v", "1", true},  // borrow: 99
      {"-1", "SET a = a + :v", "1", true},   // becomes 0
      {"5", "SET a = a - :v", "5", true},    // becomes 0
      {"0", "SET a = a - :v", "1", true},    // becomes negative
      {"-10", "SET a = a + :v", "1", true},  // stays negative: -9
      {"-99", "SET a = a - :v", "1", true},  // -100
      {"1.5", "SET a = a + :v", "1", true},  // a fraction
      {"0.1", "SET a = :v + a", "0.2", true},
      {"1e17", "SET a = a + :v", "1", true},  // 18 digits aligned
      {"1e20", "SET a = a + :v", "1", true},  // 21 digits: Number's
      {"1e125", "SET a = a + :v", "1e125", true},
      {"123456789012345678", "SET a = a + :v", "1", true},   // 18 digits
      {nines18.c_str(), "SET a = a + :v", "1", true},        // 19 digits out
      {"1234567890123456789", "SET a = a + :v", "1", true},  // 19 in: Number
      {nines38.c_str(), "SET a = a - :v", "1", true},        // 38 digits
      {nines38.c_str(), "SET a = a + :v", "1", true},        // 1e38
      {"12345678901234567890123456789012345678", "SET a = a + :v", "0.1",
       false},                                          // 39 digits: rejected
      {"9e125", "SET a = a + :v", "9e125", false},      // overflow
      {"1.5e-130", "SET a = a - :v", "1e-130", false},  // underflow
      {"2e-130", "SET a = a - :v", "1e-130", true},     // the bottom
      {"7", "SET b = a + :v", "1", true},  // the sum into a new attribute
      {"7", "SET a = a + a", "1", true},   // one attribute read twice
      {"7", "SET A = a - :v", "1", true},  // a new first attribute
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.stored) + ": " + c.text + ", :v = " + c.operand);
    Item item;
    item.Set("a", N(c.stored));
    item.Set("v", S(std::string(100, 'x')));  // kstone_bench's item
    auto r = Resolve(c.text, {}, {{":v", N(c.operand)}});
    ASSERT_TRUE(r->update.has_value());
    EXPECT_EQ(Check(*r->update, item), c.accepted);
  }
}

// One SET of an attribute the item lacks: the record goes in name order
// and the count grows, also from 127 to 128 (a longer varint), and names
// with a two-byte length prefix are found and skipped.
TEST(FlatUpdateTest, OneNewAttributeGoesInNameOrder) {
  auto r = Resolve("SET #n = :v", {{"#n", "m"}}, {{":v", N("5")}});
  ASSERT_TRUE(r->update.has_value());
  EXPECT_TRUE(Check(*r->update, Item()));  // the first attribute
  Item many;
  for (int i = 0; i < 127; ++i) {
    many.Set("a" + std::to_string(1000 + i), N("1"));
  }
  EXPECT_TRUE(Check(*r->update, many));
  many.Set("zz", N("1"));  // 128 before, 129 after
  EXPECT_TRUE(Check(*r->update, many));

  const std::string long_a = "a" + std::string(200, 'l');
  const std::string long_z = "z" + std::string(300, 'l');
  Item longs;
  longs.Set(long_a, N("1"));
  longs.Set(long_z, S("after"));
  for (const std::string& name :
       {std::string("m"), long_a + "x", std::string(150, 'b'), long_z + "x"}) {
    SCOPED_TRACE(name.size());
    auto set = Resolve("SET #n = :v", {{"#n", name}}, {{":v", N("5")}});
    ASSERT_TRUE(set->update.has_value());
    EXPECT_TRUE(Check(*set->update, longs));
  }
  // The long names as operands and targets.
  auto add = Resolve("SET #z = #a + :v", {{"#z", long_z}, {"#a", long_a}},
                     {{":v", N("5")}});
  ASSERT_TRUE(add->update.has_value());
  EXPECT_TRUE(Check(*add->update, longs));
  auto copy = Resolve("SET #a = #z", {{"#z", long_z}, {"#a", long_a}});
  ASSERT_TRUE(copy->update.has_value());
  EXPECT_TRUE(Check(*copy->update, longs));
}

// Near 400 KB, one SET is taken exactly up to the limit less the key bound:
// a sum that needs one more byte of DynamoDB size, or a new attribute.
TEST(FlatUpdateTest, OneSetIsMeasuredExactlyNearTheLimit) {
  // {a: 99, big: S(n)} is 1 + 2 + 3 + n bytes; 99 + 12 = 111 takes 3.
  auto sum = Resolve("SET a = a + :v", {}, {{":v", N("12")}});
  auto insert = Resolve("SET b = :v", {}, {{":v", N("12")}});  // 1 + 2
  ASSERT_TRUE(sum->update.has_value());
  ASSERT_TRUE(insert->update.has_value());
  const size_t fill = kMaxItemBytes - kKeyBound - (1 + 2 + 3) - 1;
  for (size_t extra : {0, 1}) {
    SCOPED_TRACE(extra);
    Item item;
    item.Set("a", N("99"));
    item.Set("big", S(std::string(fill + extra, 'x')));
    EXPECT_EQ(Check(*sum->update, item), extra == 0);
    Item smaller = item;
    smaller.Set("big", S(std::string(fill + extra - 2, 'x')));
    EXPECT_EQ(Check(*insert->update, smaller), extra == 0);
  }
}

// A name length written as a longer varint than needed (kstone never writes
// one) is not an item: the format has one encoding per item. The fast path
// declines it (the general path then reports the decoder's DataLoss), and
// in particular does not splice around it. (Before ScanItem the splice
// assumed the shortest varint and cut the next record; until session 15
// such bytes decoded, and the fast path copied them as they were.)
TEST(FlatUpdateTest, APaddedNameLengthIsDeclined) {
  auto r = Resolve("SET a = a + :one", {}, {{":one", N("1")}});
  ASSERT_TRUE(r->update.has_value());
  // {a: 0, b: 0}, b's length as 0x81 0x00.
  const std::string stored(
      "\x01\x02\x01"
      "a"
      "\x04\x02"
      "\x81\x00"
      "b"
      "\x04\x02",
      11);
  EXPECT_THAT(DecodeItem(stored).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("length not in its shortest encoding")));
  std::string fast;
  EXPECT_FALSE(ApplyFlatUpdate(*r->update, stored, kKeyBound, &fast));
}

TEST(FlatUpdateTest, CorruptBytesAreDeclined) {
  auto r = Resolve("SET a = :s", {}, {{":s", S("y")}});
  ASSERT_TRUE(r->update.has_value());
  std::string out;
  EXPECT_FALSE(ApplyFlatUpdate(*r->update, "", kKeyBound, &out));
  std::string bytes = EncodeItem(Sample());
  bytes.pop_back();
  EXPECT_FALSE(ApplyFlatUpdate(*r->update, bytes, kKeyBound, &out));
}

TEST(FlatUpdateTest, RandomItemsAndUpdatesMatchTheGeneralPath) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  kstone::core::testing::RandomItems random(seed);
  std::mt19937 rng(seed);
  const std::vector<std::string> names = {"a", "b", "c", "m", "n", "z"};
  const std::vector<std::string> texts = {
      "SET a = a + :v",  "SET b = :v",        "SET z = a - :v",
      "SET c = m",       "SET n = :v, a = b", "SET m = a + b, b = :w",
      "SET a = :v + :w", "SET b = c, c = b"};
  int accepted = 0;
  for (int round = 0; round < 400; ++round) {
    Item item;
    for (const std::string& name : names) {
      if (rng() % 3 == 0) continue;
      item.Set(name, rng() % 2 == 0 ? Value::Num(random.RandomNumber())
                                    : random.RandomValue(2));
    }
    if (!ValidateItemAttributes(item).ok()) continue;
    auto r =
        Resolve(texts[rng() % texts.size()], {},
                {{":v", rng() % 4 == 0 ? random.RandomValue(1)
                                       : Value::Num(random.RandomNumber())},
                 {":w", Value::Num(random.RandomNumber())}},
                /*must_resolve=*/false);
    // Declined as a request: + with a non-number :v, an invalid :v.
    if (!r->update.has_value()) continue;
    if (Check(*r->update, item)) ++accepted;
  }
  EXPECT_GT(accepted, 50);
}

}  // namespace
}  // namespace kstone::core::expr
