#ifndef KSTONE_API_JSON_READER_H_
#define KSTONE_API_JSON_READER_H_

// Reads plain JSON (RFC 8259, strict) into public Values, and DynamoDB JSON
// on top of it. Errors are InvalidArgument with line:column for syntax and
// the attribute path for DynamoDB JSON shape errors.
//
// Plain JSON: string -> S, number -> N (exact text, validated as a DynamoDB
// number), true/false -> BOOL, null -> NULL, array -> L, object -> M.
// Strings must be valid UTF-8 (escapes included: no lone surrogates);
// object member names must be unique; containers nest at most 32 deep.
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <string_view>

#include "absl/status/statusor.h"
#include "kstone/item.h"
#include "kstone/value.h"

namespace kstone {

absl::StatusOr<Value> ParseJsonValue(std::string_view json);
// An item: the text must be a JSON object.
absl::StatusOr<Item> ParseJsonItem(std::string_view json);

absl::StatusOr<Value> ParseDynamoJsonValue(std::string_view json);
absl::StatusOr<Item> ParseDynamoJsonItem(std::string_view json);

}  // namespace kstone

#endif  // KSTONE_API_JSON_READER_H_
