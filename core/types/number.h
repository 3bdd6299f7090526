#ifndef KSTONE_CORE_TYPES_NUMBER_H_
#define KSTONE_CORE_TYPES_NUMBER_H_

// Number: DynamoDB's N type, an exact decimal that never goes through double.
//
// A Number holds up to 38 significant decimal digits and a magnitude in
// [1e-130, 1e126), or zero. It is always normalised: leading and trailing
// zeros are dropped, so "1.0", "1e0" and "0001" are the same Number and
// compare equal with ==. ToString() gives DynamoDB's canonical text (no
// exponent, no '+', no leading zeros, no trailing fractional zeros).
//
// Representation: sign, decimal exponent and the significant digits packed
// two per byte (24 bytes, no heap). value = 0.d1d2...dn * 10^exponent.
//
// Thread-safety: a value type; const methods are safe for concurrent use.
//
// Example:
//   absl::StatusOr<Number> n = Number::Parse("1e3");   // n->ToString() ==
//   "1000" absl::StatusOr<Number> sum = Number::Add(*n, Number::FromInt64(1));

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kstone::core {

class Number {
 public:
  static constexpr int kMaxDigits = 38;
  // value = 0.d1...dn * 10^exponent; the limits of the normalised exponent.
  static constexpr int kMinExponent = -129;  // 0.1e-129 == 1e-130
  static constexpr int kMaxExponent = 126;   // 0.99..9e126 < 1e126
  // Longest EncodeOrdered() output: class byte, exponent byte, 19 digit
  // bytes and a terminator byte.
  static constexpr int kMaxOrderedLength = 22;

  // Zero.
  Number() = default;

  // Parses DynamoDB number syntax: optional sign, digits with an optional
  // '.', at least one digit, optional exponent (e/E, optional sign, digits).
  // Leading dot (".5"), trailing dot ("5."), leading zeros are accepted.
  // Errors (InvalidArgument): bad syntax (message mentions "numeric"), more
  // than 38 significant digits, magnitude >= 1e126 ("Number overflow") or
  // below 1e-130 ("Number underflow"). The limits apply to the value, not the
  // written form ("0.1e126" is fine).
  static absl::StatusOr<Number> Parse(std::string_view text);

  static Number FromInt64(int64_t value);
  static Number FromUint64(uint64_t value);
  // Via the shortest text that round-trips the double ("0.1" -> 0.1, not
  // 0.1000000000000000055...). InvalidArgument for NaN, infinities and
  // values outside DynamoDB's range.
  static absl::StatusOr<Number> FromDouble(double value);

  // Exact arithmetic. InvalidArgument ("Number overflow ...") when the result
  // needs more than 38 significant digits or leaves the magnitude range
  // (1e50 + 1 fails; 1e22 + 1 is exact); "Number underflow" below 1e-130.
  static absl::StatusOr<Number> Add(const Number& a, const Number& b);
  static absl::StatusOr<Number> Subtract(const Number& a, const Number& b);

  // Canonical decimal text: "1000", "0.5", "-12.25", "0".
  std::string ToString() const;
  void AppendTo(std::string* out) const;
  // Length of ToString() without building it.
  int TextLength() const;
  // The same for the nonzero number 0.d1...dn x 10^exponent (n = num_digits
  // > 0), without a Number (a key encoded straight from its text).
  static int CanonicalTextLength(bool negative, int num_digits, int exponent);

  // Numeric comparison: <0, 0, >0.
  int Compare(const Number& other) const;

  bool is_zero() const { return num_digits_ == 0; }
  bool is_negative() const { return negative_; }
  // Count of significant digits (0 for zero).
  int num_digits() const { return num_digits_; }
  // The i-th significant digit, 0 <= i < num_digits().
  int digit(int i) const {
    uint8_t b = digits_[i >> 1];
    return (i & 1) ? (b & 0x0F) : (b >> 4);
  }
  // value = 0.d1...dn * 10^exponent(); meaningless for zero.
  int exponent() const { return exponent_; }
  Number Negated() const;
  // True if the value is an integer that fits in int64; stores it.
  bool ToInt64(int64_t* out) const;
  // The nearest double (via text).
  double ToDouble() const;

  // Order-preserving encoding: memcmp order of the encodings equals numeric
  // order, and the encoding is self-delimiting (no encoding is a prefix of
  // another), so it can be followed by more key bytes. At most
  // kMaxOrderedLength bytes. Also the item codec's compact number form.
  //   negative: 0x01, ~(exponent + 129), digit nibbles (9 - d) + 1, then a
  //             0xF nibble terminator (padded with 0xF)
  //   zero:     0x02
  //   positive: 0x03, exponent + 129, digit nibbles d + 1, then a 0x0
  //             nibble terminator (padded with 0x0)
  void EncodeOrdered(std::string* dst) const;
  // Decodes one EncodeOrdered() number from the front of *input and advances
  // it. Returns false (leaving *input unspecified) on malformed bytes.
  static bool DecodeOrdered(std::string_view* input, Number* out);
  // DecodeOrdered, then AppendTo, without building a Number (the read path
  // of items, which hands out numbers as text): appends the canonical text
  // to *text and sets *num_digits to the number of significant digits.
  // Returns false on malformed bytes, exactly as DecodeOrdered does.
  static bool DecodeOrderedAsText(std::string_view* input, std::string* text,
                                  int* num_digits);

  friend bool operator==(const Number& a, const Number& b);
  friend bool operator!=(const Number& a, const Number& b) { return !(a == b); }
  friend bool operator<(const Number& a, const Number& b) {
    return a.Compare(b) < 0;
  }

 private:
  friend class NumberBuilder;

  // Packed BCD, high nibble first; unused nibbles are zero so that == can
  // compare the bytes.
  uint8_t digits_[(kMaxDigits + 1) / 2] = {};
  uint8_t num_digits_ = 0;
  bool negative_ = false;
  int16_t exponent_ = 0;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_NUMBER_H_
