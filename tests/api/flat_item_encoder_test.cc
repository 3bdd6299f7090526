// EncodeFlatItem (api/flat_item_encoder.h) against the general path it
// short-cuts: ItemToCore, core::ValidateItemAttributes, core::EncodeItem.
// Whenever it accepts an item its bytes must be the general path's and the
// item must be valid; it must accept every valid flat item with its keys.

#include "api/flat_item_encoder.h"

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api/value_internal.h"
#include "core/types/item_codec.h"
#include "core/types/validation.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/core/types/random_item.h"

namespace kstone {
namespace {

// The general path's bytes, or nullopt-like false if it rejects the item.
bool GeneralEncode(const Item& item, std::string_view pk, std::string_view sk,
                   std::string* out) {
  absl::StatusOr<core::Item> core_item = ItemToCore(item);
  if (!core_item.ok()) return false;
  if (!core::ValidateItemAttributes(*core_item).ok()) return false;
  std::string_view skip[2] = {pk, sk};
  *out = core::EncodeItem(*core_item,
                          absl::MakeConstSpan(skip, sk.empty() ? 1 : 2));
  return true;
}

bool IsFlat(const Item& item) {
  for (const auto& [name, value] : item) {
    switch (value.type()) {
      case ValueType::kString:
      case ValueType::kNumber:
      case ValueType::kBinary:
      case ValueType::kBool:
      case ValueType::kNull:
        break;
      default:
        return false;
    }
  }
  return true;
}

// Checks one item both ways; `must_accept`: a valid flat item with its key
// attributes.
void Check(const Item& item, std::string_view pk, std::string_view sk,
           bool sk_required, bool must_accept) {
  std::string fast;
  const bool accepted = EncodeFlatItem(item, pk, sk, sk_required, &fast);
  std::string general;
  const bool valid = GeneralEncode(item, pk, sk, &general);
  if (accepted) {
    ASSERT_TRUE(valid) << item.ToDynamoJson();
    EXPECT_EQ(fast, general) << item.ToDynamoJson();
  }
  if (must_accept) {
    EXPECT_TRUE(accepted) << item.ToDynamoJson();
  }
}

TEST(FlatItemEncoderTest, RandomItemsMatchTheGeneralPath) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  core::testing::RandomItems random(seed);
  std::mt19937 rng(seed);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    Item item = ItemFromCore(random.RandomItem());
    // A table with or without a sort key; an item with or without one.
    const bool with_sk = rng() % 2 == 0;
    item.Set("pk", Value::String("p" + std::to_string(i)));
    if (with_sk) item.Set("sk", Value::Number(static_cast<int64_t>(i)));
    const std::string_view sk = with_sk || rng() % 2 == 0 ? "sk" : "";
    std::string unused;
    const bool flat_valid =
        IsFlat(item) && GeneralEncode(item, "pk", sk, &unused);
    Check(item, "pk", sk, with_sk, flat_valid);
    std::string fast;
    accepted += EncodeFlatItem(item, "pk", sk, with_sk, &fast) ? 1 : 0;
  }
  EXPECT_GT(accepted, 0);  // the random items include flat ones
}

TEST(FlatItemEncoderTest, EveryScalarType) {
  Item item = ItemBuilder()
                  .Set("pk", Value::String("k"))
                  .Set("s", Value::String("h\xc3\xa9llo"))
                  .Set("n", Value::Number("-12.50e3"))
                  .Set("z", Value::Number("0"))
                  .Set("b", Value::Binary(std::string("\0\xff", 2)))
                  .Set("t", Value::Bool(true))
                  .Set("f", Value::Bool(false))
                  .Set("u", Value::Null())
                  .Set("e", Value::String(""))
                  .Build();
  Check(item, "pk", "", false, /*must_accept=*/true);
  Check(item, "pk", "sk", false, /*must_accept=*/true);  // no sort key
}

// Numbers take one of two ways: plain decimals of up to 18 digits are
// encoded without a core::Number, the rest are parsed. Both give the
// general path's bytes and sizes, at the boundary between them too.
TEST(FlatItemEncoderTest, NumbersOfEveryFormAsTheGeneralPath) {
  for (const char* text :
       {"0", "-0", "42", "-7", "007.250", "19.99", "-0.5", "1764200000123",
        "123456789012345678", "1234567890123456789", "1000000000000000000",
        "0.000000000000000001", "1e5", "+3", ".5", "5.", "-12.50e3",
        "99999999999999999999999999999999999999", "1E-130"}) {
    Item item = ItemBuilder()
                    .Set("pk", Value::String("k"))
                    .Set("n", Value::Number(text))
                    .Build();
    Check(item, "pk", "", false, /*must_accept=*/true);
  }
}

