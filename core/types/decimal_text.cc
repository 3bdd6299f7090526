#include "core/types/decimal_text.h"

#include <cstdint>

#include "core/types/number.h"

namespace kstone::core {

size_t EncodeDecimalTextOrdered(std::string_view text, char* buf,
                                int* num_digits) {
  const size_t size = text.size();
  size_t i = 0;
  const bool negative = size > 0 && text[0] == '-';
  if (negative) ++i;
  // One pass: the shape, where the point is, and the first and last
  // nonzero digits (as positions in the text).
  const size_t digits_begin = i;
  size_t point = size;  // the point's position, or size if none
  size_t first = size;  // first nonzero digit
  size_t last = size;   // last nonzero digit
  for (; i < size; ++i) {
    const char c = text[i];
    if (c == '.') {
      // One point, with a digit before and after it.
      if (point != size || i == digits_begin || i + 1 == size) return 0;
      point = i;
      continue;
    }
    if (c < '0' || c > '9') return 0;
    if (c != '0') {
      if (first == size) first = i;
      last = i;
    }
  }
  if (digits_begin == size) return 0;  // empty or "-"
  if (first == size) {                 // zero, whatever its sign
    buf[0] = 0x02;
    *num_digits = 0;
    return 1;
  }
  // The significant digits run from `first` to `last`, less the point if
  // it lies between them.
  const bool point_inside = point != size && first < point && point < last;
  const size_t n = last - first + 1 - (point_inside ? 1 : 0);
  if (n > static_cast<size_t>(Number::kMaxDigits)) return 0;
  // value = 0.d1...dn * 10^exponent: the exponent counts the integer
  // digits from the first significant one, or (a value below 1) minus the
  // zeros between the point and it.
  const size_t int_end = point;  // the integer digits end at the point
  const int64_t exponent = first < int_end
                               ? static_cast<int64_t>(int_end - first)
                               : -static_cast<int64_t>(first - int_end - 1);
  if (exponent > Number::kMaxExponent || exponent < Number::kMinExponent) {
    return 0;
  }
  // The layout of Number::EncodeOrdered: class, biased exponent, one nibble
  // per digit (d + 1, or 10 - d if negative) and a terminator nibble (0x0,
  // or 0xF), padded to whole bytes with it.
  const int biased = static_cast<int>(exponent) - Number::kMinExponent;
  buf[0] = negative ? 0x01 : 0x03;
  buf[1] = static_cast<char>(negative ? 255 - biased : biased);
  const unsigned terminator = negative ? 0xF : 0x0;
  size_t len = 2;
  unsigned high = 0;
  bool have_high = false;
  for (size_t p = first; p <= last; ++p) {
    if (p == point) continue;
    const unsigned d = static_cast<unsigned>(text[p] - '0');
    const unsigned nibble = negative ? 10 - d : d + 1;
    if (have_high) {
      buf[len++] = static_cast<char>((high << 4) | nibble);
    } else {
      high = nibble;
    }
    have_high = !have_high;
  }
  // The terminator, and a second one as padding if it begins a byte.
  buf[len++] = static_cast<char>(have_high ? (high << 4) | terminator
                                           : (terminator << 4) | terminator);
  *num_digits = static_cast<int>(n);
  return len;
}

int OrderedNumberTextLength(std::string_view ordered, int num_digits) {
  if (num_digits == 0) return 1;  // "0"
  const bool negative = static_cast<uint8_t>(ordered[0]) == 0x01;
  const int b = static_cast<uint8_t>(ordered[1]);
  const int exponent = (negative ? 255 - b : b) + Number::kMinExponent;
  return Number::CanonicalTextLength(negative, num_digits, exponent);
}

}  // namespace kstone::core
