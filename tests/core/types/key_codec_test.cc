#include "core/types/key_codec.h"

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/storage/record.h"
#include "core/types/decimal_text.h"
#include "core/types/key.h"
#include "core/types/number.h"
#include "core/util/hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

Value S(std::string_view s) { return Value::String(std::string(s)); }
Value B(std::string_view s) { return Value::Binary(std::string(s)); }
Value N(std::string_view text) { return *Value::ParseNumber(text); }

std::string Enc(const Value& v) {
  std::string out;
  EXPECT_TRUE(AppendEncodedKeyValue(v, &out).ok());
  return out;
}

std::string EngineKey(const Key& key) {
  absl::StatusOr<std::string> k = EncodeEngineKey(key);
  EXPECT_TRUE(k.ok()) << k.status();
  return k.ok() ? *k : std::string();
}

// Bytewise unsigned comparison, as the storage layer orders keys.
int Cmp(const std::string& a, const std::string& b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

TEST(KeyCodecTest, StringOrderIsBytewiseWithPrefixFirst) {
  EXPECT_LT(Cmp(Enc(S("a")), Enc(S("aa"))), 0);
  EXPECT_GT(Cmp(Enc(S("b")), Enc(S("aa"))), 0);  // not length-first
  EXPECT_LT(Cmp(Enc(S("user#9")), Enc(S("user#90"))), 0);
  EXPECT_GT(Cmp(Enc(S("user#9")), Enc(S("user#10"))), 0);
  EXPECT_GT(Cmp(Enc(S("a")), Enc(S("A"))), 0);
  EXPECT_GT(Cmp(Enc(S("\xc2\xbf")), Enc(S("z"))), 0);
}

TEST(KeyCodecTest, ZeroBytesAndHighBytes) {
  const std::string nul("\0", 1);
  EXPECT_EQ(Enc(B(nul)), std::string("\x04\x00\xff\x00\x01", 5));
  EXPECT_LT(Cmp(Enc(B("a")), Enc(B("a" + nul))), 0);
  EXPECT_LT(Cmp(Enc(B("a" + nul)), Enc(B("a" + nul + nul))), 0);
  EXPECT_LT(Cmp(Enc(B("a" + nul + "z")), Enc(B("a\x01"))), 0);
  EXPECT_LT(Cmp(Enc(B(nul)), Enc(B("\x01"))), 0);
  EXPECT_GT(Cmp(Enc(B("\x80")), Enc(B("\x7f"))), 0);  // unsigned
  EXPECT_GT(Cmp(Enc(B("\xff")), Enc(B("\xfe\xff"))), 0);
}

TEST(KeyCodecTest, RandomBytesOrderMatchesValueOrder) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937 rng(seed);
  std::vector<std::string> values;
  for (int i = 0; i < 300; ++i) {
    std::string s(rng() % 5, '\0');
    // A small alphabet with 0x00, 0x01 and 0xFF makes prefixes and escapes
    // common.
    for (char& c : s) c = "\x00\x01\x7f\x80\xff"[rng() % 5];
    values.push_back(s);
  }
  for (const std::string& a : values) {
    for (const std::string& b : values) {
      int want = Cmp(a, b);
      ASSERT_EQ(Cmp(Enc(B(a)), Enc(B(b))), want);
      // With a sort key after it, the partition order still decides.
      if (want != 0) {
        ASSERT_EQ(Cmp(Enc(B(a)) + Enc(S("zzz")), Enc(B(b)) + Enc(S("a"))),
                  want);
      }
    }
  }
}

TEST(KeyCodecTest, NumberOrderIsNumeric) {
  const std::vector<std::string> sorted = {
      "-1e100", "-10", "-9.5", "-1",  "-0.001", "0",    "0.001",
      "1",      "9.5", "10",   "500", "1000",   "1e100"};
  for (size_t i = 0; i + 1 < sorted.size(); ++i) {
    EXPECT_LT(Cmp(Enc(N(sorted[i])), Enc(N(sorted[i + 1]))), 0)
        << sorted[i] << " < " << sorted[i + 1];
  }
  EXPECT_EQ(Enc(N("1e3")), Enc(N("1000")));
  EXPECT_EQ(EngineKey(Key(N("1e3"))), EngineKey(Key(N("1000.0"))));
}

