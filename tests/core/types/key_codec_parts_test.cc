// DecodeEngineKeyParts / DecodeKeyValueParts: the key decoding without
// Values that the api's item decoder uses, against DecodeEngineKey.

#include <random>
#include <string>

#include "core/types/key_codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/types/random_item.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::core::testing::RandomItems;
using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

Value RandomKeyValue(RandomItems& random) {
  switch (random.Uniform(3)) {
    case 0:
      return Value::Num(random.RandomNumber());
    case 1:
      return Value::String("s" + random.RandomBytes(20, /*text=*/true));
    default:
      // Binary keys with zero bytes, which the key codec escapes.
      return Value::Binary(std::string(1, '\0') +
                           random.RandomBytes(20, /*text=*/false));
  }
}

TEST(KeyCodecPartsTest, AgreesWithDecodeEngineKey) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  RandomItems random(seed);
  // One pair of parts for every key, as the api reuses them.
  KeyValueParts pk, sk;
  for (int i = 0; i < 2000; ++i) {
    const Key key = random.Uniform(2) == 0
                        ? Key(RandomKeyValue(random))
                        : Key(RandomKeyValue(random), RandomKeyValue(random));
    SCOPED_TRACE(key.DebugString());
    KS_ASSERT_OK_AND_ASSIGN(const std::string engine_key, EncodeEngineKey(key));
    KS_ASSERT_OK_AND_ASSIGN(const Key decoded, DecodeEngineKey(engine_key));
    ASSERT_EQ(decoded, key);
    uint8_t ns = 0;
    KS_ASSERT_OK(DecodeEngineKeyParts(engine_key, &pk, &sk, &ns));
    EXPECT_EQ(ns, kNamespaceItem);
    ASSERT_EQ(ValueOfParts(pk), key.partition());
    ASSERT_EQ(sk.type == ValueType::kNull, !key.has_sort());
    if (key.has_sort()) {
      ASSERT_EQ(ValueOfParts(sk), key.sort());
    }
  }
}

TEST(KeyCodecPartsTest, CorruptKeysFailAlike) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  RandomItems random(seed);
  std::mt19937 rng(seed);
  KeyValueParts pk, sk;
  int failed = 0;
  for (int i = 0; i < 5000; ++i) {
    absl::StatusOr<std::string> encoded =
        EncodeEngineKey(Key(RandomKeyValue(random), RandomKeyValue(random)));
    ASSERT_TRUE(encoded.ok()) << encoded.status();
    std::string bytes = *encoded;
    if (rng() % 3 == 0) {
      bytes.resize(rng() % bytes.size());
    } else {
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    }
    const absl::StatusOr<Key> key = DecodeEngineKey(bytes);
    const absl::Status parts = DecodeEngineKeyParts(bytes, &pk, &sk);
    ASSERT_EQ(key.status(), parts);
    if (!parts.ok()) {
      ASSERT_EQ(parts.code(), absl::StatusCode::kDataLoss);
      ++failed;
      continue;
    }
    ASSERT_EQ(ValueOfParts(pk), key->partition());
    if (key->has_sort()) {
      ASSERT_EQ(ValueOfParts(sk), key->sort());
    }
  }
  EXPECT_GT(failed, 0);
}

TEST(KeyCodecPartsTest, BytesWithoutZerosViewTheInput) {
  const std::string encoded(
      "\x03"
      "abc\x00\x01"
      "rest",
      10);
  std::string_view in = encoded;
  KeyValueParts parts;
  parts.unescaped = "left over";
  KS_ASSERT_OK(DecodeKeyValueParts(&in, &parts));
  EXPECT_EQ(parts.type, ValueType::kString);
  EXPECT_EQ(parts.bytes, "abc");
  EXPECT_EQ(parts.bytes.data(), encoded.data() + 1);
  EXPECT_EQ(in, "rest");
}

TEST(KeyCodecPartsTest, EmptyStringOrBinaryIsDataLoss) {
  // No encoder writes an empty key value (DynamoDB refuses them), so one
  // read back is corruption, not a key.
  KeyValueParts parts;
  for (std::string_view bad : {std::string_view("\x03\x00\x01", 3),
                               std::string_view("\x04\x00\x01", 3)}) {
    EXPECT_THAT(
        DecodeKeyValueParts(&bad, &parts),
        StatusIs(absl::StatusCode::kDataLoss, HasSubstr("empty key value")));
  }
  absl::StatusOr<std::string> key =
      EncodeEngineKey(Key(Value::String("p"), Value::String("s")));
  ASSERT_TRUE(key.ok()) << key.status();
  // Its sort value "s" is 03 73 00 01: keep the tag, drop the byte.
  const std::string empty_sort =
      key->substr(0, key->size() - 4) + std::string("\x03\x00\x01", 3);
  EXPECT_THAT(DecodeEngineKey(empty_sort),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("empty")));
}

TEST(KeyCodecPartsTest, EscapedBytes) {
  std::string_view in("\x03\x61\x00\xff\x62\x00\xff\x00\x01rest", 13);
  KeyValueParts parts;
  KS_ASSERT_OK(DecodeKeyValueParts(&in, &parts));
  EXPECT_EQ(parts.type, ValueType::kString);
  EXPECT_EQ(parts.bytes, std::string("a\0b\0", 4));
  EXPECT_EQ(in, "rest");
  // An escape byte other than 0xff or 0x01 after a zero, and no terminator.
  for (std::string_view bad :
       {std::string_view("\x04\x61\x00\x02", 4),
        std::string_view("\x04\x61\x00", 3), std::string_view("\x04\x61", 2)}) {
    EXPECT_THAT(
        DecodeKeyValueParts(&bad, &parts),
        StatusIs(absl::StatusCode::kDataLoss, HasSubstr("bad escaped bytes")));
  }
}

}  // namespace
}  // namespace kstone::core
