#include "core/types/item_parser.h"

#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/types/item_codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/types/random_item.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::core::testing::RandomItems;
using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

uint32_t Seed() { return std::random_device{}(); }

// Decoding computes the item's DynamoDB size; a builder that builds nothing
// checks and measures the same.
TEST(ItemParserTest, RandomItemsDecodeWithTheirSize) {
  const uint32_t seed = Seed();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  RandomItems random(seed);
  for (int i = 0; i < 3000; ++i) {
    const Item item = random.RandomItem();
    SCOPED_TRACE(item.DebugString());
    const std::string bytes = EncodeItem(item);
    Item back;
    size_t size = 0;
    KS_ASSERT_OK(DecodeItem(bytes, &back, &size));
    ASSERT_EQ(back, item);
    ASSERT_EQ(size, item.DynamoSize());
    size_t measured = 0;
    KS_ASSERT_OK(ValidateEncodedItem(bytes, &measured));
    ASSERT_EQ(measured, size);
  }
}

TEST(ItemParserTest, SizesOfEveryType) {
  auto size_of = [](const Value& v) {
    Item item;
    item.Set("", v);
    size_t size = 0;
    KS_EXPECT_OK(ValidateEncodedItem(EncodeItem(item), &size));
    return size;
  };
  EXPECT_EQ(size_of(Value::Null()), 1u);
  EXPECT_EQ(size_of(Value::Bool(false)), 1u);
  EXPECT_EQ(size_of(Value::String("abc")), 3u);
  EXPECT_EQ(size_of(Value::Binary("")), 0u);
  EXPECT_EQ(size_of(*Value::ParseNumber("0")), 1u);
  EXPECT_EQ(size_of(*Value::ParseNumber("123")), 3u);     // 3 digits
  EXPECT_EQ(size_of(*Value::ParseNumber("-1e100")), 2u);  // 1 digit
  EXPECT_EQ(size_of(Value::List({Value::Null(), Value::String("ab")})),
            3u + 1 + 1 + 1 + 2);
  EXPECT_EQ(size_of(Value::Map({{"k", Value::String("ab")}})), 3u + 1 + 1 + 2);
  EXPECT_EQ(size_of(Value::StringSet({"a", "bc"})), 3u);
  EXPECT_EQ(size_of(Value::NumberSet({Number::FromInt64(12345)})), 4u);
}

// Whatever the corruption, measuring fails exactly as decoding does.
TEST(ItemParserTest, CorruptInputFailsAlikeWhateverTheBuilder) {
  const uint32_t seed = Seed();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  RandomItems random(seed);
  std::mt19937 rng(seed);
  int failed = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string bytes = EncodeItem(random.RandomItem(4));
    if (rng() % 4 == 0) {
      bytes.resize(rng() % bytes.size());
    } else {
      const int flips = 1 + rng() % 3;
      for (int f = 0; f < flips; ++f) {
        bytes[rng() % bytes.size()] = static_cast<char>(rng());
      }
    }
    Item item;
    size_t size = 0;
    const absl::Status decoded = DecodeItem(bytes, &item, &size);
    size_t measured = 0;
    const absl::Status validated = ValidateEncodedItem(bytes, &measured);
    ASSERT_EQ(decoded, validated);
    if (!decoded.ok()) {
      ASSERT_EQ(decoded.code(), absl::StatusCode::kDataLoss);
      ASSERT_THAT(std::string(decoded.message()), HasSubstr("item codec: "));
      ++failed;
      continue;
    }
    ASSERT_EQ(size, item.DynamoSize());
    ASSERT_EQ(measured, size);
  }
  EXPECT_GT(failed, 0);
}

TEST(ItemParserTest, MessagesNameWhatAndWhere) {
  EXPECT_THAT(ValidateEncodedItem("", nullptr),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("item codec: empty input at offset 0")));
  const std::string unordered_set(
      "\x01\x01\x01"
      "a"
      "\x08\x02\x01"
      "b"
      "\x01"
      "a",
      10);
  EXPECT_THAT(ValidateEncodedItem(unordered_set, nullptr),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("set elements out of order at offset 10")));
  // A set's elements must also differ: a duplicate string, and a number
  // set holding 1 twice.
  const std::string duplicate_string(
      "\x01\x01\x01"
      "a"
      "\x08\x02\x01"
      "b"
      "\x01"
      "b",
      10);
  EXPECT_THAT(ValidateEncodedItem(duplicate_string, nullptr),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("duplicate set element at offset 10")));
  Item with_one;
  with_one.Set("a", Value::NumberSet({*Number::Parse("1")}));
  std::string duplicate_number = EncodeItem(with_one);
  // 01 01 01 'a' 09 01 <1> : the count to 2, and 1 once more.
  const std::string one = duplicate_number.substr(6);
  ASSERT_EQ(duplicate_number[5], '\x01');
  duplicate_number[5] = '\x02';
  duplicate_number += one;
  EXPECT_THAT(ValidateEncodedItem(duplicate_number, nullptr),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("duplicate set element")));
  const std::string bad_number(
      "\x01\x01\x01"
      "a"
      "\x04\x07",
      6);
  EXPECT_THAT(ValidateEncodedItem(bad_number, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("bad number")));
}

