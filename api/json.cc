// The JSON members of Value and Item (kstone/value.h, kstone/item.h).

#include <string>

#include "api/json_reader.h"
#include "api/json_writer.h"
#include "kstone/item.h"
#include "kstone/value.h"

namespace kstone {

std::string Value::ToJson(JsonStyle style) const {
  std::string out;
  AppendJson(*this, style, &out);
  return out;
}

absl::StatusOr<Value> Value::FromJson(std::string_view json) {
  return ParseJsonValue(json);
}

std::string Value::ToDynamoJson() const {
  std::string out;
  AppendDynamoJson(*this, &out);
  return out;
}

absl::StatusOr<Value> Value::FromDynamoJson(std::string_view json) {
  return ParseDynamoJsonValue(json);
}

std::string Item::ToJson(JsonStyle style) const {
  std::string out;
  AppendJson(attributes_, style, &out);
  return out;
}

absl::StatusOr<Item> Item::FromJson(std::string_view json) {
  return ParseJsonItem(json);
}

std::string Item::ToDynamoJson() const {
  std::string out;
  AppendDynamoJson(attributes_, &out);
  return out;
}

absl::StatusOr<Item> Item::FromDynamoJson(std::string_view json) {
  return ParseDynamoJsonItem(json);
}

}  // namespace kstone
