#ifndef KSTONE_CORE_TYPES_VALIDATION_H_
#define KSTONE_CORE_TYPES_VALIDATION_H_

// DynamoDB's limits on items and values, checked before anything is written.
//
// Every violation is InvalidArgument with DynamoDB's wording where it has
// one, and the attribute (a document path such as "a.b[2]") named in the
// message.
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "core/types/item.h"
#include "core/types/key.h"
#include "core/types/value.h"

namespace kstone::core {

inline constexpr size_t kMaxItemBytes = 409600;  // 400 KB
inline constexpr size_t kMaxAttributeNameBytes = 65535;

// Checks one value and everything nested in it: S values, set elements and
// map names valid UTF-8; map names 1..65535 bytes; sets non-empty and
// without duplicates (NS by numeric value); L/M nesting at most
// kMaxNestingDepth, counting this value as depth 1 if it is an L or M.
// path names the value in messages.
absl::Status ValidateValue(const Value& value, std::string_view path);

// Checks a whole item: the key attributes of schema are present with the
// declared type and valid (ExtractKey), every attribute name is valid UTF-8
// of 1..65535 bytes, every value passes ValidateValue(), and the item's
// DynamoDB size (Item::DynamoSize) is at most 409,600 bytes.
absl::Status ValidateItem(const Item& item, const KeySchema& schema);

// The same without key checks (e.g. for an item whose key is given apart).
absl::Status ValidateItemAttributes(const Item& item);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_VALIDATION_H_
