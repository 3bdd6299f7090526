// The api's item decoder (api/item_decoder.h) against the path it replaces:
// core::DecodeItem, the key attributes set from the decoded engine key,
// core::Item::DynamoSize, then ItemFromCore.

#include "api/item_decoder.h"

#include <random>
#include <string>
#include <vector>

#include "api/value_internal.h"
#include "core/types/item_codec.h"
#include "core/types/key_codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/types/random_item.h"
#include "tests/testing/status_matchers.h"

namespace kstone {
namespace {

using ::kstone::core::testing::RandomItems;
using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

// A stored record and what the old read path made of it.
struct Record {
  std::string engine_key;
  std::string value;
  Item want;         // ItemFromCore of the item with its key attributes
  size_t want_size;  // its core::Item::DynamoSize
  Key key{Value()};  // the public key
};

core::Value RandomKeyValue(RandomItems& random, KeyType type) {
  switch (type) {
    case KeyType::kNumber:
      return core::Value::Num(random.RandomNumber());
    case KeyType::kString:
      return core::Value::String("k" + random.RandomBytes(20, /*text=*/true));
    case KeyType::kBinary:
      return core::Value::Binary(std::string(1, '\0') +
                                 random.RandomBytes(20, /*text=*/false));
  }
  return core::Value();
}

KeyType RandomKeyType(RandomItems& random) {
  return static_cast<KeyType>(random.Uniform(3));
}

// A schema with key names that sort anywhere among RandomName()'s names.
TableSchema RandomSchema(RandomItems& random) {
  static const char* const kNames[] = {"pk", "sk", "a", "zz",
                                       "p",  "sl", "",  "m"};
  const char* pk = kNames[random.Uniform(6)];
  const char* sk = pk;
  while (sk == pk) sk = kNames[random.Uniform(6)];
  TableSchema schema;
  schema.PartitionKey(pk, RandomKeyType(random));
  if (random.Uniform(3) == 0) {
    schema.WithoutSortKey();
  } else {
    schema.SortKey(sk, RandomKeyType(random));
  }
  return schema;
}

// The item is stored as Put stores it: without its key attributes, unless
// `keep_key_names` (a record Put never writes: then the key wins).
// The partition value is `partition` if given, else random.
Record MakeRecord(RandomItems& random, const TableSchema& schema,
                  bool keep_key_names, const core::Value* partition = nullptr) {
  core::Item item = random.RandomItem();
  const core::Value pk =
      partition != nullptr
          ? *partition
          : RandomKeyValue(random, schema.partition_key_type());
  core::Key key =
      schema.has_sort_key() && random.Uniform(4) != 0
          ? core::Key(pk, RandomKeyValue(random, schema.sort_key_type()))
          : core::Key(pk);
  const std::string_view skip[2] = {
      schema.partition_key_name(),
      schema.has_sort_key() ? std::string_view(schema.sort_key_name())
                            : std::string_view("\xff-none")};
  Record r;
  r.value = keep_key_names ? core::EncodeItem(item)
                           : core::EncodeItem(item, absl::MakeConstSpan(skip));
  absl::StatusOr<std::string> engine_key = core::EncodeEngineKey(key);
  EXPECT_TRUE(engine_key.ok()) << engine_key.status();
  r.engine_key = engine_key.ok() ? *engine_key : "";
  absl::StatusOr<core::Item> stored = core::DecodeItem(r.value);
  EXPECT_TRUE(stored.ok()) << stored.status();
  core::Item full = stored.ok() ? *stored : core::Item();
  full.Set(schema.partition_key_name(), key.partition());
  if (key.has_sort()) full.Set(schema.sort_key_name(), key.sort());
  r.want_size = full.DynamoSize();
  r.want = ItemFromCore(std::move(full));
  std::optional<Value> sort;
  if (key.has_sort()) sort = ValueInternal::FromCore(key.sort());
  r.key = Key(ValueInternal::FromCore(key.partition()), std::move(sort));
  return r;
}

// The decoder reads r's key, size and item as the core path does.
void ExpectDecodes(RecordDecoder& decoder, const Record& r) {
  KS_ASSERT_OK(decoder.SetKey(r.engine_key));
  ASSERT_EQ(decoder.key(), r.key);
  size_t measured = 0;
  KS_ASSERT_OK(decoder.Measure(r.value, &measured));
  EXPECT_EQ(measured, r.want_size);
  Item item;
  size_t size = 0;
  KS_ASSERT_OK(decoder.Decode(r.value, &item, &size));
  ASSERT_EQ(item, r.want);
  // In name order, names unique: the representation Item promises.
  for (size_t a = 1; a < item.size(); ++a) {
    ASSERT_LT(item.attributes()[a - 1].first, item.attributes()[a].first);
  }
  EXPECT_EQ(size, r.want_size);
}

void CheckRandomRecords(bool keep_key_names) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  RandomItems random(seed);
  for (int round = 0; round < 40; ++round) {
    const TableSchema schema = RandomSchema(random);
    SCOPED_TRACE(schema.ToString());
    // One decoder for many records, as a page uses it.
    RecordDecoder decoder(schema);
    for (int i = 0; i < 50; ++i) {
      const Record r = MakeRecord(random, schema, keep_key_names);
      SCOPED_TRACE(r.want.ToDynamoJson());
      ASSERT_NO_FATAL_FAILURE(ExpectDecodes(decoder, r));
      KS_ASSERT_OK_AND_ASSIGN(Item stored,
                              DecodeStoredItem(r.value, r.key, schema, "db"));
      ASSERT_EQ(stored, r.want);
    }
  }
}

TEST(ItemDecoderTest, RandomRecordsDecodeAsTheCorePath) {
  CheckRandomRecords(/*keep_key_names=*/false);
}

TEST(ItemDecoderTest, KeyAttributesReplaceStoredOnesOfTheSameName) {
  CheckRandomRecords(/*keep_key_names=*/true);
}

TEST(ItemDecoderTest, RecordsOfOnePartitionInARow) {
  // A Query reads a partition's records in a row; the decoder decodes the
  // partition value once for them. Runs of one partition, with returns to
  // an earlier one, must decode as each record alone does.
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  RandomItems random(seed);
  for (int round = 0; round < 20; ++round) {
    TableSchema schema = RandomSchema(random);
    if (!schema.has_sort_key()) {
      schema.SortKey("sort", RandomKeyType(random));  // a name pk never has
    }
    SCOPED_TRACE(schema.ToString());
    const core::Value partitions[2] = {
        RandomKeyValue(random, schema.partition_key_type()),
        RandomKeyValue(random, schema.partition_key_type())};
    RecordDecoder decoder(schema);
    for (int i = 0; i < 60; ++i) {
      const Record r = MakeRecord(random, schema, /*keep_key_names=*/false,
                                  &partitions[(i / 7) % 2]);
      SCOPED_TRACE(r.want.ToDynamoJson());
      ASSERT_NO_FATAL_FAILURE(ExpectDecodes(decoder, r));
    }
  }
}

TEST(ItemDecoderTest, CorruptSortValueAfterAKnownPartitionIsDataLoss) {
  TableSchema schema;
  schema.PartitionKey("pk", KeyType::kString).SortKey("sk", KeyType::kString);
  const core::Key key(core::Value::String("p"), core::Value::String("s"));
  KS_ASSERT_OK_AND_ASSIGN(std::string engine_key, core::EncodeEngineKey(key));
  RecordDecoder decoder(schema);
  KS_ASSERT_OK(decoder.SetKey(engine_key));
  // The same partition head, then a sort value cut short, then one with
  // bytes after it: the short path checks what the full decode checks.
  EXPECT_THAT(decoder.SetKey(engine_key.substr(0, engine_key.size() - 1)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("key codec")));
  KS_ASSERT_OK(decoder.SetKey(engine_key));
  EXPECT_THAT(decoder.SetKey(engine_key + "x"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("key codec")));
  // And a valid key of the partition still decodes after the errors.
  KS_ASSERT_OK(decoder.SetKey(engine_key));
  EXPECT_EQ(decoder.key(), Key(Value::String("p"), Value::String("s")));
}

TEST(ItemDecoderTest, ItemSizeMatchesTheCoreItem) {
  // The size bounds 1 MB pages, so it must be exactly DynamoDB's.
  TableSchema schema;
  schema.PartitionKey("pk", KeyType::kNumber).SortKey("sk", KeyType::kBinary);
  core::Item item;
  item.Set("n", *core::Value::ParseNumber("-1.23456789e-100"));
  item.Set("l", core::Value::List(
                    {core::Value::Null(),
                     core::Value::Map({{"x", core::Value::Bool(true)}})}));
  item.Set("ns", core::Value::NumberSet({core::Number::FromInt64(1),
                                         core::Number::FromInt64(-22)}));
  const core::Key key(*core::Value::ParseNumber("12345"),
                      core::Value::Binary(std::string("\0b", 2)));
  KS_ASSERT_OK_AND_ASSIGN(std::string engine_key, core::EncodeEngineKey(key));
  RecordDecoder decoder(schema);
  KS_ASSERT_OK(decoder.SetKey(engine_key));
  Item decoded;
  size_t size = 0;
  KS_ASSERT_OK(decoder.Decode(core::EncodeItem(item), &decoded, &size));
  item.Set("pk", key.partition());
  item.Set("sk", key.sort());
  EXPECT_EQ(size, item.DynamoSize());
  EXPECT_EQ(decoded.Get("n")->AsNumber(), item.Get("n")->AsNumber().ToString());
  EXPECT_EQ(decoded.Get("n")->AsNumber().substr(0, 6), "-0.000");
  EXPECT_EQ(decoded.Get("pk")->AsNumber(), "12345");
  EXPECT_EQ(decoded.Get("sk")->AsBinary(), std::string("\0b", 2));
  EXPECT_EQ(decoded.Get("ns")->AsSet(), (std::vector<std::string>{"-22", "1"}));
}

TEST(ItemDecoderTest, CorruptInputIsDataLoss) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  RandomItems random(seed);
  std::mt19937 rng(seed);
  const TableSchema schema;
  RecordDecoder decoder(schema);
  int failed = 0;
  for (int i = 0; i < 3000; ++i) {
    const Record r = MakeRecord(random, schema, false);
    std::string bytes = r.value;
    if (rng() % 4 == 0) {
      bytes.resize(rng() % bytes.size());
    } else {
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    const absl::StatusOr<core::Item> core_item = core::DecodeItem(bytes);
    KS_ASSERT_OK(decoder.SetKey(r.engine_key));
    size_t measured = 0;
    const absl::Status measure = decoder.Measure(bytes, &measured);
    Item item;
    size_t size = 0;
    const absl::Status decode = decoder.Decode(bytes, &item, &size);
    // The same verdict and message as the core decoder.
    ASSERT_EQ(decode, core_item.status());
    ASSERT_EQ(measure, core_item.status());
    const absl::StatusOr<Item> stored =
        DecodeStoredItem(bytes, r.key, schema, "db");
    ASSERT_EQ(stored.ok(), core_item.ok());
    if (core_item.ok()) {
      ASSERT_EQ(size, measured);
      continue;
    }
    ++failed;
    ASSERT_EQ(decode.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(stored.status(),
                StatusIs(absl::StatusCode::kDataLoss,
                         HasSubstr(absl::StrCat("item ", r.key.ToString(),
                                                " in db: item codec: "))));
  }
  EXPECT_GT(failed, 0);
  std::string_view bad_key("\x01\x01\x03x", 4);
  EXPECT_THAT(decoder.SetKey(bad_key),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("key codec")));
}

}  // namespace
}  // namespace kstone
