#include "kstone/item.h"

#include <string>
#include <utility>

namespace kstone {

Item::Item(ValueMap attributes) : attributes_(std::move(attributes)) {
  NormalizeMap(&attributes_);
}

const Value* Item::Get(std::string_view name) const {
  return FindInMap(attributes_, name);
}

Value* Item::GetMutable(std::string_view name) {
  return FindInMap(&attributes_, name);
}

Item& Item::Set(std::string_view name, Value value) {
  SetInMap(&attributes_, name, std::move(value));
  return *this;
}

bool Item::Remove(std::string_view name) {
  return RemoveFromMap(&attributes_, name);
}

ItemBuilder& ItemBuilder::Set(std::string_view name, Value value) {
  // Builders usually add names in order; append without searching then.
  if (attributes_.empty() || attributes_.back().first < name) {
    attributes_.emplace_back(std::string(name), std::move(value));
  } else {
    SetInMap(&attributes_, name, std::move(value));
  }
  return *this;
}

ItemBuilder& ItemBuilder::String(std::string_view name, std::string_view s) {
  return Set(name, Value::String(s));
}

ItemBuilder& ItemBuilder::Number(std::string_view name,
                                 std::string_view decimal) {
  return Set(name, Value::Number(decimal));
}

ItemBuilder& ItemBuilder::Binary(std::string_view name,
                                 std::string_view bytes) {
  return Set(name, Value::Binary(bytes));
}

ItemBuilder& ItemBuilder::Binary(std::string_view name,
                                 std::span<const uint8_t> bytes) {
  return Set(name, Value::Binary(bytes));
}

ItemBuilder& ItemBuilder::Bool(std::string_view name, bool b) {
  return Set(name, Value::Bool(b));
}

ItemBuilder& ItemBuilder::Null(std::string_view name) {
  return Set(name, Value::Null());
}

ItemBuilder& ItemBuilder::List(std::string_view name,
                               std::vector<Value> elements) {
  return Set(name, Value::List(std::move(elements)));
}

ItemBuilder& ItemBuilder::Map(std::string_view name, Item attributes) {
  return Set(name, Value::Map(std::move(attributes).attributes()));
}

ItemBuilder& ItemBuilder::Map(std::string_view name, ValueMap attributes) {
  return Set(name, Value::Map(std::move(attributes)));
}

ItemBuilder& ItemBuilder::StringSet(std::string_view name,
                                    std::vector<std::string> elements) {
  return Set(name, Value::StringSet(std::move(elements)));
}

ItemBuilder& ItemBuilder::NumberSet(std::string_view name,
                                    std::vector<std::string> elements) {
  return Set(name, Value::NumberSet(std::move(elements)));
}

ItemBuilder& ItemBuilder::BinarySet(std::string_view name,
                                    std::vector<std::string> elements) {
  return Set(name, Value::BinarySet(std::move(elements)));
}

Item ItemBuilder::Build() {
  Item item(std::move(attributes_));
  attributes_ = ValueMap();
  return item;
}

}  // namespace kstone
