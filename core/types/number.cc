#include "core/types/number.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace kstone::core {

namespace {

constexpr absl::string_view kOverflowMessage =
    "Number overflow. Attempting to store a number with magnitude larger "
    "than supported range";
constexpr absl::string_view kUnderflowMessage =
    "Number underflow. Attempting to store a number with magnitude smaller "
    "than supported range";
constexpr absl::string_view kPrecisionMessage =
    "Attempting to store more than 38 significant digits in a Number";
// DynamoDB reports an inexact arithmetic result as an overflow.
constexpr absl::string_view kArithmeticPrecisionMessage =
    "Number overflow. Attempting to store a number with more than 38 "
    "significant digits";

absl::Status SyntaxError(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string shown(text.substr(0, kMaxShown));
  if (text.size() > kMaxShown) shown += "...";
  return absl::InvalidArgumentError(absl::StrCat(
      "The parameter cannot be converted to a numeric value: ", shown));
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

// Builds normalised Numbers from a digit sequence and a point position.
class NumberBuilder {
 public:
  // value = (negative ? -1 : 1) * 0.d[0]d[1]...d[n-1] * 10^exponent, digits
  // 0..9 with possible leading and trailing zeros. Checks the limits;
  // precision_message is used when more than 38 digits remain.
  static absl::StatusOr<Number> Build(bool negative, const uint8_t* d, int n,
                                      int64_t exponent,
                                      absl::string_view precision_message) {
    int first = 0;
    while (first < n && d[first] == 0) ++first;
    if (first == n) return Number();
    int last = n - 1;
    while (d[last] == 0) --last;
    exponent -= first;
    int count = last - first + 1;
    if (exponent > Number::kMaxExponent) {
      return absl::InvalidArgumentError(kOverflowMessage);
    }
    if (count > Number::kMaxDigits) {
      return absl::InvalidArgumentError(precision_message);
    }
    if (exponent < Number::kMinExponent) {
      return absl::InvalidArgumentError(kUnderflowMessage);
    }
    Number out;
    out.negative_ = negative;
    out.num_digits_ = static_cast<uint8_t>(count);
    out.exponent_ = static_cast<int16_t>(exponent);
    for (int i = 0; i < count; ++i) SetDigit(&out, i, d[first + i]);
    return out;
  }

  static void SetDigit(Number* n, int i, int digit) {
    uint8_t& b = n->digits_[i >> 1];
    if (i & 1) {
      b = static_cast<uint8_t>((b & 0xF0) | digit);
    } else {
      b = static_cast<uint8_t>((b & 0x0F) | (digit << 4));
    }
  }

  // Compares |a| and |b|.
  static int CompareMagnitude(const Number& a, const Number& b) {
    if (a.is_zero() || b.is_zero()) {
      return static_cast<int>(!a.is_zero()) - static_cast<int>(!b.is_zero());
    }
    if (a.exponent_ != b.exponent_) return a.exponent_ < b.exponent_ ? -1 : 1;
    int n = std::min(a.num_digits_, b.num_digits_);
    for (int i = 0; i < n; ++i) {
      int da = a.digit(i), db = b.digit(i);
      if (da != db) return da < db ? -1 : 1;
    }
    if (a.num_digits_ == b.num_digits_) return 0;
    return a.num_digits_ < b.num_digits_ ? -1 : 1;
  }

  static absl::StatusOr<Number> AddSigned(const Number& a, const Number& b,
                                          bool b_negative) {
    if (b.is_zero()) return a;
    if (a.is_zero()) {
      Number r = b;
      r.negative_ = b_negative;
      return r;
    }
    // Digit i of x has weight 10^(x.exponent_ - 1 - i).
    const int lo =
        std::min(a.exponent_ - a.num_digits_, b.exponent_ - b.num_digits_);
    const int hi = std::max<int>(a.exponent_, b.exponent_);  // carry slot
    const int width = hi - lo + 1;  // <= 126 + 129 + 38 + 1
    uint8_t buf[kMaxWidth] = {};
    int8_t acc[kMaxWidth] = {};
    assert(width <= kMaxWidth);
    const bool same_sign = a.negative_ == b_negative;
    const Number* big = &a;
    const Number* small = &b;
    bool result_negative = a.negative_;
    if (!same_sign && CompareMagnitude(a, b) < 0) {
      std::swap(big, small);
      result_negative = b_negative;
    }
    for (int i = 0; i < big->num_digits_; ++i) {
      acc[big->exponent_ - 1 - i - lo] += static_cast<int8_t>(big->digit(i));
    }
    const int sign = same_sign ? 1 : -1;
    for (int i = 0; i < small->num_digits_; ++i) {
      acc[small->exponent_ - 1 - i - lo] +=
          static_cast<int8_t>(sign * small->digit(i));
    }
    int carry = 0;
    for (int k = 0; k < width; ++k) {
      int v = acc[k] + carry;
      carry = 0;
      if (v >= 10) {
        v -= 10;
        carry = 1;
      } else if (v < 0) {
        v += 10;
        carry = -1;
      }
      // Most significant first in buf.
      buf[width - 1 - k] = static_cast<uint8_t>(v);
    }
    assert(carry == 0);
    return Build(result_negative, buf, width, hi + 1,
                 kArithmeticPrecisionMessage);
  }

  static constexpr int kMaxWidth = 330;
};

absl::StatusOr<Number> Number::Parse(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  // Significant digits are copied (at most kMaxDigits + 1 of them); zeros
  // after the last nonzero digit are only counted.
  uint8_t digits[kMaxDigits + 1];
  int count = 0;
  int64_t pending_zeros = 0;  // zeros after the last copied nonzero digit
  bool too_many = false;
  bool seen_nonzero = false;
  int64_t leading_zeros = 0;  // zeros before the first nonzero digit
  int64_t int_digits = 0;     // digits before the point
  bool any_digit = false;
  bool seen_point = false;
  for (; i < n; ++i) {
    char c = text[i];
    if (c == '.') {
      if (seen_point) return SyntaxError(text);
      seen_point = true;
      continue;
    }
    if (!IsDigit(c)) break;
    any_digit = true;
    if (!seen_point) ++int_digits;
    if (c == '0') {
      if (seen_nonzero) {
        ++pending_zeros;
      } else {
        ++leading_zeros;
      }
      continue;
    }
    seen_nonzero = true;
    if (count + pending_zeros + 1 > kMaxDigits) {
      too_many = true;
      pending_zeros = 0;
      continue;
    }
    for (; pending_zeros > 0; --pending_zeros) digits[count++] = 0;
    digits[count++] = static_cast<uint8_t>(c - '0');
  }
  if (!any_digit) return SyntaxError(text);
  int64_t exp10 = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i >= n || !IsDigit(text[i])) return SyntaxError(text);
    for (; i < n && IsDigit(text[i]); ++i) {
      // Saturate: any exponent this large overflows or underflows anyway.
      if (exp10 < 1'000'000'000) exp10 = exp10 * 10 + (text[i] - '0');
    }
    if (exp_negative) exp10 = -exp10;
  }
  if (i != n) return SyntaxError(text);
  if (!seen_nonzero) return Number();
  // value = 0.<all digits> * 10^int_digits; dropping the leading zeros moves
  // the point.
  int64_t exponent = int_digits - leading_zeros + exp10;
  if (exponent > kMaxExponent)
    return absl::InvalidArgumentError(kOverflowMessage);
  if (too_many) return absl::InvalidArgumentError(kPrecisionMessage);
  return NumberBuilder::Build(negative, digits, count, exponent,
                              kPrecisionMessage);
}

Number Number::FromUint64(uint64_t value) {
  uint8_t digits[20];
  int n = 0;
  while (value > 0) {
    digits[n++] = static_cast<uint8_t>(value % 10);
    value /= 10;
  }
  std::reverse(digits, digits + n);
  absl::StatusOr<Number> r =
      NumberBuilder::Build(false, digits, n, n, kPrecisionMessage);
  assert(r.ok());  // 20 digits, exponent <= 20: always in range
  return *r;
}

Number Number::FromInt64(int64_t value) {
  if (value >= 0) return FromUint64(static_cast<uint64_t>(value));
  // Negate in unsigned arithmetic so that INT64_MIN works.
  Number n = FromUint64(0 - static_cast<uint64_t>(value));
  n.negative_ = true;
  return n;
}

absl::StatusOr<Number> Number::FromDouble(double value) {
  if (!std::isfinite(value)) {
    return absl::InvalidArgumentError(
        "The parameter cannot be converted to a numeric value: a non-finite "
        "double (NaN or infinity)");
  }
  char buf[64];
  std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), value);
  if (r.ec != std::errc()) {
    return absl::InternalError("number: to_chars failed on a double");
  }
  return Parse(std::string_view(buf, r.ptr - buf));
}