TEST(FlatItemEncoderTest, DeclinesWhatItCannotProve) {
  const Item base = ItemBuilder()
                        .Set("pk", Value::String("k"))
                        .Set("sk", Value::String("s"))
                        .Build();
  std::string out;
  ASSERT_TRUE(EncodeFlatItem(base, "pk", "sk", true, &out));
  auto with = [&](std::string_view name, Value v) {
    Item item = base;
    item.Set(name, std::move(v));
    return item;
  };
  // Missing key attributes (the general path adds them from the key).
  EXPECT_FALSE(EncodeFlatItem(base, "id", "", false, &out));
  EXPECT_FALSE(EncodeFlatItem(base, "pk", "other", true, &out));
  Check(base, "pk", "other", false, /*must_accept=*/true);
  // Invalid values and names (the general path names the error).
  EXPECT_FALSE(
      EncodeFlatItem(with("a", Value::String("\xff")), "pk", "sk", true, &out));
  EXPECT_FALSE(EncodeFlatItem(with("a", Value::Number("1e200")), "pk", "sk",
                              true, &out));
  EXPECT_FALSE(
      EncodeFlatItem(with("a", Value::Number("x")), "pk", "sk", true, &out));
  EXPECT_FALSE(EncodeFlatItem(with("", Value::Null()), "pk", "sk", true, &out));
  EXPECT_FALSE(
      EncodeFlatItem(with("\xc3", Value::Null()), "pk", "sk", true, &out));
  EXPECT_FALSE(EncodeFlatItem(
      with(std::string(core::kMaxAttributeNameBytes + 1, 'n'), Value::Null()),
      "pk", "sk", true, &out));
  EXPECT_FALSE(EncodeFlatItem(with("pk", Value::String("\xff")), "pk", "sk",
                              true, &out));
  // Nested and set values.
  EXPECT_FALSE(EncodeFlatItem(with("a", Value::List({Value::Null()})), "pk",
                              "sk", true, &out));
  EXPECT_FALSE(
      EncodeFlatItem(with("a", Value::Map({})), "pk", "sk", true, &out));
  EXPECT_FALSE(EncodeFlatItem(with("a", Value::StringSet({"x"})), "pk", "sk",
                              true, &out));
  EXPECT_FALSE(EncodeFlatItem(with("a", Value::NumberSet({"1"})), "pk", "sk",
                              true, &out));
  EXPECT_FALSE(EncodeFlatItem(with("a", Value::BinarySet({"x"})), "pk", "sk",
                              true, &out));
  // Names out of order (only a hand-made attribute vector can do that).
  Item unordered;
  unordered.mutable_attributes().emplace_back("pk", Value::String("k"));
  unordered.mutable_attributes().emplace_back("b", Value::Null());
  EXPECT_FALSE(EncodeFlatItem(unordered, "pk", "", false, &out));
}

TEST(FlatItemEncoderTest, SizeLimitAsTheGeneralPath) {
  // pk "k" (2 + 1 bytes) and "v" (1 + len bytes): exactly at the limit and
  // one byte over.
  const size_t at_limit = core::kMaxItemBytes - 3 - 1;
  for (size_t len : {at_limit - 1, at_limit, at_limit + 1}) {
    Item item = ItemBuilder()
                    .Set("pk", Value::String("k"))
                    .Set("v", Value::String(std::string(len, 'x')))
                    .Build();
    std::string out;
    EXPECT_EQ(EncodeFlatItem(item, "pk", "", false, &out), len <= at_limit)
        << len;
    Check(item, "pk", "", false, len <= at_limit);
  }
  // Numbers count by their digits, as core::Value::DynamoSize.
  const std::string digits(38, '7');
  for (size_t len : {at_limit - 21, at_limit - 20, at_limit - 19}) {
    Item item = ItemBuilder()
                    .Set("n", Value::Number(digits))
                    .Set("pk", Value::String("k"))
                    .Set("v", Value::String(std::string(len - 1, 'x')))
                    .Build();
    std::string unused;
    const bool valid = GeneralEncode(item, "pk", "", &unused);
    std::string out;
    EXPECT_EQ(EncodeFlatItem(item, "pk", "", false, &out), valid) << len;
    Check(item, "pk", "", false, valid);
  }
}

TEST(FlatItemEncoderTest, PutsOfFlatItemsReadBack) {
  absl::StatusOr<Database> db = Database::CreateInMemoryWithSchema(
      TableSchema().PartitionKey("pk").SortKey("sk"));
  ASSERT_TRUE(db.ok()) << db.status();
  const Item item = ItemBuilder()
                        .Set("pk", Value::String("a"))
                        .Set("sk", Value::String("s7"))
                        .Set("n", Value::Number("1.50"))
                        .Set("s", Value::String("x"))
                        .Set("t", Value::Bool(true))
                        .Build();
  const absl::Status put = db->Put(item);
  ASSERT_TRUE(put.ok()) << put;
  Item changed = item;
  changed.Set("s", Value::String("y"));
  ASSERT_TRUE(
      db->Put(changed, PutOptions().Condition("attribute_exists(pk)")).ok());
  absl::StatusOr<std::optional<Item>> got =
      db->Get(Key(Value::String("a"), Value::String("s7")));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, changed) << (*got)->ToDynamoJson();
}

}  // namespace
}  // namespace kstone
