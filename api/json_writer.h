#ifndef KSTONE_API_JSON_WRITER_H_
#define KSTONE_API_JSON_WRITER_H_

// Writes public Values and Items as plain JSON (compact or pretty) and as
// DynamoDB JSON. Output is deterministic: map and item members in name
// order, numbers as their exact decimal text, binary as standard base64.
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <string>

#include "kstone/item.h"
#include "kstone/value.h"

namespace kstone {

void AppendJson(const Value& value, JsonStyle style, std::string* out);
void AppendJson(const ValueMap& members, JsonStyle style, std::string* out);
void AppendDynamoJson(const Value& value, std::string* out);
void AppendDynamoJson(const ValueMap& members, std::string* out);

}  // namespace kstone

#endif  // KSTONE_API_JSON_WRITER_H_