namespace {

// The value of `n` if it is an integer below 10^18 in magnitude (so that a
// sum or difference of two fits an int64 exactly). Counters, the common
// case of arithmetic in updates, take this path instead of the digit-wise
// one.
bool SmallInteger(const Number& n, int64_t* out) {
  if (n.is_zero()) {
    *out = 0;
    return true;
  }
  const int digits = n.num_digits();
  const int exponent = n.exponent();
  if (exponent < digits || exponent > 18) return false;
  int64_t v = 0;
  for (int i = 0; i < digits; ++i) v = v * 10 + n.digit(i);
  for (int i = digits; i < exponent; ++i) v *= 10;
  *out = n.is_negative() ? -v : v;
  return true;
}

}  // namespace

absl::StatusOr<Number> Number::Add(const Number& a, const Number& b) {
  int64_t x;
  int64_t y;
  if (SmallInteger(a, &x) && SmallInteger(b, &y)) return FromInt64(x + y);
  return NumberBuilder::AddSigned(a, b, b.negative_);
}

absl::StatusOr<Number> Number::Subtract(const Number& a, const Number& b) {
  int64_t x;
  int64_t y;
  if (SmallInteger(a, &x) && SmallInteger(b, &y)) return FromInt64(x - y);
  return NumberBuilder::AddSigned(a, b, !b.negative_ && !b.is_zero());
}

