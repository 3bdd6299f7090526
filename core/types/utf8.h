#ifndef KSTONE_CORE_TYPES_UTF8_H_
#define KSTONE_CORE_TYPES_UTF8_H_

// UTF-8 checks for S values and attribute names.
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <cstddef>
#include <string_view>

namespace kstone::core {

// True if s is well-formed UTF-8 (RFC 3629): no overlong forms, no
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF. NUL is allowed.
bool IsValidUtf8(std::string_view s);

// Offset of the first byte that makes s invalid UTF-8, or s.size() if valid.
size_t FirstInvalidUtf8Offset(std::string_view s);

// Length of s in UTF-16 code units (DynamoDB's size() of an S value).
// REQUIRES: IsValidUtf8(s).
size_t Utf16Length(std::string_view s);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_UTF8_H_
