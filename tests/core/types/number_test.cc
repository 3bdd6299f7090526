#include "core/types/number.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

std::string Canon(std::string_view text) {
  absl::StatusOr<Number> n = Number::Parse(text);
  if (!n.ok()) return "ERROR: " + std::string(n.status().message());
  return n->ToString();
}

Number N(std::string_view text) {
  absl::StatusOr<Number> n = Number::Parse(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status();
  return n.ok() ? *n : Number();
}

TEST(NumberTest, AcceptedSyntax) {
  EXPECT_EQ(Canon("3"), "3");
  EXPECT_EQ(Canon("-7.1234"), "-7.1234");
  EXPECT_EQ(Canon("-17e5"), "-1700000");
  EXPECT_EQ(Canon("-17.4E37"), "-174" + std::string(36, '0'));
  EXPECT_EQ(Canon("+3"), "3");
  EXPECT_EQ(Canon(".123"), "0.123");
  EXPECT_EQ(Canon("0001.23"), "1.23");
  EXPECT_EQ(Canon("1e+5"), "100000");
  EXPECT_EQ(Canon("0e1000"), "0");
  EXPECT_EQ(Canon("5."), "5");
  EXPECT_EQ(Canon("1E-2"), "0.01");
}

TEST(NumberTest, RejectedSyntaxMentionsNumeric) {
  for (const char* s :
       {"NaN",  "Infinity", "-Infinity", "-NaN",  "dog",  "-dog",
        " 1",   "1 ",       "",          "+",     "-",    ".",
        "e5",   "1e",       "1e+",       "1.2.3", "1..2", "--1",
        "0x10", "1,5",      "1e5.5",     "1f",    "\xff"}) {
    EXPECT_THAT(Number::Parse(s), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("numeric")))
        << "input: '" << s << "'";
  }
}

TEST(NumberTest, CanonicalOutput) {
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("0.000"), "0");
  EXPECT_EQ(Canon(".5"), "0.5");
  EXPECT_EQ(Canon("1e3"), "1000");
  EXPECT_EQ(Canon("1.0e-1"), "0.1");
  EXPECT_EQ(Canon("1.500"), "1.5");
  EXPECT_EQ(Canon("100"), "100");
  EXPECT_EQ(Canon("00100.00100"), "100.001");
  EXPECT_EQ(Canon("1e125"), "1" + std::string(125, '0'));
  EXPECT_EQ(Canon("1e-20"), "0.00000000000000000001");
  EXPECT_EQ(Canon("-1e-130"), "-0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canon("123.456e1"), "1234.56");
  EXPECT_EQ(Canon("123.456e-3"), "0.123456");
}

TEST(NumberTest, TextLengthMatchesToString) {
  for (const char* s : {"0", "1", "-1", "0.5", "-0.005", "123.45", "1e10",
                        "-1.5e30", "1e-130", "9.99e125", "12", "-120"}) {
    Number n = N(s);
    EXPECT_EQ(n.TextLength(), static_cast<int>(n.ToString().size())) << s;
  }
}