Number Number::Negated() const {
  Number r = *this;
  if (!is_zero()) r.negative_ = !negative_;
  return r;
}

namespace {

// The length of the canonical text of a nonzero number of n digits and
// exponent e (0.d1d2...dn x 10^e).
int TextLengthOf(bool negative, int n, int e) {
  const int len = negative ? 1 : 0;
  if (e <= 0) return len + 2 - e + n;  // "0." zeros digits
  if (e < n) return len + n + 1;       // digits with a point
  return len + e;                      // digits then zeros
}

// Appends the canonical text of a nonzero number: its n digits digit(0..n-1)
// (0..9) and exponent e.
template <typename DigitFn>
void AppendText(bool negative, int n, int e, DigitFn digit, std::string* out) {
  const size_t start = out->size();
  out->resize(start + static_cast<size_t>(TextLengthOf(negative, n, e)));
  char* p = out->data() + start;
  if (negative) *p++ = '-';
  if (e <= 0) {
    *p++ = '0';
    *p++ = '.';
    for (int i = 0; i < -e; ++i) *p++ = '0';
    for (int i = 0; i < n; ++i) *p++ = static_cast<char>('0' + digit(i));
  } else if (e < n) {
    for (int i = 0; i < e; ++i) *p++ = static_cast<char>('0' + digit(i));
    *p++ = '.';
    for (int i = e; i < n; ++i) *p++ = static_cast<char>('0' + digit(i));
  } else {
    for (int i = 0; i < n; ++i) *p++ = static_cast<char>('0' + digit(i));
    for (int i = n; i < e; ++i) *p++ = '0';
  }
  assert(p == out->data() + out->size());
}

}  // namespace

int Number::TextLength() const {
  if (is_zero()) return 1;
  return TextLengthOf(negative_, num_digits_, exponent_);
}

int Number::CanonicalTextLength(bool negative, int num_digits, int exponent) {
  return TextLengthOf(negative, num_digits, exponent);
}

void Number::AppendTo(std::string* out) const {
  if (is_zero()) {
    out->push_back('0');
    return;
  }
  AppendText(
      negative_, num_digits_, exponent_, [this](int i) { return digit(i); },
      out);
}

std::string Number::ToString() const {
  std::string s;
  AppendTo(&s);
  return s;
}

