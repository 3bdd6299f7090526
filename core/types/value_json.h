#ifndef KSTONE_CORE_TYPES_VALUE_JSON_H_
#define KSTONE_CORE_TYPES_VALUE_JSON_H_

// Conversions between Values/Items and JSON text, in two dialects.
//
// Plain JSON (what users type and read):
//   S -> string, N -> number with the exact canonical decimal text, BOOL,
//   NULL -> null, L -> array, M -> object, B -> base64 string, SS/NS/BS ->
//   arrays (of strings, numbers, base64 strings).
//   Back: string -> S, number -> N (validated: 38 digits, range), true/false
//   -> BOOL, null -> NULL, array -> L, object -> M (the text parsers reject
//   a repeated member name; in a JsonValue built by hand the last wins). Plain
//   JSON cannot express B or sets, so they come back as S/L.
//
// DynamoDB JSON (the wire format): every value is an object with exactly one
// member naming its type: {"S":"x"}, {"N":"1"}, {"B":"<base64>"},
// {"BOOL":true}, {"NULL":true}, {"L":[...]}, {"M":{...}}, {"SS":[...]},
// {"NS":["1"]}, {"BS":["<base64>"]}. Errors use DynamoDB's messages (empty
// or multi-typed AttributeValue, N given as a JSON number, NULL false).
//
// All errors are InvalidArgument and name the attribute path ("a.b[2]").
// Empty and duplicate sets are converted as given; ValidateItem() rejects
// them.
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/types/item.h"
#include "core/types/json.h"
#include "core/types/value.h"

namespace kstone::core {

// Plain JSON.
absl::StatusOr<Value> ValueFromPlainJson(const JsonValue& json);
JsonValue ValueToPlainJson(const Value& value);
absl::StatusOr<Value> ValueFromJson(std::string_view text);
std::string ValueToJson(const Value& value, bool pretty = false);
void AppendValueJson(const Value& value, std::string* out);
// InvalidArgument "item must be a JSON object" for anything but an object.
absl::StatusOr<Item> ItemFromPlainJson(const JsonValue& json);
absl::StatusOr<Item> ItemFromJson(std::string_view text);
std::string ItemToJson(const Item& item, bool pretty = false);

// DynamoDB JSON.
absl::StatusOr<Value> ValueFromDynamoJson(const JsonValue& json);
JsonValue ValueToDynamoJsonValue(const Value& value);
absl::StatusOr<Value> ValueFromDynamoJson(std::string_view text);
std::string ValueToDynamoJson(const Value& value, bool pretty = false);
// An item is an object of name -> AttributeValue:
// {"pk": {"S": "a"}, "n": {"N": "1"}}.
absl::StatusOr<Item> ItemFromDynamoJson(const JsonValue& json);
absl::StatusOr<Item> ItemFromDynamoJson(std::string_view text);
std::string ItemToDynamoJson(const Item& item, bool pretty = false);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_VALUE_JSON_H_
