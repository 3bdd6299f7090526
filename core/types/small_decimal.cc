#include "core/types/small_decimal.h"

namespace kstone::core {

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
  // n digits (at most 19: 10^19 > any coefficient sum).
  int n = 1;
  while (n <= kSmallDecimalDigits &&
         m >= static_cast<uint64_t>(kSmallDecimalPowers[n])) {
    ++n;
  }
  // value = 0.d1...dn * 10^exponent, as Number holds it.
  const int exponent = scale + n;
  if (exponent > Number::kMaxExponent || exponent < Number::kMinExponent) {
    return 0;
  }
  // The layout of Number::EncodeOrdered (docs/formats/item.md): class,
  // biased exponent, one nibble per digit (d + 1, or 10 - d if negative)
  // and a terminator nibble (0x0, or 0xF), padded to whole bytes with it.
  const int biased = exponent - Number::kMinExponent;
  buf[0] = negative ? 0x01 : 0x03;
  buf[1] = static_cast<char>(negative ? 255 - biased : biased);
  const uint8_t terminator = negative ? 0xF : 0x0;
  if (n == 1) {  // a counter's usual result: one digit and the terminator
    const int digit = static_cast<int>(m);
    buf[2] = static_cast<char>(((negative ? 10 - digit : digit + 1) << 4) |
                               terminator);
    *num_digits = 1;
    return 3;
  }
  const size_t bytes = static_cast<size_t>(n) / 2 + 1;
  // From the last byte back: nibble j < n is digit j, taken from the low
  // end of m.
  auto nibble = [&](int j) -> uint8_t {
    if (j >= n) return terminator;
    const int digit = static_cast<int>(m % 10);
    m /= 10;
    return static_cast<uint8_t>(negative ? 10 - digit : digit + 1);
  };
  int j = static_cast<int>(2 * bytes) - 1;
  for (size_t k = bytes; k-- > 0; j -= 2) {
    const uint8_t low = nibble(j);
    const uint8_t high = nibble(j - 1);
    buf[2 + k] = static_cast<char>((high << 4) | low);
  }
  *num_digits = n;
  return 2 + bytes;
}

}  // namespace kstone::core
