#ifndef KSTONE_SCHEMA_H_
#define KSTONE_SCHEMA_H_

// TableSchema: the key attributes of a database's table.
//
// A database holds one table. Its schema names the partition key attribute
// and the sort key attribute and fixes their types (S, N or B). The schema is
// stored with the database and comes back from disk on Open.
//
// The default schema is partition key "pk" and sort key "sk", both strings.
// As in the original KeystoneDB the sort key is optional per item: an item
// may have only a partition key (it sorts before every sort key of its
// partition). WithoutSortKey() makes a table whose keys never have one
// (DynamoDB's "HASH only" table); a key with a sort key is then VALIDATION.
//
// Example:
//
//   kstone::TableSchema schema = kstone::TableSchema()
//       .PartitionKey("user_id", kstone::KeyType::kNumber)
//       .SortKey("created", kstone::KeyType::kString);
//   absl::StatusOr<kstone::Database> db =
//       kstone::Database::CreateWithSchema("/tmp/users", schema);
//
// Thread safety: const methods are safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "kstone/value.h"

namespace kstone {

// The type of a key attribute.
enum class KeyType : uint8_t {
  kString,  // S
  kNumber,  // N
  kBinary,  // B
};

// "S", "N" or "B".
std::string_view KeyTypeName(KeyType type);
// The ValueType a key of `type` must have.
ValueType ValueTypeOfKey(KeyType type);

class TableSchema {
 public:
  // Partition key "pk" and sort key "sk", both kString.
  TableSchema();

  TableSchema& PartitionKey(std::string_view name,
                            KeyType type = KeyType::kString);
  TableSchema& SortKey(std::string_view name, KeyType type = KeyType::kString);
  TableSchema& WithoutSortKey();

  const std::string& partition_key_name() const { return pk_name_; }
  KeyType partition_key_type() const { return pk_type_; }
  bool has_sort_key() const { return sk_name_.has_value(); }
  // REQUIRES: has_sort_key().
  const std::string& sort_key_name() const { return *sk_name_; }
  KeyType sort_key_type() const { return sk_type_; }

  // VALIDATION naming the problem: an empty key name, a name longer than 255
  // bytes, or the same name for both keys.
  absl::Status Validate() const;

  // "pk (S), sk (S)" or "id (N)".
  std::string ToString() const;

  friend bool operator==(const TableSchema& a, const TableSchema& b);
  friend bool operator!=(const TableSchema& a, const TableSchema& b) {
    return !(a == b);
  }

 private:
  std::string pk_name_;
  KeyType pk_type_;
  std::optional<std::string> sk_name_;
  KeyType sk_type_;
};

}  // namespace kstone

#endif  // KSTONE_SCHEMA_H_
