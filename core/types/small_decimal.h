#ifndef KSTONE_CORE_TYPES_SMALL_DECIMAL_H_
#define KSTONE_CORE_TYPES_SMALL_DECIMAL_H_

// SmallDecimal: a Number of at most 18 significant digits held as an int64
// coefficient times a power of ten, for the exact sum or difference of two
// such numbers (a counter's `n + 1`) without Number's digit arrays, written
// straight as Number::EncodeOrdered's bytes. The update that patches stored
// items (core/expr/flat_update.h) uses it before Number::Add.
//
// It declines what it cannot do exactly in 64 bits (more digits, operands
// whose scales are too far apart) and a result outside Number's exponent
// range; the caller then uses Number::Add / Subtract, which gives the result
// or the error. Otherwise its bytes are Number's: both are exact, and a
// Number is normalised, so one value has one encoding.
//
// Thread-safety: a value type and pure functions.
//
// Example:
//   SmallDecimal a, b, sum;
//   if (ToSmallDecimal(x, &a) && ToSmallDecimal(y, &b) &&
//       AddSmallDecimals(a, b, /*subtract=*/false, &sum)) {
//     char buf[Number::kMaxOrderedLength];
//     int digits = 0;
//     size_t n = EncodeSmallDecimalOrdered(sum, buf, &digits);  // 0: range
//   }

#include <cstddef>
#include <cstdint>

#include "core/types/number.h"

namespace kstone::core {

struct SmallDecimal {
  // value = coefficient * 10^scale. Not normalised: 10 may be (10, 0) or
  // (1, 1); zero is any scale.
  int64_t coefficient = 0;
  int scale = 0;
};

// The most significant digits ToSmallDecimal takes: any two such
// coefficients add up without overflowing an int64.
inline constexpr int kSmallDecimalDigits = 18;

// 10^i for i <= kSmallDecimalDigits.
inline constexpr int64_t kSmallDecimalPowers[kSmallDecimalDigits + 1] = {
    1,
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

// True if `n` has at most kSmallDecimalDigits significant digits; sets *out
// (|coefficient| < 10^18). Inline, as the next one: a counter's update
// calls both.
inline bool ToSmallDecimal(const Number& n, SmallDecimal* out) {
  const int digits = n.num_digits();
  if (digits > kSmallDecimalDigits) return false;
  int64_t c = 0;
  for (int i = 0; i < digits; ++i) c = c * 10 + n.digit(i);
  out->coefficient = n.is_negative() ? -c : c;
  out->scale = digits == 0 ? 0 : n.exponent() - digits;
  return true;
}

// a + b, or a - b if `subtract`, exactly: sets *out and returns true if both
// coefficients are below 10^18 in magnitude once brought to the smaller of
// the two scales. False (*out unchanged): use Number::Add / Subtract.
inline bool AddSmallDecimals(const SmallDecimal& a, const SmallDecimal& b,
                             bool subtract, SmallDecimal* out) {
  constexpr int64_t kLimit = kSmallDecimalPowers[kSmallDecimalDigits];
  int64_t x = a.coefficient;
  int64_t y = b.coefficient;
  if (x >= kLimit || x <= -kLimit || y >= kLimit || y <= -kLimit) {
    return false;
  }
  if (subtract) y = -y;
  // A zero operand has no scale to align to.
  if (x == 0 || y == 0) {
    *out = x == 0 ? SmallDecimal{y, b.scale} : SmallDecimal{x, a.scale};
    return true;
  }
  // The operand with the larger scale is brought to the smaller one, if its
  // coefficient stays below 10^18.
  int scale = a.scale;
  int64_t* up = &x;
  int by = a.scale - b.scale;
  if (by < 0) {
    up = &y;
    by = -by;
    scale = b.scale;
  }
  if (by > 0) {
    if (by >= kSmallDecimalDigits) return false;
    const int64_t limit = kSmallDecimalPowers[kSmallDecimalDigits - by];
    if (*up >= limit || *up <= -limit) return false;
    *up *= kSmallDecimalPowers[by];
    scale -= by;
  }
  *out = SmallDecimal{x + y, scale};  // |x + y| < 2 * 10^18 < 2^63
  return true;
}

// Writes Number::EncodeOrdered's bytes of `d` to `buf` (room for
// Number::kMaxOrderedLength bytes) and returns their count; *num_digits gets
// the count of significant digits (0 for zero). Returns 0 and writes
// nothing if the value is outside Number's exponent range (Number's
// overflow and underflow).
size_t EncodeSmallDecimalOrdered(const SmallDecimal& d, char* buf,
                                 int* num_digits);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_SMALL_DECIMAL_H_
