#ifndef KSTONE_CORE_EXPR_VALUE_FUNCTIONS_H_
#define KSTONE_CORE_EXPR_VALUE_FUNCTIONS_H_

// The value semantics of condition expressions, as DynamoDB's: ordering of
// N (numeric, exact), S (UTF-8 bytes, unsigned) and B (unsigned bytes);
// size(); begins_with(); contains().
//
// Thread-safety: stateless; safe for concurrent use.

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "core/types/value.h"

namespace kstone::core::expr {

// N, S and B are ordered; other types are not.
bool IsOrderable(ValueType type);

// <0, 0, >0. REQUIRES: a and b have the same orderable type.
int CompareOrdered(const Value& a, const Value& b);

// Length of UTF-8 text in UTF-16 code units (a character outside the BMP
// counts 2).
int64_t Utf16Length(absl::string_view utf8);

// size(v): S its UTF-16 length, B its byte count, sets, L and M their
// element count; nullopt for N, BOOL and NULL.
std::optional<int64_t> SizeOf(const Value& value);

// begins_with(a, b): S prefix of S, or B prefix of B; false otherwise.
bool BeginsWith(const Value& a, const Value& b);

// contains(a, b): substring for S in S and B in B; membership for a set (b
// of the element type) or a list (any b, by equality); false otherwise
// (maps never match).
bool Contains(const Value& a, const Value& b);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_VALUE_FUNCTIONS_H_