TEST(KeyCodecTest, EngineKeyLayout) {
  Key key(S("user#1"), S("post#1"));
  std::string k = EngineKey(key);
  const std::string pk = Enc(S("user#1"));
  ASSERT_GE(k.size(), 2 + pk.size());
  EXPECT_EQ(static_cast<uint8_t>(k[0]), Hash64(pk) % 256);
  EXPECT_EQ(StripeOfKey(k), Hash64(pk) % 256);
  EXPECT_EQ(static_cast<uint8_t>(k[1]), kNamespaceItem);
  EXPECT_EQ(k.substr(2), pk + Enc(S("post#1")));
  KS_ASSERT_OK_AND_ASSIGN(uint32_t stripe, StripeOfPartition(S("user#1")));
  EXPECT_EQ(stripe, StripeOfKey(k));
  absl::StatusOr<std::string> other_ns = EncodeEngineKey(key, 0x07);
  ASSERT_TRUE(other_ns.ok());
  EXPECT_EQ((*other_ns)[1], 0x07);
}

// EncodeValidEngineKeyInto writes keys of S and B values without a zero
// byte at their exact size, in place, and the rest part by part: both give
// the layout above, whatever the buffer held before.
TEST(KeyCodecTest, EncodeIntoGivesTheLayoutForEveryShape) {
  const std::string nul("\0", 1);
  const std::vector<Value> values = {S("a"),
                                     S("user#000123"),
                                     S(std::string(2048, 'x')),
                                     B("\x01\xff"),
                                     S("a" + nul),
                                     B(nul + "z" + nul),
                                     N("-12.5"),
                                     N("7")};
  // A buffer that held a longer key, a shorter one, or nothing.
  std::vector<std::string> buffers = {std::string(5000, '?'), "??", ""};
  EXPECT_EQ(Enc(S("ab")), std::string("\x03"
                                      "ab\x00\x01",
                                      5));
  for (const Value& pk : values) {
    const std::string head = Enc(pk);
    for (int with_sort = 0; with_sort <= static_cast<int>(values.size());
         ++with_sort) {
      const Value* sk = with_sort == 0 ? nullptr : &values[with_sort - 1];
      if (sk != nullptr && KeyValueSize(*sk) > kMaxSortKeyBytes) continue;
      std::string want(1, static_cast<char>(Hash64(head) % 256));
      want += static_cast<char>(kNamespaceItem);
      want += head;
      if (sk != nullptr) want += Enc(*sk);
      const KeyValueRef pk_ref = KeyValueRef::Of(pk);
      const KeyValueRef sk_ref =
          sk != nullptr ? KeyValueRef::Of(*sk) : KeyValueRef();
      for (std::string& out : buffers) {
        EncodeValidEngineKeyInto(pk_ref, sk != nullptr ? &sk_ref : nullptr,
                                 kNamespaceItem, &out);
        ASSERT_EQ(out, want) << pk.DebugString() << " "
                             << (sk != nullptr ? sk->DebugString() : "-");
      }
      ASSERT_EQ(EncodeValidEngineKey(pk_ref, sk != nullptr ? &sk_ref : nullptr),
                want);
    }
  }
}

// A number key value given by its ordered bytes (as the api encodes a plain
// decimal key from its text) encodes to the same engine key, and has the
// same DynamoDB size, as the same value given as a Number: as partition
// and as sort key, with a string beside it.
TEST(KeyCodecTest, NumberByItsOrderedBytesEncodesAsTheNumber) {
  for (const char* text :
       {"0", "-0.0", "7", "-7", "007.250", "19.99", "0.001", "1000",
        "1764200000123", "-12345678901234567890123456789012345678",
        "0.000000000000000000000000000000000000000001"}) {
    SCOPED_TRACE(text);
    const Number number = *Number::Parse(text);
    KeyValueRef by_number;
    by_number.type = ValueType::kNumber;
    by_number.number = &number;
    char buf[Number::kMaxOrderedLength];
    int digits = 0;
    const size_t n = EncodeDecimalTextOrdered(text, buf, &digits);
    ASSERT_NE(n, 0u);
    KeyValueRef by_bytes;
    by_bytes.type = ValueType::kNumber;
    by_bytes.ordered = std::string_view(buf, n);
    by_bytes.ordered_text_length =
        OrderedNumberTextLength(by_bytes.ordered, digits);
    EXPECT_EQ(KeyValueSize(by_bytes), KeyValueSize(by_number));
    KeyValueRef other;
    other.type = ValueType::kString;
    other.bytes = "s";
    for (const auto& [pk, sk] :
         std::vector<std::pair<const KeyValueRef*, const KeyValueRef*>>{
             {&by_number, nullptr},
             {&by_number, &other},
             {&other, &by_number}}) {
      const KeyValueRef* bytes_pk = pk == &by_number ? &by_bytes : pk;
      const KeyValueRef* bytes_sk = sk == &by_number ? &by_bytes : sk;
      std::string want;
      std::string got = "old contents";
      EncodeValidEngineKeyInto(*pk, sk, kNamespaceItem, &want);
      EncodeValidEngineKeyInto(*bytes_pk, bytes_sk, kNamespaceItem, &got);
      EXPECT_EQ(got, want);
    }
  }
}

