#ifndef KSTONE_CORE_TYPES_KEY_H_
#define KSTONE_CORE_TYPES_KEY_H_

// Key: the primary key of an item, a partition value and an optional sort
// value, each S, N or B; and KeySchema, the names and types of the table's key
// attributes.
//
// A Key may hold any Value; ValidateKey() checks it against DynamoDB's rules
// (type S/N/B, S/B non-empty, partition <= 2048 bytes, sort <= 1024 bytes)
// and the key codec (key_codec.h) refuses invalid keys.
//
// Thread-safety: value types; const methods are safe for concurrent use.
//
// Example:
//   Key key(Value::String("user#1"), Value::String("post#0001"));
//   KeySchema schema{{"pk", ValueType::kString}, {{"sk", ValueType::kString}}};
//   absl::StatusOr<Key> k = ExtractKey(item, schema);

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/types/item.h"
#include "core/types/value.h"

namespace kstone::core {

inline constexpr size_t kMaxPartitionKeyBytes = 2048;
inline constexpr size_t kMaxSortKeyBytes = 1024;

class Key {
 public:
  Key() = default;
  explicit Key(Value partition) : partition_(std::move(partition)) {}
  Key(Value partition, Value sort)
      : partition_(std::move(partition)), sort_(std::move(sort)) {}

  const Value& partition() const { return partition_; }
  bool has_sort() const { return sort_.has_value(); }
  // REQUIRES: has_sort().
  const Value& sort() const { return *sort_; }
  // nullptr if there is no sort value.
  const Value* sort_or_null() const { return sort_ ? &*sort_ : nullptr; }

  friend bool operator==(const Key& a, const Key& b) {
    return a.partition_ == b.partition_ && a.sort_ == b.sort_;
  }
  friend bool operator!=(const Key& a, const Key& b) { return !(a == b); }

  std::string DebugString() const;

 private:
  Value partition_;
  std::optional<Value> sort_;
};

// One key attribute of a table: its name and its type (kString, kNumber or
// kBinary).
struct KeyAttribute {
  std::string name;
  ValueType type = ValueType::kString;
};

struct KeySchema {
  KeyAttribute partition{"pk", ValueType::kString};
  std::optional<KeyAttribute> sort;
};

// A key value by reference, for checking and encoding a key without
// building a Value: an S or B value's bytes, or an N value's number (which
// must outlive the reference) or, with `number` null, its
// Number::EncodeOrdered bytes and the length of its canonical text. Any
// other type is kept only to be rejected.
struct KeyValueRef {
  ValueType type = ValueType::kNull;
  std::string_view bytes;          // S, B
  const Number* number = nullptr;  // N
  std::string_view ordered;        // N without `number`
  int ordered_text_length = 0;     // N without `number`: KeyValueSize

  static KeyValueRef Of(const Value& value);
};

// Size of a key value as DynamoDB counts it: S UTF-8 bytes, B raw bytes, N
// the length of its canonical decimal text.
size_t KeyValueSize(const Value& value);
size_t KeyValueSize(const KeyValueRef& value);

// Checks one key value. attribute_name is used in messages only. Errors
// (InvalidArgument): not S/N/B; empty S ("...cannot contain an empty string
// value. Key: <name>") or B ("...empty binary value..."); partition larger
// than 2048 bytes, sort larger than 1024 bytes.
absl::Status ValidateKeyValue(const Value& value,
                              std::string_view attribute_name,
                              bool is_partition);
absl::Status ValidateKeyValue(const KeyValueRef& value,
                              std::string_view attribute_name,
                              bool is_partition);

// Checks a key against a schema: a sort value iff the schema has a sort key,
// types as declared ("The provided key element does not match the schema"),
// and ValidateKeyValue() on each part.
absl::Status ValidateKey(const Key& key, const KeySchema& schema);

// The key of an item under a schema: its key attributes, present with the
// declared types and valid. InvalidArgument otherwise, naming the attribute
// ("One or more parameter values were invalid: Missing the key pk in the
// item", "... Type mismatch for key pk expected: S actual: N").
absl::StatusOr<Key> ExtractKey(const Item& item, const KeySchema& schema);

void PrintTo(const Key& key, std::ostream* os);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_KEY_H_
