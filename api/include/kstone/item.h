#ifndef KSTONE_ITEM_H_
#define KSTONE_ITEM_H_

// Item: one record of the table, a map of attribute name -> Value.
//
// Items returned by a Database carry their key attributes (by default "pk"
// and "sk"; see TableSchema). Iteration visits attributes ordered by name.
// ItemBuilder assembles an item fluently.
//
// Example:
//
//   kstone::Item item = kstone::ItemBuilder()
//                           .String("pk", "user#1")
//                           .String("name", "Alice")
//                           .Number("age", 30)
//                           .StringSet("roles", {"admin", "dev"})
//                           .Build();
//   if (const kstone::Value* age = item.Get("age")) { ... }
//   item.ToJson();  // {"age":30,"name":"Alice","pk":"user#1",...}
//
// Thread safety: const methods are safe for concurrent use; mutation needs
// external synchronisation.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "kstone/value.h"

namespace kstone {

class Item {
 public:
  using const_iterator = ValueMap::const_iterator;

  Item() = default;
  // Sorts by name; for repeated names the last one wins.
  explicit Item(ValueMap attributes);

  // The attribute `name`, or nullptr if the item has none. The pointer is
  // valid until the item is changed or destroyed.
  const Value* Get(std::string_view name) const;
  Value* GetMutable(std::string_view name);
  bool Has(std::string_view name) const { return Get(name) != nullptr; }

  // Sets (adds or replaces) attribute `name`.
  Item& Set(std::string_view name, Value value);
  // Removes attribute `name`; returns whether it was there.
  bool Remove(std::string_view name);

  size_t size() const { return attributes_.size(); }
  bool empty() const { return attributes_.empty(); }
  const_iterator begin() const { return attributes_.begin(); }
  const_iterator end() const { return attributes_.end(); }

  const ValueMap& attributes() const& { return attributes_; }
  ValueMap&& attributes() && { return std::move(attributes_); }
  // REQUIRES: the caller keeps the map sorted with unique names.
  ValueMap& mutable_attributes() { return attributes_; }

  // Plain JSON object, attribute names sorted (see Value::ToJson).
  std::string ToJson(JsonStyle style = JsonStyle::kCompact) const;
  // Parses a plain JSON object. VALIDATION if the text is not JSON, is not
  // an object ("item must be a JSON object"), or holds an invalid value.
  static absl::StatusOr<Item> FromJson(std::string_view json);
  // DynamoDB JSON object: {"pk":{"S":"user#1"},"age":{"N":"30"}}.
  std::string ToDynamoJson() const;
  static absl::StatusOr<Item> FromDynamoJson(std::string_view json);

  friend bool operator==(const Item& a, const Item& b) {
    return a.attributes_ == b.attributes_;
  }
  friend bool operator!=(const Item& a, const Item& b) { return !(a == b); }

 private:
  ValueMap attributes_;
};

// Builds an Item. Each call sets one attribute (a later call with the same
// name replaces the earlier value). Not thread-safe.
class ItemBuilder {
 public:
  ItemBuilder() = default;

  ItemBuilder& String(std::string_view name, std::string_view s);
  // Decimal text, or any C++ integer, or a double (see Value::Number).
  ItemBuilder& Number(std::string_view name, std::string_view decimal);
  ItemBuilder& Number(std::string_view name, const char* decimal) {
    return Number(name, std::string_view(decimal));
  }
  template <typename T,
            std::enable_if_t<
                std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  ItemBuilder& Number(std::string_view name, T n) {
    return Set(name, Value::Number(n));
  }
  ItemBuilder& Binary(std::string_view name, std::string_view bytes);
  ItemBuilder& Binary(std::string_view name, std::span<const uint8_t> bytes);
  ItemBuilder& Bool(std::string_view name, bool b);
  ItemBuilder& Null(std::string_view name);
  ItemBuilder& List(std::string_view name, std::vector<Value> elements);
  ItemBuilder& Map(std::string_view name, Item attributes);
  ItemBuilder& Map(std::string_view name, ValueMap attributes);
  ItemBuilder& StringSet(std::string_view name,
                         std::vector<std::string> elements);
  ItemBuilder& NumberSet(std::string_view name,
                         std::vector<std::string> elements);
  ItemBuilder& BinarySet(std::string_view name,
                         std::vector<std::string> elements);
  ItemBuilder& Set(std::string_view name, Value value);

  // The item built so far (the builder is left empty).
  Item Build();

 private:
  ValueMap attributes_;
};

}  // namespace kstone

#endif  // KSTONE_ITEM_H_
