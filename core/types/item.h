#ifndef KSTONE_CORE_TYPES_ITEM_H_
#define KSTONE_CORE_TYPES_ITEM_H_

// Item: a DynamoDB item, attribute name -> Value.
//
// Items are small, so the attributes are a vector of (name, value) kept
// sorted by name (binary search, no per-node allocation, cache-friendly
// iteration in name order). The representation is the same ValueMap that M
// values use, so an Item converts to and from an M value by moving.
//
// Thread-safety: a value type; const methods are safe for concurrent use.
//
// Example:
//   Item item;
//   item.Set("name", Value::String("Alice"));
//   if (const Value* v = item.Get("name")) { ... }
//   for (const auto& [name, value] : item) { ... }   // in name order

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "core/types/value.h"

namespace kstone::core {

class Item {
 public:
  using const_iterator = ValueMap::const_iterator;

  Item() = default;
  // Sorts by name; for repeated names the last one wins.
  explicit Item(ValueMap attributes);

  // nullptr if the attribute is absent. The pointer is valid until the item
  // is next modified.
  const Value* Get(std::string_view name) const {
    return FindInMap(attrs_, name);
  }
  Value* GetMutable(std::string_view name) { return FindInMap(&attrs_, name); }
  bool Has(std::string_view name) const { return Get(name) != nullptr; }
  // Inserts or replaces.
  void Set(std::string name, Value value) {
    SetInMap(&attrs_, std::move(name), std::move(value));
  }
  // Returns true if the attribute was present.
  bool Remove(std::string_view name) { return RemoveFromMap(&attrs_, name); }
  void Clear() { attrs_.clear(); }
  void Reserve(size_t n) { attrs_.reserve(n); }

  size_t size() const { return attrs_.size(); }
  bool empty() const { return attrs_.empty(); }
  const_iterator begin() const { return attrs_.begin(); }
  const_iterator end() const { return attrs_.end(); }

  // The sorted attributes.
  const ValueMap& attributes() const { return attrs_; }
  // Moves the attributes out (e.g. into Value::Map); the item becomes empty.
  ValueMap ReleaseAttributes() { return std::move(attrs_); }
  // An item from attributes already sorted by name with unique names (as
  // decoders produce them), without re-checking. REQUIRES: sorted, unique.
  static Item FromSortedAttributes(ValueMap attributes);
  // Appends an attribute whose name sorts after every present name, without
  // a search (decoders). REQUIRES: empty() || name > last name.
  void AppendSorted(std::string name, Value value);

  // DynamoDB item size: the sum of name bytes plus Value::DynamoSize().
  size_t DynamoSize() const;

  friend bool operator==(const Item& a, const Item& b) {
    return a.attrs_ == b.attrs_;
  }
  friend bool operator!=(const Item& a, const Item& b) { return !(a == b); }

  std::string DebugString() const;

 private:
  ValueMap attrs_;
};

void PrintTo(const Item& item, std::ostream* os);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_ITEM_H_
