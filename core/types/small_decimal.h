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

// True if `n` has at most kSmallDecimalDigits significant digits; sets *out
// (|coefficient| < 10^18).
bool ToSmallDecimal(const Number& n, SmallDecimal* out);

// a + b, or a - b if `subtract`, exactly: sets *out and returns true if both
// coefficients are below 10^18 in magnitude once brought to the smaller of
// the two scales. False (*out unchanged): use Number::Add / Subtract.
bool AddSmallDecimals(const SmallDecimal& a, const SmallDecimal& b,
                      bool subtract, SmallDecimal* out);

// Writes Number::EncodeOrdered's bytes of `d` to `buf` (room for
// Number::kMaxOrderedLength bytes) and returns their count; *num_digits gets
// the count of significant digits (0 for zero). Returns 0 and writes
// nothing if the value is outside Number's exponent range (Number's
// overflow and underflow).
size_t EncodeSmallDecimalOrdered(const SmallDecimal& d, char* buf,
                                 int* num_digits);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_SMALL_DECIMAL_H_
