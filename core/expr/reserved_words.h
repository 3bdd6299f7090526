#ifndef KSTONE_CORE_EXPR_RESERVED_WORDS_H_
#define KSTONE_CORE_EXPR_RESERVED_WORDS_H_

// DynamoDB's reserved words (developer guide, "Reserved words in DynamoDB",
// 573 words). An inline attribute name in an expression that is one of them,
// in any letter case, is rejected; the user must write a #name placeholder.
//
// Thread-safety: stateless; safe for concurrent use.

#include <cstddef>

#include "absl/strings/string_view.h"

namespace kstone::core::expr {

// True if `word` is reserved (case-insensitive).
bool IsReservedWord(absl::string_view word);

// Number of reserved words (573); for tests.
size_t ReservedWordCount();

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_RESERVED_WORDS_H_
