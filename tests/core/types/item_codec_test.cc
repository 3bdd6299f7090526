#include "core/types/item_codec.h"

#include <random>
#include <string>
#include <vector>

#include "core/types/item_parser.h"
#include "core/util/coding.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

Value N(std::string_view text) { return *Value::ParseNumber(text); }

Item EveryType() {
  Item item;
  item.Set("s", Value::String("héllo"));
  item.Set("empty_s", Value::String(""));
  item.Set("n", N("-123.456e-7"));
  item.Set("zero", N("0"));
  item.Set("big", N("9.9999999999999999999999999999999999999e125"));
  item.Set("b", Value::Binary(std::string("\0\x01\xff", 3)));
  item.Set("t", Value::Bool(true));
  item.Set("f", Value::Bool(false));
  item.Set("null", Value::Null());
  item.Set("l", Value::List({Value::String("a"), N("1"), Value::List({}),
                             Value::Map({})}));
  item.Set("m", Value::Map({{"inner", Value::Map({{"x", N("2")}})},
                            {"", Value::String("empty name inside")}}));
  item.Set("ss", Value::StringSet({"b", "a", ""}));
  item.Set("ns", Value::NumberSet({N("10").AsNumber(), N("-1").AsNumber(),
                                   N("2.5").AsNumber()}));
  item.Set("bs", Value::BinarySet({"\xff", std::string("\0", 1)}));
  return item;
}

TEST(ItemCodecTest, RoundTripsEveryType) {
  const Item item = EveryType();
  const std::string bytes = EncodeItem(item);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), kItemFormatVersion);
  KS_ASSERT_OK_AND_ASSIGN(Item back, DecodeItem(bytes));
  EXPECT_EQ(back, item);
  EXPECT_EQ(EncodeItem(back), bytes);  // deterministic
}

TEST(ItemCodecTest, DocumentedExample) {
  // docs/formats/item.md
  std::string n;
  N("-1.5").AsNumber().EncodeOrdered(&n);
  EXPECT_EQ(n, "\x01\x7d\x95\xff");
  Item item;
  item.Set("age", N("30"));
  item.Set("ok", Value::Bool(true));
  EXPECT_EQ(EncodeItem(item), std::string("\x01\x02\x03"
                                          "age"
                                          "\x04\x03\x83\x40\x02"
                                          "ok"
                                          "\x02"));
}

TEST(ItemCodecTest, EmptyItem) {
  const std::string bytes = EncodeItem(Item());
  EXPECT_EQ(bytes, std::string("\x01\x00", 2));
  KS_ASSERT_OK_AND_ASSIGN(Item back, DecodeItem(bytes));
  EXPECT_TRUE(back.empty());
}

TEST(ItemCodecTest, SkipNames) {
  Item item;
  item.Set("pk", Value::String("user"));
  item.Set("sk", N("1"));
  item.Set("name", Value::String("Alice"));
  const std::string_view skip[] = {"pk", "sk", "pk", "absent"};
  KS_ASSERT_OK_AND_ASSIGN(Item back, DecodeItem(EncodeItem(item, skip)));
  Item want;
  want.Set("name", Value::String("Alice"));
  EXPECT_EQ(back, want);
}

TEST(ItemCodecTest, IsCompact) {
  // A typical ~100-byte record: the encoding adds little over the payload.
  Item item;
  item.Set("name", Value::String("Alice"));
  item.Set("age", N("30"));
  item.Set("active", Value::Bool(true));
  const std::string bytes = EncodeItem(item);
  // version 1 + count 1 + (1+4+1+1+5) + (1+3+1+3) + (1+6+1)
  EXPECT_EQ(bytes.size(), 30u);
}

TEST(ItemCodecTest, MaxNestingRoundTripsAndDeeperIsDataLoss) {
  Value v = Value::String("leaf");
  for (int i = 0; i < kMaxNestingDepth; ++i) v = Value::List({std::move(v)});
  Item item;
  item.Set("deep", v);
  KS_ASSERT_OK_AND_ASSIGN(Item back, DecodeItem(EncodeItem(item)));
  EXPECT_EQ(back, item);
  item.Set("deep", Value::Map({{"x", v}}));
  EXPECT_THAT(DecodeItem(EncodeItem(item)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("nesting")));
}

