// The JSON members of Value and Item (kstone/value.h, kstone/item.h), on top
// of core's JSON (core/types/json.h, core/types/value_json.h): public values
// are converted to core values and back at this boundary
// (api/value_internal.h), so there is one parser, one printer and one set of
// DynamoDB JSON rules.
//
// Parsing applies the JSON parser's structural nesting cap
// (core::kDefaultJsonMaxDepth); DynamoDB's 32 levels are checked when an
// item is written (VALIDATION naming the attribute), like every other
// DynamoDB rule. Repeated member names are rejected.

#include <string>
#include <utility>

#include "api/value_internal.h"
#include "core/types/value_json.h"
#include "kstone/item.h"
#include "kstone/value.h"

namespace kstone {

std::string Value::ToJson(JsonStyle style) const {
  return core::ValueToJson(ValueInternal::ToCoreForPrinting(*this),
                           style == JsonStyle::kPretty);
}

absl::StatusOr<Value> Value::FromJson(std::string_view json) {
  absl::StatusOr<core::Value> v = core::ValueFromJson(json);
  if (!v.ok()) return v.status();
  return ValueInternal::FromCore(*std::move(v));
}

std::string Value::ToDynamoJson() const {
  return core::ValueToDynamoJson(ValueInternal::ToCoreForPrinting(*this));
}

absl::StatusOr<Value> Value::FromDynamoJson(std::string_view json) {
  absl::StatusOr<core::Value> v = core::ValueFromDynamoJson(json);
  if (!v.ok()) return v.status();
  return ValueInternal::FromCore(*std::move(v));
}

std::string Item::ToJson(JsonStyle style) const {
  return core::ItemToJson(ItemToCoreForPrinting(*this),
                          style == JsonStyle::kPretty);
}

absl::StatusOr<Item> Item::FromJson(std::string_view json) {
  absl::StatusOr<core::Item> item = core::ItemFromJson(json);
  if (!item.ok()) return item.status();
  return ItemFromCore(*std::move(item));
}

std::string Item::ToDynamoJson() const {
  return core::ItemToDynamoJson(ItemToCoreForPrinting(*this));
}

absl::StatusOr<Item> Item::FromDynamoJson(std::string_view json) {
  absl::StatusOr<core::Item> item = core::ItemFromDynamoJson(json);
  if (!item.ok()) return item.status();
  return ItemFromCore(*std::move(item));
}

}  // namespace kstone
