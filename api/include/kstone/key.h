#ifndef KSTONE_KEY_H_
#define KSTONE_KEY_H_

// Key: the primary key of an item, a partition key and an optional sort key.
//
// Each part is an S, N or B value; which type a table expects is fixed by its
// TableSchema, and a key of the wrong type is rejected (VALIDATION) by every
// operation. String constructors make S parts.
//
// Example:
//
//   kstone::Key k1("user#1");               // partition key only
//   kstone::Key k2("user#1", "post#0001");  // partition and sort key
//   kstone::Key k3(kstone::Value::Number(42), kstone::Value::Binary(bytes));
//
// Thread safety: const methods are safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "kstone/value.h"

namespace kstone {

class Key {
 public:
  explicit Key(std::string_view partition_key)
      : pk_(Value::String(partition_key)) {}
  Key(std::string_view partition_key, std::string_view sort_key)
      : pk_(Value::String(partition_key)), sk_(Value::String(sort_key)) {}
  explicit Key(Value partition_key) : pk_(std::move(partition_key)) {}
  Key(Value partition_key, Value sort_key)
      : pk_(std::move(partition_key)), sk_(std::move(sort_key)) {}
  Key(Value partition_key, std::optional<Value> sort_key)
      : pk_(std::move(partition_key)), sk_(std::move(sort_key)) {}

  const Value& partition_key() const { return pk_; }
  bool has_sort_key() const { return sk_.has_value(); }
  // REQUIRES: has_sort_key().
  const Value& sort_key() const { return *sk_; }
  const std::optional<Value>& optional_sort_key() const { return sk_; }

  // For messages: pk=<json> or pk=<json>, sk=<json>.
  std::string ToString() const;

  friend bool operator==(const Key& a, const Key& b) {
    return a.pk_ == b.pk_ && a.sk_ == b.sk_;
  }
  friend bool operator!=(const Key& a, const Key& b) { return !(a == b); }

 private:
  Value pk_;
  std::optional<Value> sk_;
};

}  // namespace kstone

#endif  // KSTONE_KEY_H_
