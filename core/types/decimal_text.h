#ifndef KSTONE_CORE_TYPES_DECIMAL_TEXT_H_
#define KSTONE_CORE_TYPES_DECIMAL_TEXT_H_

// EncodeDecimalTextOrdered: Number::EncodeOrdered's bytes straight from a
// number's text, for the texts most numbers are written in (plain
// decimals: "42", "-0.5", "19.99", "1764200000123"), without building a
// Number. The item encoder writes number attributes with it and leaves
// every other text to Number::Parse.
//
// The bytes are a function of the significant digits, the sign and the
// decimal exponent (docs/formats/item.md "Numbers"), all of which a plain
// decimal shows directly: no arithmetic, one pass over the text.
//
// Thread-safety: a pure function.

#include <cstddef>
#include <string_view>

namespace kstone::core {

// If `text` is a plain decimal (an optional '-', one or more digits, and
// optionally a '.' followed by one or more digits) whose value Number can
// hold (at most Number::kMaxDigits significant digits, its exponent in
// range), writes its Number::EncodeOrdered bytes to `buf` (room for
// Number::kMaxOrderedLength bytes), sets *num_digits to its significant
// digits (Number::num_digits; 0 for zero) and returns the byte count.
// Otherwise returns 0 and writes nothing: a '+', an exponent, a point
// without a digit on each side, too many digits, a value out of range, not
// a number at all; Number::Parse decides those (and reports the errors).
// Every text this encodes Number::Parse reads as the same value.
size_t EncodeDecimalTextOrdered(std::string_view text, char* buf,
                                int* num_digits);

// Number::TextLength of the number whose bytes EncodeDecimalTextOrdered
// wrote (`ordered`, with the `num_digits` it gave): DynamoDB's size of the
// number as a key value.
int OrderedNumberTextLength(std::string_view ordered, int num_digits);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_DECIMAL_TEXT_H_
