// EncodeDecimalTextOrdered (core/types/decimal_text.h) against
// Number::Parse and Number::EncodeOrdered: whatever text it encodes must be
// a number Number::Parse reads, with the same bytes and digit count; what
// it declines is left to Number::Parse.

#include "core/types/decimal_text.h"

#include <random>
#include <string>

#include "core/types/number.h"
#include "gtest/gtest.h"
#include "tests/core/types/number_testing.h"

namespace kstone::core {
namespace {

// Whether `text` was encoded; checks it against Number when it was.
bool Encodes(std::string_view text) {
  SCOPED_TRACE(std::string("text \"") + std::string(text) + "\"");
  char buf[Number::kMaxOrderedLength];
  int digits = -1;
  const size_t n = EncodeDecimalTextOrdered(text, buf, &digits);
  if (n == 0) return false;
  const absl::StatusOr<Number> exact = Number::Parse(text);
  EXPECT_TRUE(exact.ok()) << exact.status();
  if (!exact.ok()) return true;
  testing::ExpectOrderedBytesOf(*exact, std::string_view(buf, n), digits);
  EXPECT_EQ(OrderedNumberTextLength(std::string_view(buf, n), digits),
            exact->TextLength());
  return true;
}

// (Among them 38 significant digits, the most Number holds; 39 are left
// to Number::Parse below.)
TEST(DecimalTextTest, PlainDecimalsAreEncodedAsNumberEncodesThem) {
  for (const char* text : {"0",
                           "-0",
                           "00",
                           "0.0",
                           "-0.000",
                           "7",
                           "-7",
                           "007",
                           "007.250",
                           "1.5",
                           "-0.5",
                           "0.05",
                           "10",
                           "1000",
                           "100.00",
                           "12.34",
                           "-12.34",
                           "19.99",
                           "1764200000123",
                           "123456789012345678",
                           "1234567890123456789",
                           "12345678901234567890123456789012345678",
                           "-1234567890123456789.0123456789012345678",
                           "0.000000000000000000000000000000000000001",
                           "9.9"}) {
    EXPECT_TRUE(Encodes(text)) << text;
  }
  // The exponent's bounds: 0.1e-129 (1e-130) and 0.99..9e126.
  EXPECT_TRUE(Encodes("0." + std::string(129, '0') + "1"));
  EXPECT_TRUE(Encodes(std::string(38, '9') + std::string(126 - 38, '0')));
  EXPECT_TRUE(Encodes("-" + std::string(38, '9') + std::string(126 - 38, '0')));
}

TEST(DecimalTextTest, OtherTextsAreLeftToNumberParse) {
  for (const char* text :
       {"", "-", "+1", "1e5", "1E5", ".5", "5.", "-.5", "1.2.3", "1-", "--1",
        "abc", " 1", "1 ", "0x10", "1,5", "NaN", "Infinity",
        "123456789012345678901234567890123456789"}) {
    EXPECT_FALSE(Encodes(text)) << text;
  }
  // Beyond the exponent's range (Number::Parse reports these).
  EXPECT_FALSE(Encodes("0." + std::string(130, '0') + "1"));
  EXPECT_FALSE(Encodes("1" + std::string(126, '0')));
}

// Random texts of the grammar and near it (signs, points, exponents, up to
// 45 characters, runs of zeros): whatever is encoded agrees with Number.
TEST(DecimalTextTest, RandomTextsAgreeWithNumber) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937 rng(seed);
  int encoded = 0;
  for (int i = 0; i < 30000; ++i) {
    if (Encodes(testing::RandomNumberText(rng, 45))) ++encoded;
  }
  EXPECT_GT(encoded, 5000);  // the grammar's texts were exercised
}

}  // namespace
}  // namespace kstone::core
