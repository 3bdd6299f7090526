// SmallDecimal (core/types/small_decimal.h) against Number::Add /
// Subtract and Number::EncodeOrdered, which it must equal byte for byte
// whenever it takes a sum, and whose errors it must leave to Number.

#include "core/types/small_decimal.h"

#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tests/core/types/number_testing.h"
#include "tests/core/types/random_item.h"

namespace kstone::core {
namespace {

Number N(std::string_view text) {
  absl::StatusOr<Number> n = Number::Parse(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status();
  return n.ok() ? *n : Number();
}

enum class Outcome { kDeclined, kOutOfRange, kTaken };

// a + b (or a - b) through SmallDecimal, checked against Number: a taken sum
// must be Number's bytes and digit count, a value out of range must be an
// error of Number's.
Outcome Check(const Number& a, const Number& b, bool subtract) {
  SCOPED_TRACE(a.ToString() + (subtract ? " - " : " + ") + b.ToString());
  const absl::StatusOr<Number> exact =
      subtract ? Number::Subtract(a, b) : Number::Add(a, b);
  SmallDecimal x;
  SmallDecimal y;
  SmallDecimal sum;
  if (!ToSmallDecimal(a, &x) || !ToSmallDecimal(b, &y) ||
      !AddSmallDecimals(x, y, subtract, &sum)) {
    return Outcome::kDeclined;
  }
  char buf[Number::kMaxOrderedLength];
  int digits = -1;
  const size_t n = EncodeSmallDecimalOrdered(sum, buf, &digits);
  if (n == 0) {
    EXPECT_FALSE(exact.ok())
        << "out of range, but Number gives " << exact->ToString();
    return Outcome::kOutOfRange;
  }
  EXPECT_TRUE(exact.ok()) << exact.status();
  if (!exact.ok()) return Outcome::kTaken;
  testing::ExpectOrderedBytesOf(*exact, std::string_view(buf, n), digits);
  return Outcome::kTaken;
}

Outcome Add(std::string_view a, std::string_view b) {
  return Check(N(a), N(b), false);
}
Outcome Sub(std::string_view a, std::string_view b) {
  return Check(N(a), N(b), true);
}

TEST(SmallDecimalTest, IntegersWithCarriesAndSigns) {
  EXPECT_EQ(Add("0", "1"), Outcome::kTaken);
  EXPECT_EQ(Add("41", "1"), Outcome::kTaken);
  EXPECT_EQ(Add("9", "1"), Outcome::kTaken);    // 10: one digit, exponent 2
  EXPECT_EQ(Add("99", "1"), Outcome::kTaken);   // carry across digits
  EXPECT_EQ(Add("199", "1"), Outcome::kTaken);  // 200
  EXPECT_EQ(Sub("100", "1"), Outcome::kTaken);  // 99: borrow
  EXPECT_EQ(Sub("10", "1"), Outcome::kTaken);
  EXPECT_EQ(Add("-1", "1"), Outcome::kTaken);   // becomes 0
  EXPECT_EQ(Sub("7", "7"), Outcome::kTaken);    // becomes 0
  EXPECT_EQ(Add("-5", "3"), Outcome::kTaken);   // stays negative
  EXPECT_EQ(Sub("3", "5"), Outcome::kTaken);    // crosses zero
  EXPECT_EQ(Add("-10", "1"), Outcome::kTaken);  // -9
  EXPECT_EQ(Sub("-99", "1"), Outcome::kTaken);  // -100
  EXPECT_EQ(Sub("0", "1"), Outcome::kTaken);
  EXPECT_EQ(Sub("1", "0"), Outcome::kTaken);
  EXPECT_EQ(Add("12345", "-12345"), Outcome::kTaken);
}

TEST(SmallDecimalTest, FractionsAndExponents) {
  EXPECT_EQ(Add("1.5", "1"), Outcome::kTaken);
  EXPECT_EQ(Add("0.1", "0.2"), Outcome::kTaken);
  EXPECT_EQ(Add("0.5", "0.5"), Outcome::kTaken);  // 1
  EXPECT_EQ(Sub("2.25", "0.25"), Outcome::kTaken);
  EXPECT_EQ(Add("-0.001", "0.0001"), Outcome::kTaken);
  EXPECT_EQ(Add("1e17", "1"), Outcome::kTaken);  // 18 digits after aligning
  EXPECT_EQ(Add("1e100", "3e100"), Outcome::kTaken);
  EXPECT_EQ(Add("1.5e-120", "2.5e-120"), Outcome::kTaken);
  // Aligned, 1e18 and 1e20 need 19 and 21 digits: Number's work.
  EXPECT_EQ(Add("1e18", "1"), Outcome::kDeclined);
  EXPECT_EQ(Add("1e20", "1"), Outcome::kDeclined);
  EXPECT_EQ(Add("1", "1e-20"), Outcome::kDeclined);
}

TEST(SmallDecimalTest, EighteenDigitsAreTakenNineteenAreNot) {
  const std::string nines18(18, '9');
  EXPECT_EQ(Add(nines18, "1"), Outcome::kTaken);      // 1e18: 19 digits summed
  EXPECT_EQ(Add(nines18, nines18), Outcome::kTaken);  // a 19-digit result
  EXPECT_EQ(Sub("-" + nines18, nines18), Outcome::kTaken);
  EXPECT_EQ(Add("0." + nines18, "1"), Outcome::kDeclined);  // 19 aligned
  EXPECT_EQ(Add(std::string(19, '9'), "1"), Outcome::kDeclined);
  EXPECT_EQ(Add(std::string(38, '9'), "1"), Outcome::kDeclined);
  EXPECT_EQ(Sub("1" + std::string(37, '0'), "1"), Outcome::kDeclined);  // 1e37
  EXPECT_EQ(Add("12345678901234567890123456789012345678", "1"),
            Outcome::kDeclined);
}

TEST(SmallDecimalTest, OutOfRangeIsLeftToNumber) {
  EXPECT_EQ(Add("9e125", "9e125"), Outcome::kOutOfRange);   // overflow
  EXPECT_EQ(Sub("-9e125", "9e125"), Outcome::kOutOfRange);  // overflow
  EXPECT_EQ(Add("5e125", "4e125"), Outcome::kTaken);        // 9e125: the top
  // 1.5e-130 - 1e-130 = 5e-131: underflow.
  EXPECT_EQ(Sub("1.5e-130", "1e-130"), Outcome::kOutOfRange);
  EXPECT_EQ(Sub("2e-130", "1e-130"), Outcome::kTaken);  // 1e-130: the bottom
}

TEST(SmallDecimalTest, EncodesAsNumberDoes) {
  // The documented examples of docs/formats/item.md, and zero.
  const auto encode = [](int64_t coefficient, int scale) {
    char buf[Number::kMaxOrderedLength];
    int digits = 0;
    const size_t n = EncodeSmallDecimalOrdered(SmallDecimal{coefficient, scale},
                                               buf, &digits);
    return absl::BytesToHexString(absl::string_view(buf, n));
  };
  EXPECT_EQ(encode(30, 0), "038340");
  EXPECT_EQ(encode(3, 1), "038340");
  EXPECT_EQ(encode(-15, -1), "017d95ff");
  EXPECT_EQ(encode(0, 7), "02");
}

TEST(SmallDecimalTest, RandomSumsMatchNumber) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  kstone::core::testing::RandomItems random(seed);
  std::mt19937 rng(seed);
  int taken = 0;
  for (int i = 0; i < 20000; ++i) {
    Number a = random.RandomNumber();
    // Often a small integer, as a counter's step.
    Number b = rng() % 2 == 0
                   ? Number::FromInt64(static_cast<int64_t>(rng() % 21) - 10)
                   : random.RandomNumber();
    if (rng() % 2 == 0) std::swap(a, b);
    if (Check(a, b, rng() % 2 == 0) == Outcome::kTaken) ++taken;
  }
  EXPECT_GT(taken, 2000);
}

}  // namespace
}  // namespace kstone::core