TEST(KeyCodecTest, PartitionPrefixAndSortOrder) {
  KS_ASSERT_OK_AND_ASSIGN(std::string prefix, EncodePartitionPrefix(S("p")));
  const std::string no_sort = EngineKey(Key(S("p")));
  EXPECT_EQ(no_sort, prefix);
  std::vector<std::string> keys = {no_sort, EngineKey(Key(S("p"), S("a"))),
                                   EngineKey(Key(S("p"), S("aa"))),
                                   EngineKey(Key(S("p"), S("b")))};
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(keys[i].compare(0, prefix.size(), prefix), 0);
    if (i > 0) {
      EXPECT_LT(Cmp(keys[i - 1], keys[i]), 0);
    }
  }
  // A partition whose value extends "p" does not share the prefix.
  const std::string other = EngineKey(Key(S("pp"), S("a")));
  EXPECT_NE(other.compare(0, prefix.size(), prefix), 0);
  // Number sort keys in numeric order within a partition.
  EXPECT_LT(
      Cmp(EngineKey(Key(S("p"), N("9"))), EngineKey(Key(S("p"), N("10")))), 0);
}

TEST(KeyCodecTest, RoundTrip) {
  const std::vector<Key> keys = {
      Key(S("a")), Key(S("user#1"), S("post#1")),
      Key(N("-12.5"), B(std::string("\0\xff\0", 3))),
      Key(B(std::string("\0", 1)), N("1e125")),
      Key(S(std::string(2048, 'x')), S(std::string(1024, '\0')))};
  for (const Key& key : keys) {
    std::string k = EngineKey(key);
    uint8_t ns = 0;
    KS_ASSERT_OK_AND_ASSIGN(Key back, DecodeEngineKey(k, &ns));
    EXPECT_EQ(back, key);
    EXPECT_EQ(ns, kNamespaceItem);
  }
}

TEST(KeyCodecTest, InvalidKeysAreRejected) {
  EXPECT_THAT(EncodeEngineKey(Key(S(""))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty string value")));
  EXPECT_THAT(EncodeEngineKey(Key(S("p"), B(""))),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty binary value")));
  EXPECT_THAT(
      EncodeEngineKey(Key(Value::Bool(true))),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("S, N or B")));
  EXPECT_THAT(EncodeEngineKey(Key(S(std::string(2049, 'x')))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2048")));
  EXPECT_THAT(EncodeEngineKey(Key(S("p"), S(std::string(1025, 'x')))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1024")));
  EXPECT_THAT(EncodePartitionPrefix(Value::List({})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("L")));
}

TEST(KeyCodecTest, DecodeRejectsGarbage) {
  const std::string good = EngineKey(Key(S("user"), S("x")));
  EXPECT_THAT(DecodeEngineKey(""),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("too short")));
  EXPECT_THAT(DecodeEngineKey(good.substr(0, good.size() - 1)),
              StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
  EXPECT_THAT(DecodeEngineKey(good + "x"),
              StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
  std::string wrong_stripe = good;
  wrong_stripe[0] = static_cast<char>(wrong_stripe[0] + 1);
  EXPECT_THAT(DecodeEngineKey(wrong_stripe),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("stripe")));
  std::string bad_tag = good;
  bad_tag[2] = 0x09;
  EXPECT_THAT(DecodeEngineKey(bad_tag),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("tag")));
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = good;
    bytes[rng() % bytes.size()] = static_cast<char>(rng());
    if (rng() % 3 == 0) bytes.resize(rng() % bytes.size());
    uint8_t ns = 0;
    absl::StatusOr<Key> key = DecodeEngineKey(bytes, &ns);
    if (key.ok()) {
      absl::StatusOr<std::string> again = EncodeEngineKey(*key, ns);
      ASSERT_TRUE(again.ok()) << again.status();
      EXPECT_EQ(*again, bytes);
    }
  }
}

}  // namespace
}  // namespace kstone::core