// A builder that records the calls, to pin the order the parser makes them
// in (what the api's merging builder relies on).
class TraceBuilder : public NullItemBuilder {
 public:
  Value* BeginAttribute(std::string_view name) {
    trace_ += "[" + std::string(name);
    return NullItemBuilder::BeginAttribute(name);
  }
  void EndAttribute(size_t size) { trace_ += ":" + std::to_string(size) + "]"; }
  const std::string& trace() const { return trace_; }

 private:
  std::string trace_;
};

TEST(ItemParserTest, AttributesInOrderWithTheirSizes) {
  Item item;
  item.Set("b", Value::String("xyz"));
  item.Set("a", Value::List({Value::Bool(true)}));
  TraceBuilder builder;
  size_t size = 0;
  KS_ASSERT_OK(ParseItem(EncodeItem(item), &builder, &size));
  EXPECT_EQ(builder.trace(), "[a:6][b:4]");
  EXPECT_EQ(size, 10u);
}

// ScanItem's walk of the top level, as it reports it: "[name:record
// bytes:value bytes:value size(:N)]".
struct ScanResult {
  bool ok = false;
  size_t size = 0;
  std::string trace;
  std::string records;  // the records' bytes, concatenated
};

ScanResult Scan(std::string_view bytes) {
  ScanResult r;
  r.ok = ScanItem(
      bytes,
      [&](const char* record, std::string_view name, std::string_view value,
          size_t value_size, const Number* number) {
        const std::string_view whole(
            record, static_cast<size_t>(value.data() + value.size() - record));
        r.records.append(whole);
        absl::StrAppend(&r.trace, "[",
                        absl::string_view(name.data(), name.size()), ":",
                        whole.size(), ":", value.size(), ":", value_size,
                        number != nullptr ? ":N" : "", "]");
        if (number != nullptr) {
          std::string encoded;
          number->EncodeOrdered(&encoded);
          EXPECT_EQ(std::string(value.substr(1)), encoded);
        }
      },
      &r.size);
  return r;
}

TEST(ItemParserTest, ScanItemReportsRecordsValuesAndSizes) {
  Item item;
  item.Set("b", Value::String("xyz"));
  item.Set("a", Value::List({Value::Bool(true)}));
  item.Set("n", *Value::ParseNumber("-12.5"));
  item.Set(std::string(200, 'z'), Value::Null());  // a two-byte length
  const std::string bytes = EncodeItem(item);
  const ScanResult r = Scan(bytes);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.trace, "[a:5:3:5][b:7:5:3][n:7:5:3:N][" + std::string(200, 'z') +
                         ":203:1:1]");
  EXPECT_EQ(r.size, item.DynamoSize());
  EXPECT_EQ(r.records, bytes.substr(2));  // after the version and count
}

// ScanItem accepts exactly what ParseItem accepts, with the same size.
TEST(ItemParserTest, ScanItemAcceptsWhatParseItemAccepts) {
  const uint32_t seed = Seed();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  RandomItems random(seed);
  std::mt19937 rng(seed);
  int failed = 0;
  int passed = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string bytes = EncodeItem(random.RandomItem(4));
    const int change = static_cast<int>(rng() % 4);
    if (change == 1 && !bytes.empty()) {
      bytes.resize(rng() % bytes.size());
    } else if (change >= 2) {
      const int flips = 1 + rng() % 3;
      for (int f = 0; f < flips; ++f) {
        bytes[rng() % bytes.size()] = static_cast<char>(rng());
      }
    }
    SCOPED_TRACE(absl::BytesToHexString(absl::string_view(bytes)));
    size_t measured = 0;
    const absl::Status validated = ValidateEncodedItem(bytes, &measured);
    const ScanResult r = Scan(bytes);
    ASSERT_EQ(r.ok, validated.ok()) << validated;
    if (!r.ok) {
      ++failed;
      continue;
    }
    ++passed;
    ASSERT_EQ(r.size, measured);
    ASSERT_EQ(bytes.substr(bytes.size() - r.records.size()), r.records);
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(passed, 2500);
}

}  // namespace
}  // namespace kstone::core