TEST(NumberTest, Limits) {
  EXPECT_EQ(Canon("9.9999999999999999999999999999999999999E+125"),
            "99999999999999999999999999999999999999" + std::string(88, '0'));
  EXPECT_THAT(Number::Parse("1e126"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Number overflow")));
  EXPECT_THAT(
      Number::Parse("11e125"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
  EXPECT_THAT(
      Number::Parse("-1e126"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
  EXPECT_THAT(Number::Parse("1e-131"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Number underflow")));
  EXPECT_THAT(
      Number::Parse("0.9e-130"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("underflow")));
  EXPECT_THAT(
      Number::Parse("1e99999999999999999999"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
  EXPECT_THAT(
      Number::Parse("1e-99999999999999999999"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("underflow")));
  // Judged on the value, not the written exponent.
  EXPECT_EQ(Canon("0.1e126"), "1" + std::string(125, '0'));
  EXPECT_EQ(Canon("0.0e126"), "0");
  EXPECT_EQ(Canon("10e-131"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canon("0e-131"), "0");
}

TEST(NumberTest, Precision) {
  EXPECT_EQ(Canon("3.1415926535897932384626433832795028841"),
            "3.1415926535897932384626433832795028841");
  EXPECT_EQ(Canon("31415926535897932384626433832795028841e30"),
            "31415926535897932384626433832795028841" + std::string(30, '0'));
  for (const char* s : {"3.14159265358979323846264338327950288419",
                        "314159265358979323846.264338327950288419",
                        "314159265358979323846264338327950288419e30"}) {
    EXPECT_THAT(Number::Parse(s),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("more than 38 significant digits")))
        << s;
  }
  // Leading and trailing zeros are not significant.
  EXPECT_EQ(Canon(std::string(100, '0') + "1" + std::string(50, '0')),
            "1" + std::string(50, '0'));
  EXPECT_EQ(Canon("1." + std::string(100, '0')), "1");
  EXPECT_EQ(Canon("0." + std::string(100, '0') + "1"),
            "0." + std::string(100, '0') + "1");
  // Zeros between significant digits are.
  EXPECT_THAT(
      Number::Parse("1" + std::string(37, '0') + "1"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("significant")));
  EXPECT_EQ(Canon("1" + std::string(36, '0') + "1"),
            "1" + std::string(36, '0') + "1");
}

TEST(NumberTest, Equality) {
  EXPECT_EQ(N("1"), N("1.0"));
  EXPECT_EQ(N("1e3"), N("1000"));
  EXPECT_EQ(N("-0"), N("0"));
  EXPECT_NE(N("1"), N("-1"));
  EXPECT_NE(N("1"), N("10"));
  EXPECT_NE(N("0.1"), N("1"));
}

TEST(NumberTest, CompareIsNumeric) {
  const std::vector<std::string> sorted = {
      "-1e125", "-1000", "-999.9",  "-10", "-2",     "-1.5", "-1",
      "-0.101", "-0.1",  "-1e-130", "0",   "1e-130", "0.1",  "0.101",
      "1",      "1.5",   "2",       "10",  "999.9",  "1000", "9.99e125"};
  for (size_t i = 0; i < sorted.size(); ++i) {
    for (size_t j = 0; j < sorted.size(); ++j) {
      int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(N(sorted[i]).Compare(N(sorted[j])), want)
          << sorted[i] << " vs " << sorted[j];
    }
  }
}

TEST(NumberTest, AddAndSubtractExact) {
  auto add = [](std::string_view a, std::string_view b) {
    absl::StatusOr<Number> r = Number::Add(N(a), N(b));
    return r.ok() ? r->ToString()
                  : "ERROR: " + std::string(r.status().message());
  };
  auto sub = [](std::string_view a, std::string_view b) {
    absl::StatusOr<Number> r = Number::Subtract(N(a), N(b));
    return r.ok() ? r->ToString()
                  : "ERROR: " + std::string(r.status().message());
  };
  EXPECT_EQ(add("1", "10000000000000000000000"), "10000000000000000000001");
  EXPECT_EQ(sub("10000000000000000000000", "1"), "9999999999999999999999");
  EXPECT_EQ(add("100", "50"), "150");
  EXPECT_EQ(add("0.1", "0.2"), "0.3");
  EXPECT_EQ(add("1.5", "-1.5"), "0");
  EXPECT_EQ(add("-1.5", "0.25"), "-1.25");
  EXPECT_EQ(sub("1", "1.001"), "-0.001");
  EXPECT_EQ(sub("0", "5"), "-5");
  EXPECT_EQ(sub("5", "0"), "5");
  EXPECT_EQ(add("0", "-0.5"), "-0.5");
  EXPECT_EQ(add("999", "1"), "1000");
  EXPECT_EQ(sub("1000", "1"), "999");
  EXPECT_EQ(add("-999", "-1"), "-1000");
  EXPECT_EQ(add("1e-130", "1e-130"), "0." + std::string(129, '0') + "2");
  EXPECT_EQ(add("99999999999999999999999999999999999999", "1"),
            "1" + std::string(38, '0'));
  // Cancellation keeps full precision.
  EXPECT_EQ(sub("1.0000000000000000000000000000000000001", "1"),
            "0.0000000000000000000000000000000000001");
  EXPECT_THAT(
      Number::Add(N("1e50"), N("1")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
  EXPECT_THAT(Number::Subtract(N("1e50"), N("1")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("significant digits")));
  EXPECT_THAT(Number::Add(N("9e125"), N("9e125")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Number overflow")));
  EXPECT_THAT(Number::Subtract(N("9e125"), N("-9e125")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Number overflow")));
  EXPECT_THAT(Number::Add(N("1e125"), N("1e-130")),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(
      Number::Subtract(N("2e-130"), N("1.5e-130")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("underflow")));
}

TEST(NumberTest, RandomArithmeticMatchesInt64) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> dist(-(int64_t{1} << 61),
                                              int64_t{1} << 61);
  for (int i = 0; i < 2000; ++i) {
    int64_t a = dist(rng) >> (rng() % 60);
    int64_t b = dist(rng) >> (rng() % 60);
    absl::StatusOr<Number> sum =
        Number::Add(Number::FromInt64(a), Number::FromInt64(b));
    ASSERT_TRUE(sum.ok()) << sum.status();
    EXPECT_EQ(sum->ToString(), std::to_string(a + b)) << a << " + " << b;
    absl::StatusOr<Number> diff =
        Number::Subtract(Number::FromInt64(a), Number::FromInt64(b));
    ASSERT_TRUE(diff.ok()) << diff.status();
    EXPECT_EQ(diff->ToString(), std::to_string(a - b)) << a << " - " << b;
    EXPECT_EQ(Number::FromInt64(a).Compare(Number::FromInt64(b)),
              a < b ? -1 : (a > b ? 1 : 0));
    int64_t back = 0;
    ASSERT_TRUE(sum->ToInt64(&back));
    EXPECT_EQ(back, a + b);
  }
}

// Integers below 10^18 add in int64 arithmetic, larger ones and fractions
// digit by digit: both give the number Parse gives for the exact result,
// byte for byte in the ordered encoding, on either side of the boundary.
TEST(NumberTest, IntegerFastPathGivesCanonicalNumbers) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937_64 rng(seed);
  const int64_t kBound = 1000000000000000000;  // 10^18
  auto canonical = [](__int128 v) {
    std::string text = v < 0 ? "-" : "";
    unsigned __int128 m = v < 0 ? -static_cast<unsigned __int128>(v) : v;
    std::string digits;
    do {
      digits.insert(digits.begin(), static_cast<char>('0' + m % 10));
      m /= 10;
    } while (m != 0);
    return N(text + digits);
  };
  auto encoded = [](const Number& n) {
    std::string out;
    n.EncodeOrdered(&out);
    return out;
  };
  for (int i = 0; i < 4000; ++i) {
    // Near the boundary, at every scale, with trailing zeros.
    int64_t a = static_cast<int64_t>(rng() % kBound) >> (rng() % 62);
    int64_t b = static_cast<int64_t>(rng() % kBound) >> (rng() % 62);
    if (rng() % 4 == 0) a = kBound - 1 - a % 1000;
    if (rng() % 5 == 0) b = (b / 1000) * 1000;
    if (rng() % 2 == 0) a = -a;
    if (rng() % 2 == 0) b = -b;
    for (__int128 extra : {__int128{0}, __int128{kBound}}) {
      // `extra` pushes b past the fast path's bound.
      const __int128 bb = b < 0 ? b - extra : b + extra;
      const Number na = canonical(a);
      const Number nb = canonical(bb);
      absl::StatusOr<Number> sum = Number::Add(na, nb);
      absl::StatusOr<Number> diff = Number::Subtract(na, nb);
      ASSERT_TRUE(sum.ok() && diff.ok());
      EXPECT_EQ(encoded(*sum), encoded(canonical(__int128{a} + bb)))
          << a << " + " << static_cast<double>(bb);
      EXPECT_EQ(encoded(*diff), encoded(canonical(__int128{a} - bb)))
          << a << " - " << static_cast<double>(bb);
    }
  }
}

// Scaled integers check fractional and large exponents: A*10^k + B*10^k is
// (A+B)*10^k, whatever k is.
TEST(NumberTest, RandomScaledArithmetic) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2000; ++i) {
    const int64_t a =
        static_cast<int64_t>(rng() >> (4 + rng() % 60)) * (rng() % 2 ? 1 : -1);
    const int64_t b =
        static_cast<int64_t>(rng() >> (4 + rng() % 60)) * (rng() % 2 ? 1 : -1);
    const int k = static_cast<int>(rng() % 200) - 100;
    auto scaled = [k](int64_t v) {
      return Number::Parse(std::to_string(v) + "e" + std::to_string(k));
    };
    absl::StatusOr<Number> na = scaled(a), nb = scaled(b);
    absl::StatusOr<Number> want_sum = scaled(a + b), want_diff = scaled(a - b);
    ASSERT_TRUE(na.ok() && nb.ok() && want_sum.ok() && want_diff.ok());
    absl::StatusOr<Number> sum = Number::Add(*na, *nb);
    ASSERT_TRUE(sum.ok()) << sum.status();
    EXPECT_EQ(*sum, *want_sum) << a << "e" << k << " + " << b << "e" << k;
    absl::StatusOr<Number> diff = Number::Subtract(*na, *nb);
    ASSERT_TRUE(diff.ok()) << diff.status();
    EXPECT_EQ(*diff, *want_diff) << a << "e" << k << " - " << b << "e" << k;
    EXPECT_EQ(na->Compare(*nb), a < b ? -1 : (a > b ? 1 : 0));
    // Text round trip.
    absl::StatusOr<Number> back = Number::Parse(sum->ToString());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, *sum);
  }
}

TEST(NumberTest, FromInt64) {
  EXPECT_EQ(Number::FromInt64(0).ToString(), "0");
  EXPECT_EQ(Number::FromInt64(-42).ToString(), "-42");
  EXPECT_EQ(Number::FromInt64(1000).ToString(), "1000");
  EXPECT_EQ(Number::FromInt64(std::numeric_limits<int64_t>::min()).ToString(),
            "-9223372036854775808");
  EXPECT_EQ(Number::FromInt64(std::numeric_limits<int64_t>::max()).ToString(),
            "9223372036854775807");
  EXPECT_EQ(Number::FromUint64(std::numeric_limits<uint64_t>::max()).ToString(),
            "18446744073709551615");
}

TEST(NumberTest, ToInt64) {
  int64_t v = 0;
  EXPECT_TRUE(N("-9223372036854775808").ToInt64(&v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(N("9223372036854775808").ToInt64(&v));
  EXPECT_FALSE(N("1.5").ToInt64(&v));
  EXPECT_FALSE(N("1e30").ToInt64(&v));
  EXPECT_TRUE(N("1e18").ToInt64(&v));
  EXPECT_EQ(v, 1000000000000000000);
}

TEST(NumberTest, FromDouble) {
  auto text = [](double d) {
    absl::StatusOr<Number> n = Number::FromDouble(d);
    return n.ok() ? n->ToString() : "ERROR";
  };
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(-2.5), "-2.5");
  EXPECT_EQ(text(1e20), "100000000000000000000");
  EXPECT_EQ(text(-0.0), "0");
  EXPECT_EQ(text(30), "30");
  EXPECT_EQ(text(1.0 / 3), "0.3333333333333333");
  EXPECT_THAT(
      Number::FromDouble(std::numeric_limits<double>::quiet_NaN()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("numeric")));
  EXPECT_THAT(Number::FromDouble(std::numeric_limits<double>::infinity()),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(
      Number::FromDouble(1e300),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("overflow")));
  EXPECT_DOUBLE_EQ(N("0.1").ToDouble(), 0.1);
}

std::string Ordered(const Number& n) {
  std::string s;
  n.EncodeOrdered(&s);
  return s;
}

TEST(NumberTest, OrderedEncodingRoundTrips) {
  for (const char* s :
       {"0", "1", "-1", "0.5", "-0.5",
        "123456789012345678901234567890.12345678",
        "-99999999999999999999999999999999999999", "1e-130", "-1e-130",
        "9.9999999999999999999999999999999999999e125", "12", "-12", "101"}) {
    Number n = N(s);
    std::string enc = Ordered(n);
    EXPECT_LE(enc.size(), static_cast<size_t>(Number::kMaxOrderedLength));
    std::string_view in = enc;
    Number back;
    ASSERT_TRUE(Number::DecodeOrdered(&in, &back)) << s;
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(back, n) << s;
    EXPECT_EQ(back.ToString(), n.ToString());
  }
}

TEST(NumberTest, OrderedEncodingPreservesOrder) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937 rng(seed);
  std::vector<Number> numbers;
  for (const char* s : {"0", "1", "-1", "0.1", "0.101", "-0.1", "-0.101", "10",
                        "-10", "1e125", "-1e125", "1e-130", "-1e-130"}) {
    numbers.push_back(N(s));
  }
  for (int i = 0; i < 300; ++i) {
    std::string s;
    if (rng() % 2) s.push_back('-');
    int digits = 1 + rng() % 38;
    for (int d = 0; d < digits; ++d) s.push_back('0' + rng() % 10);
    s += "e" + std::to_string(static_cast<int>(rng() % 200) - 100);
    absl::StatusOr<Number> n = Number::Parse(s);
    if (n.ok()) numbers.push_back(*n);
  }
  for (const Number& a : numbers) {
    for (const Number& b : numbers) {
      int cmp = Ordered(a).compare(Ordered(b));
      cmp = cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
      ASSERT_EQ(cmp, a.Compare(b)) << a.ToString() << " vs " << b.ToString();
    }
  }
}

TEST(NumberTest, OrderedEncodingIsSelfDelimiting) {
  // A shorter digit string must not be a prefix of a longer one.
  std::string a = Ordered(N("0.1"));
  std::string b = Ordered(N("0.101"));
  EXPECT_NE(b.compare(0, a.size(), a), 0);
  std::string two = Ordered(N("12")) + Ordered(N("-3"));
  std::string_view in = two;
  Number x, y;
  ASSERT_TRUE(Number::DecodeOrdered(&in, &x));
  ASSERT_TRUE(Number::DecodeOrdered(&in, &y));
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(x.ToString(), "12");
  EXPECT_EQ(y.ToString(), "-3");
}

// DecodeOrderedAsText is DecodeOrdered then AppendTo, verdicts included.
void ExpectAsTextAgrees(const std::string& bytes) {
  std::string_view in = bytes;
  Number n;
  const bool ok = Number::DecodeOrdered(&in, &n);
  std::string_view in_text = bytes;
  std::string text = "prefix:";
  int digits = -1;
  ASSERT_EQ(Number::DecodeOrderedAsText(&in_text, &text, &digits), ok)
      << absl::CEscape(bytes);
  if (!ok) return;
  EXPECT_EQ(text, "prefix:" + n.ToString());
  EXPECT_EQ(digits, n.num_digits());
  EXPECT_EQ(in_text.size(), in.size());
}

TEST(NumberTest, DecodeOrderedAsTextMatchesDecodeThenText) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937 rng(seed);
  for (const char* text :
       {"0", "1", "-1", "10", "0.5", "-0.05", "123.456", "1e125", "-1e-129",
        "99999999999999999999999999999999999999", "1.5e-100", "-7e37"}) {
    absl::StatusOr<Number> n = Number::Parse(text);
    ASSERT_TRUE(n.ok()) << text;
    ExpectAsTextAgrees(Ordered(*n) + "tail");
  }
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 24, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    // Often a plausible head, so that the digit checks are reached.
    if (!bytes.empty() && rng() % 2 == 0) bytes[0] = "\x01\x02\x03"[rng() % 3];
    ExpectAsTextAgrees(bytes);
  }
}

TEST(NumberTest, DecodeOrderedRejectsGarbage) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  std::mt19937 rng(seed);
  for (const std::string& bad :
       {std::string(), std::string("\x00", 1), std::string("\x03"),
        std::string("\x03\x80"), std::string("\x03\x80\x10", 3),
        std::string("\x03\x80\x01", 3) /* leading zero digit */,
        std::string("\x04\x80\x20", 3), std::string("\x03\x80\xb0", 3)}) {
    std::string_view in = bad;
    Number n;
    EXPECT_FALSE(Number::DecodeOrdered(&in, &n));
  }
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 24, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    std::string_view in = bytes;
    Number n;
    if (Number::DecodeOrdered(&in, &n)) {
      // Whatever decodes is a valid number that re-encodes identically.
      std::string again = Ordered(n);
      EXPECT_EQ(again, bytes.substr(0, bytes.size() - in.size()));
      EXPECT_TRUE(Number::Parse(n.ToString()).ok());
    }
  }
}

TEST(NumberTest, IsCompact) { EXPECT_LE(sizeof(Number), 24u); }

}  // namespace
}  // namespace kstone::core