TEST(ItemCodecTest, MalformedInputIsDataLoss) {
  const std::string good = EncodeItem(EveryType());
  EXPECT_THAT(DecodeItem(""),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("empty")));
  std::string bad_version = good;
  bad_version[0] = 0x02;
  EXPECT_THAT(DecodeItem(bad_version),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("version 2")));
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_THAT(DecodeItem(good.substr(0, n)),
                StatusIs(absl::StatusCode::kDataLoss, ::testing::_))
        << "truncated to " << n;
  }
  EXPECT_THAT(DecodeItem(good + "x"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("trailing")));
  // A bad tag, with its offset.
  std::string bad_tag(
      "\x01\x01\x01"
      "a"
      "\x42",
      5);
  EXPECT_THAT(DecodeItem(bad_tag),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("bad value tag 66 at offset 5")));
  // Names out of order.
  std::string unordered(
      "\x01\x02\x01"
      "b"
      "\x00"
      "\x01"
      "a"
      "\x00",
      9);
  EXPECT_THAT(DecodeItem(unordered),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("order")));
  // A huge count must not allocate.
  std::string huge("\x01", 1);
  PutVarint64(&huge, uint64_t{1} << 60);
  EXPECT_THAT(DecodeItem(huge), StatusIs(absl::StatusCode::kDataLoss,
                                         HasSubstr("count past the end")));
  std::string huge_len("\x01\x01", 2);
  PutVarint64(&huge_len, uint64_t{1} << 40);
  EXPECT_THAT(DecodeItem(huge_len),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("length")));
}

// Every varint of an item (the attribute count, a name's length, a
// string's length, a list's and a set's count, a map entry's name length)
// padded to two bytes: the same values, but not one encoding per value, so
// the decoder, the validator and ScanItem reject it, naming it and where.
TEST(ItemCodecTest, PaddedLengthsAndCountsAreDataLoss) {
  Item item;
  item.Set("l", Value::List({Value::String("x")}));
  item.Set("m", Value::Map({{"k", Value::Null()}}));
  item.Set("ss", Value::StringSet({"y"}));
  const std::string good = EncodeItem(item);
  // Pins the layout the offsets below assume.
  ASSERT_EQ(good, std::string("\x01\x03"                // version, 3 attributes
                              "\x01l\x06\x01\x03\x01x"  // l: [ "x" ]
                              "\x01m\x07\x01\x01k\x00"  // m: { k: null }
                              "\x02ss\x08\x01\x01y",    // ss: { "y" }
                              23));
  struct Varint {
    size_t offset;
    const char* what;
  };
  const Varint varints[] = {
      {1, "count"},    // attributes
      {2, "length"},   // "l"
      {5, "count"},    // the list's elements
      {7, "length"},   // "x"
      {9, "length"},   // "m"
      {12, "count"},   // the map's entries
      {13, "length"},  // "k"
      {16, "length"},  // "ss"
      {20, "count"},   // the set's elements
      {21, "length"},  // "y"
  };
  KS_ASSERT_OK(ValidateEncodedItem(good, nullptr));
  for (const Varint& v : varints) {
    std::string padded = good;
    padded[v.offset] = static_cast<char>(padded[v.offset] | 0x80);
    padded.insert(v.offset + 1, 1, '\0');
    const std::string message = std::string(v.what) +
                                " not in its shortest encoding at offset " +
                                std::to_string(v.offset);
    EXPECT_THAT(DecodeItem(padded),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(message)));
    EXPECT_THAT(ValidateEncodedItem(padded, nullptr),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(message)));
    size_t size = 0;
    EXPECT_FALSE(ScanItem(
        padded,
        [](const char*, std::string_view, std::string_view, size_t,
           const Number*) {},
        &size))
        << message;
  }
}

TEST(ItemCodecTest, RandomCorruptionNeverCrashes) {
  const std::string good = EncodeItem(EveryType());
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937 rng(seed);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = good;
    const int flips = 1 + rng() % 3;
    for (int f = 0; f < flips; ++f) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    absl::StatusOr<Item> item = DecodeItem(bytes);
    if (!item.ok()) {
      ASSERT_EQ(item.status().code(), absl::StatusCode::kDataLoss);
      continue;
    }
    ++decoded;
    // Whatever decodes re-encodes and decodes to the same item.
    KS_ASSERT_OK_AND_ASSIGN(Item again, DecodeItem(EncodeItem(*item)));
    ASSERT_EQ(again, *item);
  }
  EXPECT_LT(decoded, 20000);
}

}  // namespace
}  // namespace kstone::core