int Number::Compare(const Number& other) const {
  const int sa = is_zero() ? 0 : (negative_ ? -1 : 1);
  const int sb = other.is_zero() ? 0 : (other.negative_ ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int m = NumberBuilder::CompareMagnitude(*this, other);
  return sa > 0 ? m : -m;
}

bool operator==(const Number& a, const Number& b) {
  return a.num_digits_ == b.num_digits_ && a.negative_ == b.negative_ &&
         a.exponent_ == b.exponent_ &&
         std::memcmp(a.digits_, b.digits_, sizeof(a.digits_)) == 0;
}

bool Number::ToInt64(int64_t* out) const {
  if (is_zero()) {
    *out = 0;
    return true;
  }
  if (exponent_ < num_digits_ || exponent_ > 19) return false;
  uint64_t v = 0;
  for (int i = 0; i < exponent_; ++i) {
    uint64_t d = i < num_digits_ ? digit(i) : 0;
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  const uint64_t limit =
      negative_ ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (v > limit) return false;
  *out = negative_ ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

double Number::ToDouble() const {
  std::string s = ToString();
  double d = 0;
  std::from_chars(s.data(), s.data() + s.size(), d);
  return d;
}

void Number::EncodeOrdered(std::string* dst) const {
  if (is_zero()) {
    dst->push_back(0x02);
    return;
  }
  char buf[kMaxOrderedLength];
  int len = 0;
  const int biased = exponent_ - kMinExponent;  // 0..255
  buf[len++] = negative_ ? 0x01 : 0x03;
  buf[len++] = static_cast<char>(negative_ ? 255 - biased : biased);
  const int n = num_digits_;
  const int terminator = negative_ ? 0xF : 0x0;
  auto nibble = [&](int i) {
    if (i >= n) return terminator;
    return negative_ ? 10 - digit(i) : digit(i) + 1;
  };
  // n digits plus a terminator nibble, padded to whole bytes.
  for (int i = 0; i <= n; i += 2) {
    buf[len++] = static_cast<char>((nibble(i) << 4) | nibble(i + 1));
  }
  dst->append(buf, len);
}

bool Number::DecodeOrdered(std::string_view* input, Number* out) {
  if (input->empty()) return false;
  const uint8_t cls = static_cast<uint8_t>((*input)[0]);
  if (cls == 0x02) {
    *out = Number();
    input->remove_prefix(1);
    return true;
  }
  if ((cls != 0x01 && cls != 0x03) || input->size() < 3) return false;
  const bool negative = cls == 0x01;
  const int b = static_cast<uint8_t>((*input)[1]);
  Number r;
  r.negative_ = negative;
  r.exponent_ = static_cast<int16_t>((negative ? 255 - b : b) + kMinExponent);
  if (r.exponent_ > kMaxExponent) return false;
  const int terminator = negative ? 0xF : 0x0;
  size_t pos = 2;
  int n = 0;
  for (;;) {
    if (pos >= input->size()) return false;
    const uint8_t byte = static_cast<uint8_t>((*input)[pos++]);
    const int nibbles[2] = {byte >> 4, byte & 0x0F};
    bool done = false;
    for (int k = 0; k < 2; ++k) {
      const int v = nibbles[k];
      if (done) {
        if (v != terminator) return false;  // padding must repeat it
        continue;
      }
      if (v == terminator) {
        done = true;
        continue;
      }
      if (v < 1 || v > 10 || n >= kMaxDigits) return false;
      NumberBuilder::SetDigit(&r, n++, negative ? 10 - v : v - 1);
    }
    if (done) break;
  }
  // Normalised: at least one digit, no leading or trailing zero.
  if (n == 0 || r.digit(0) == 0 || r.digit(n - 1) == 0) return false;
  r.num_digits_ = static_cast<uint8_t>(n);
  *out = r;
  input->remove_prefix(pos);
  return true;
}

bool Number::DecodeOrderedAsText(std::string_view* input, std::string* text,
                                 int* num_digits) {
  // The same format and checks as DecodeOrdered, digits kept one per byte.
  if (input->empty()) return false;
  const uint8_t cls = static_cast<uint8_t>((*input)[0]);
  if (cls == 0x02) {
    text->push_back('0');
    *num_digits = 0;
    input->remove_prefix(1);
    return true;
  }
  if ((cls != 0x01 && cls != 0x03) || input->size() < 3) return false;
  const bool negative = cls == 0x01;
  const int b = static_cast<uint8_t>((*input)[1]);
  const int exponent = (negative ? 255 - b : b) + kMinExponent;
  if (exponent > kMaxExponent) return false;
  const int terminator = negative ? 0xF : 0x0;
  uint8_t digits[kMaxDigits];
  int n = 0;
  // A digit nibble v is d + 1 (positive) or 10 - d (negative), in 1..10.
  auto add = [&](int v) {
    if (v < 1 || v > 10 || n >= kMaxDigits) return false;
    digits[n++] = static_cast<uint8_t>(negative ? 10 - v : v - 1);
    return true;
  };
  size_t pos = 2;
  for (;;) {
    if (pos >= input->size()) return false;
    const uint8_t byte = static_cast<uint8_t>((*input)[pos++]);
    const int high = byte >> 4;
    const int low = byte & 0x0F;
    if (high == terminator) {
      if (low != terminator) return false;  // padding must repeat it
      break;
    }
    if (!add(high)) return false;
    if (low == terminator) break;
    if (!add(low)) return false;
  }
  // Normalised: at least one digit, no leading or trailing zero.
  if (n == 0 || digits[0] == 0 || digits[n - 1] == 0) return false;
  AppendText(
      negative, n, exponent, [&digits](int i) { return digits[i]; }, text);
  *num_digits = n;
  input->remove_prefix(pos);
  return true;
}

}  // namespace kstone::core
