#include "core/util/coding.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace kstone::core {
namespace {

TEST(CodingTest, FixedRoundTrip) {
  std::string buf;
  PutFixed32(&buf, 0xdeadbeef);
  PutFixed64(&buf, 0x0123456789abcdefULL);
  ASSERT_EQ(buf.size(), 12u);
  EXPECT_EQ(static_cast<unsigned char>(buf[0]), 0xef);  // little-endian
  std::string_view in = buf;
  uint32_t a;
  uint64_t b;
  ASSERT_TRUE(GetFixed32(&in, &a));
  ASSERT_TRUE(GetFixed64(&in, &b));
  EXPECT_EQ(a, 0xdeadbeefu);
  EXPECT_EQ(b, 0x0123456789abcdefULL);
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(GetFixed32(&in, &a));
}

TEST(CodingTest, VarintRoundTripAtEveryWidth) {
  std::string buf;
  std::vector<uint64_t> values;
  for (int shift = 0; shift < 64; ++shift) {
    values.push_back((uint64_t{1} << shift) - 1);
    values.push_back(uint64_t{1} << shift);
  }
  values.push_back(std::numeric_limits<uint64_t>::max());
  for (uint64_t v : values) PutVarint64(&buf, v);
  std::string_view in = buf;
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got));
    EXPECT_EQ(got, v);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, VarintLengthMatchesEncoding) {
  for (uint64_t v : {0ULL, 127ULL, 128ULL, 16383ULL, 16384ULL, ~0ULL}) {
    std::string buf;
    PutVarint64(&buf, v);
    EXPECT_EQ(VarintLength(v), static_cast<int>(buf.size())) << v;
  }
}

TEST(CodingTest, TruncatedAndOverlongVarintsAreRejected) {
  std::string buf;
  PutVarint64(&buf, 1ULL << 40);
  std::string_view truncated(buf.data(), buf.size() - 1);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&truncated, &v));
  std::string overlong(11, '\xff');
  std::string_view in = overlong;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string big;
  PutVarint64(&big, 1ULL << 32);
  in = big;
  uint32_t v32;
  EXPECT_FALSE(GetVarint32(&in, &v32));
}

TEST(CodingTest, LengthPrefixedRejectsLengthPastEnd) {
  std::string buf;
  PutLengthPrefixed(&buf, "hello");
  std::string_view in = buf;
  std::string_view out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "hello");
  std::string bad;
  PutVarint64(&bad, 10);
  bad += "abc";
  in = bad;
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
}

// The shortest-encoding readers take what PutVarint64 writes, at every
// width, and reject the same values padded with 0x80 groups (which
// GetVarint64 takes), leaving the input where it was.
TEST(CodingTest, ShortestVarintsAreAcceptedAndPaddedOnesRejected) {
  const uint64_t values[] = {0,     1,          127,        128,       16383,
                             16384, 1ULL << 35, 1ULL << 63, UINT64_MAX};
  for (uint64_t value : values) {
    std::string shortest;
    PutVarint64(&shortest, value);
    shortest += "tail";
    std::string_view in = shortest;
    uint64_t got = 0;
    ASSERT_TRUE(GetShortestVarint64Fast(&in, &got)) << value;
    EXPECT_EQ(got, value);
    EXPECT_EQ(in, "tail");
    in = shortest;
    ASSERT_TRUE(GetShortestVarint64(&in, &got)) << value;
    EXPECT_EQ(got, value);

    // The same value, one to three groups longer: the last group of the
    // encoding becomes a continuation, then 0x80 bytes, then 0x00.
    std::string plain;
    PutVarint64(&plain, value);
    for (int extra = 1; extra <= 3 && plain.size() + extra <= 10; ++extra) {
      std::string padded = plain;
      padded.back() = static_cast<char>(padded.back() | 0x80);
      padded.append(static_cast<size_t>(extra - 1), '\x80');
      padded.push_back('\0');
      std::string_view any = padded;
      ASSERT_TRUE(GetVarint64(&any, &got)) << value << " +" << extra;
      EXPECT_EQ(got, value);
      std::string_view strict = padded;
      EXPECT_FALSE(GetShortestVarint64Fast(&strict, &got))
          << value << " +" << extra;
      EXPECT_EQ(strict.size(), padded.size());
    }
  }
  // Truncated input stays rejected.
  std::string truncated("\x80", 1);
  std::string_view in = truncated;
  uint64_t v = 0;
  EXPECT_FALSE(GetShortestVarint64Fast(&in, &v));
}

TEST(CodingTest, ShortestLengthPrefixedRejectsPaddingAndLengthPastEnd) {
  std::string_view out;
  std::string good;
  PutLengthPrefixed(&good, std::string(200, 'x'));  // a two-byte length
  std::string_view in = good;
  ASSERT_TRUE(GetShortestLengthPrefixedFast(&in, &out));
  EXPECT_EQ(out, std::string(200, 'x'));
  EXPECT_TRUE(in.empty());

  std::string padded("\x85\x00hello", 7);  // 5 in two bytes
  in = padded;
  ASSERT_TRUE(GetLengthPrefixedFast(&in, &out));
  EXPECT_EQ(out, "hello");
  in = padded;
  EXPECT_FALSE(GetShortestLengthPrefixedFast(&in, &out));

  std::string past;
  PutVarint64(&past, 10);
  past += "abc";
  in = past;
  EXPECT_FALSE(GetShortestLengthPrefixedFast(&in, &out));
  std::string past_long;
  PutVarint64(&past_long, 300);
  past_long += "abc";
  in = past_long;
  EXPECT_FALSE(GetShortestLengthPrefixedFast(&in, &out));
}

}  // namespace
}  // namespace kstone::core
