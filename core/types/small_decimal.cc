#include "core/types/small_decimal.h"

namespace kstone::core {
namespace {

constexpr int64_t kPowersOfTen[kSmallDecimalDigits + 1] = {1,
                                                           10,
                                                           100,
                                                           1000,
                                                           10000,
                                                           100000,
                                                           1000000,
                                                           10000000,
                                                           100000000,
                                                           1000000000,
                                                           10000000000,
                                                           100000000000,
                                                           1000000000000,
                                                           10000000000000,
                                                           100000000000000,
                                                           1000000000000000,
                                                           10000000000000000,
                                                           100000000000000000,
                                                           1000000000000000000};

constexpr int64_t kCoefficientLimit = kPowersOfTen[kSmallDecimalDigits];

bool IsSmall(int64_t c) {
  return c < kCoefficientLimit && c > -kCoefficientLimit;
}

// *c * 10^by if that stays below 10^18 in magnitude.
bool ScaleUp(int64_t* c, int by) {
  if (by >= kSmallDecimalDigits) return false;  // *c != 0 here
  const int64_t limit = kPowersOfTen[kSmallDecimalDigits - by];
  if (*c >= limit || *c <= -limit) return false;
  *c *= kPowersOfTen[by];
  return true;
}

}  // namespace

bool ToSmallDecimal(const Number& n, SmallDecimal* out) {
  const int digits = n.num_digits();
  if (digits > kSmallDecimalDigits) return false;
  int64_t c = 0;
  for (int i = 0; i < digits; ++i) c = c * 10 + n.digit(i);
  out->coefficient = n.is_negative() ? -c : c;
  out->scale = digits == 0 ? 0 : n.exponent() - digits;
  return true;
}

bool AddSmallDecimals(const SmallDecimal& a, const SmallDecimal& b,
                      bool subtract, SmallDecimal* out) {
  int64_t x = a.coefficient;
  int64_t y = b.coefficient;
  if (!IsSmall(x) || !IsSmall(y)) return false;
  if (subtract) y = -y;
  // A zero operand has no scale to align to.
  if (x == 0 || y == 0) {
    *out = x == 0 ? SmallDecimal{y, b.scale} : SmallDecimal{x, a.scale};
    return true;
  }
  int scale = a.scale;
  if (a.scale > b.scale) {
    if (!ScaleUp(&x, a.scale - b.scale)) return false;
    scale = b.scale;
  } else if (b.scale > a.scale) {
    if (!ScaleUp(&y, b.scale - a.scale)) return false;
  }
  *out = SmallDecimal{x + y, scale};  // |x + y| < 2 * 10^18 < 2^63
  return true;
}

size_t EncodeSmallDecimalOrdered(const SmallDecimal& d, char* buf,
                                 int* num_digits) {
  if (d.coefficient == 0) {
    buf[0] = 0x02;
    *num_digits = 0;
    return 1;
  }
  const bool negative = d.coefficient < 0;
  uint64_t m = negative ? 0 - static_cast<uint64_t>(d.coefficient)
                        : static_cast<uint64_t>(d.coefficient);
  int scale = d.scale;
  while (m % 10 == 0) {
    m /= 10;
    ++scale;
  }
  // The digits, least significant first (at most 19).
  uint8_t low_first[20];
  int n = 0;
  while (m > 0) {
    low_first[n++] = static_cast<uint8_t>(m % 10);
    m /= 10;
  }
  // value = 0.d1...dn * 10^exponent, as Number holds it.
  const int exponent = scale + n;
  if (exponent > Number::kMaxExponent || exponent < Number::kMinExponent) {
    return 0;
  }
  // The layout of Number::EncodeOrdered (docs/formats/item.md): class,
  // biased exponent, one nibble per digit and a terminator nibble.
  const int biased = exponent - Number::kMinExponent;
  const int terminator = negative ? 0xF : 0x0;
  auto nibble = [&](int i) {
    if (i >= n) return terminator;
    const int digit = low_first[n - 1 - i];
    return negative ? 10 - digit : digit + 1;
  };
  size_t len = 0;
  buf[len++] = negative ? 0x01 : 0x03;
  buf[len++] = static_cast<char>(negative ? 255 - biased : biased);
  for (int i = 0; i <= n; i += 2) {
    buf[len++] = static_cast<char>((nibble(i) << 4) | nibble(i + 1));
  }
  *num_digits = n;
  return len;
}

}  // namespace kstone::core
