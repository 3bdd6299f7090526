// Value and Item: construction, equality, and exact round trips of every
// DynamoDB type through a database on both backends.

#include "kstone/value.h"

#include <random>
#include <string>
#include <vector>

#include "core/types/number.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"
#include "tests/core/types/number_testing.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;

TEST(ValueTest, NumbersAreNormalised) {
  EXPECT_EQ(Value::Number("1e3").AsNumber(), "1000");
  EXPECT_EQ(Value::Number("1.50").AsNumber(), "1.5");
  EXPECT_EQ(Value::Number("-0").AsNumber(), "0");
  EXPECT_EQ(Value::Number("007").AsNumber(), "7");
  EXPECT_EQ(Value::Number(42).AsNumber(), "42");
  EXPECT_EQ(Value::Number(int64_t{-9223372036854775807} - 1).AsNumber(),
            "-9223372036854775808");
  EXPECT_EQ(Value::Number(uint64_t{18446744073709551615u}).AsNumber(),
            "18446744073709551615");
  EXPECT_EQ(Value::Number(0.1).AsNumber(), "0.1");
  EXPECT_EQ(Value::Number(1.5).AsNumber(), "1.5");
  EXPECT_EQ(Value::Number("1e3"), Value::Number(1000));
  // Invalid text is kept as given (writes reject it).
  EXPECT_EQ(Value::Number("abc").AsNumber(), "abc");
}

// Value::Number keeps canonical text as it is and rewrites any other
// spelling to it: the same text Number::Parse and ToString give, for texts
// of every shape (random plain decimals, with signs, points, exponents and
// runs of zeros), and an invalid text stays as it is.
TEST(ValueTest, NumberTextIsCanonicalWhateverItsSpelling) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const std::string text = core::testing::RandomNumberText(rng, 30);
    absl::StatusOr<core::Number> parsed = core::Number::Parse(text);
    const std::string want = parsed.ok() ? parsed->ToString() : text;
    EXPECT_EQ(Value::Number(text).AsNumber(), want) << text;
  }
}

TEST(ValueTest, ToInt64AndToDouble) {
  absl::StatusOr<int64_t> n = Value::Number("1e3").ToInt64();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1000);
  EXPECT_FALSE(Value::Number("1.5").ToInt64().ok());
  EXPECT_FALSE(Value::String("1").ToInt64().ok());
  absl::StatusOr<double> d = Value::Number("2.5").ToDouble();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, 2.5);
}

TEST(ValueTest, EqualityIsByTypeAndContent) {
  EXPECT_EQ(Value::String("a"), Value::String("a"));
  EXPECT_NE(Value::String("1"), Value::Number("1"));
  EXPECT_NE(Value::String("a"), Value::Binary("a"));
  EXPECT_EQ(Value(), Value::Null());
  EXPECT_EQ(Value::StringSet({"a", "b"}), Value::StringSet({"b", "a"}))
      << "sets ignore order";
  EXPECT_NE(Value::StringSet({"a"}), Value::StringSet({"a", "b"}));
  EXPECT_NE(Value::List({Value::Bool(true), Value::Null()}),
            Value::List({Value::Null(), Value::Bool(true)}))
      << "lists keep order";
}

TEST(ValueTest, MapsAreSortedAndLastDuplicateWins) {
  Value m = Value::Map({{"b", Value::Number(1)},
                        {"a", Value::Number(2)},
                        {"b", Value::Number(3)}});
  ASSERT_EQ(m.AsMap().size(), 2u);
  EXPECT_EQ(m.AsMap()[0].first, "a");
  EXPECT_EQ(FindInMap(m.AsMap(), "b")->AsNumber(), "3");
  EXPECT_EQ(FindInMap(m.AsMap(), "c"), nullptr);
}

TEST(ItemTest, GetSetRemoveIterate) {
  Item item;
  EXPECT_TRUE(item.empty());
  item.Set("b", Value::Number(2)).Set("a", Value::String("x"));
  EXPECT_EQ(item.size(), 2u);
  ASSERT_NE(item.Get("a"), nullptr);
  EXPECT_EQ(item.Get("a")->AsString(), "x");
  EXPECT_EQ(item.Get("zzz"), nullptr);
  std::vector<std::string> names;
  for (const auto& [name, value] : item) names.push_back(name);
  EXPECT_THAT(names, ::testing::ElementsAre("a", "b"));
  EXPECT_TRUE(item.Remove("a"));
  EXPECT_FALSE(item.Remove("a"));
  EXPECT_EQ(item.size(), 1u);
  item.Set("b", Value::Bool(false));
  EXPECT_EQ(item.Get("b")->type(), ValueType::kBool);
}

TEST(ItemTest, BuilderLaterCallReplaces) {
  Item item =
      ItemBuilder().String("z", "1").String("a", "2").String("z", "3").Build();
  EXPECT_EQ(item.size(), 2u);
  EXPECT_EQ(item.Get("z")->AsString(), "3");
}

Item EveryType() {
  std::string bytes("\x00\x01\x02\xff\xfe", 5);
  return ItemBuilder()
      .String("s", "héllo wörld")
      .Number("n_int", "12345678901234567890123456789012345678")
      .Number("n_neg", "-0.000000000000000000000000000000000001")
      .Number("n_big", "9.9999999999999999999999999999999999999e125")
      .Number("n_small", "1e-130")
      .Number("n_double", 0.1)
      .Binary("b", bytes)
      .Binary("b_empty", "")
      .Bool("t", true)
      .Bool("f", false)
      .Null("nothing")
      .String("s_empty", "")
      .List("l", {Value::String("a"), Value::Number(1), Value::Null(),
                  Value::List({}), Value::Map({})})
      .Map("m", ItemBuilder()
                    .String("city", "Oslo")
                    .Map("deep", ItemBuilder().Number("x", 1).Build())
                    .Build())
      .StringSet("ss", {"b", "a", "c"})
      .NumberSet("ns", {"3", "1.5", "-2"})
      .BinarySet("bs", {std::string("\x01", 1), std::string("\x00", 1)})
      .Build();
}

class ValueRoundTripTest : public BackendTest {};

TEST_P(ValueRoundTripTest, EveryTypeRoundTripsExactly) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  Item item = EveryType();
  KS_ASSERT_OK(db.Put(Key("all"), item));
  KS_ASSERT_OK(db.Put(Key("all", "flushed"), item));
  KS_ASSERT_OK(db.Flush());
  for (const Key& key : {Key("all"), Key("all", "flushed")}) {
    KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(key));
    ASSERT_TRUE(got.has_value());
    Item expected = item;
    expected.Set("pk", key.partition_key());
    if (key.has_sort_key()) expected.Set("sk", key.sort_key());
    EXPECT_EQ(*got, expected) << got->ToJson();
    EXPECT_EQ(got->Get("n_int")->AsNumber(),
              "12345678901234567890123456789012345678");
    EXPECT_EQ(got->Get("n_small")->AsNumber(),
              "0." + std::string(129, '0') + "1");
    EXPECT_EQ(got->Get("b")->AsBinary(),
              std::string("\x00\x01\x02\xff\xfe", 5));
  }
}

TEST_P(ValueRoundTripTest, NestingOf32LevelsIsAllowed) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  Value v = Value::String("leaf");
  for (int i = 0; i < 32; ++i) v = Value::List({v});
  KS_ASSERT_OK(db.Put(Key("deep"), Item().Set("v", v)));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key("deep")));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got->Get("v"), v);
}

KSTONE_INSTANTIATE_BACKENDS(ValueRoundTripTest);

}  // namespace
}  // namespace kstone
