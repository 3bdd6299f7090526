#include "core/types/item.h"

#include <cassert>
#include <ostream>

namespace kstone::core {

Item::Item(ValueMap attributes) : attrs_(std::move(attributes)) {
  NormalizeMap(&attrs_);
}

Item Item::FromSortedAttributes(ValueMap attributes) {
  Item item;
  item.attrs_ = std::move(attributes);
#ifndef NDEBUG
  for (size_t i = 1; i < item.attrs_.size(); ++i) {
    assert(item.attrs_[i - 1].first < item.attrs_[i].first);
  }
#endif
  return item;
}

void Item::AppendSorted(std::string name, Value value) {
  assert(attrs_.empty() || attrs_.back().first < name);
  attrs_.emplace_back(std::move(name), std::move(value));
}

size_t Item::DynamoSize() const {
  size_t size = 0;
  for (const auto& [name, value] : attrs_) {
    size += name.size() + value.DynamoSize();
  }
  return size;
}

std::string Item::DebugString() const {
  // An item prints as the M value it would be, without the {"M": ...}.
  std::string s = Value::Map(attrs_).DebugString();
  constexpr std::string_view kPrefix = "{\"M\":";
  return s.substr(kPrefix.size(), s.size() - kPrefix.size() - 1);
}

void PrintTo(const Item& item, std::ostream* os) { *os << item.DebugString(); }

}  // namespace kstone::core
