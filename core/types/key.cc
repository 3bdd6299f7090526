#include "core/types/key.h"

#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace kstone::core {

namespace {

constexpr absl::string_view kInvalidPrefix =
    "One or more parameter values were invalid: ";

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

bool IsKeyType(ValueType t) {
  return t == ValueType::kString || t == ValueType::kNumber ||
         t == ValueType::kBinary;
}

}  // namespace

std::string Key::DebugString() const {
  std::string s = absl::StrCat("Key(", partition_.DebugString());
  if (sort_) absl::StrAppend(&s, ", ", sort_->DebugString());
  s.push_back(')');
  return s;
}

KeyValueRef KeyValueRef::Of(const Value& value) {
  KeyValueRef ref;
  ref.type = value.type();
  switch (value.type()) {
    case ValueType::kString:
      ref.bytes = value.AsString();
      break;
    case ValueType::kBinary:
      ref.bytes = value.AsBinary();
      break;
    case ValueType::kNumber:
      ref.number = &value.AsNumber();
      break;
    default:
      break;
  }
  return ref;
}

size_t KeyValueSize(const Value& value) {
  return KeyValueSize(KeyValueRef::Of(value));
}

size_t KeyValueSize(const KeyValueRef& value) {
  switch (value.type) {
    case ValueType::kString:
    case ValueType::kBinary:
      return value.bytes.size();
    case ValueType::kNumber:
      return static_cast<size_t>(value.number != nullptr
                                     ? value.number->TextLength()
                                     : value.ordered_text_length);
    default:
      return 0;
  }
}

absl::Status ValidateKeyValue(const Value& value,
                              std::string_view attribute_name,
                              bool is_partition) {
  return ValidateKeyValue(KeyValueRef::Of(value), attribute_name, is_partition);
}

absl::Status ValidateKeyValue(const KeyValueRef& value,
                              std::string_view attribute_name,
                              bool is_partition) {
  const absl::string_view name = AbslView(attribute_name);
  if (!IsKeyType(value.type)) {
    return absl::InvalidArgumentError(
        absl::StrCat(kInvalidPrefix, "Key attribute ", name,
                     " must be of type S, N or B, not ",
                     AbslView(ValueTypeName(value.type))));
  }
  const size_t size = KeyValueSize(value);
  if (size == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        kInvalidPrefix,
        "The AttributeValue for a key attribute cannot contain an empty ",
        value.type == ValueType::kString ? "string" : "binary",
        " value. Key: ", name));
  }
  if (is_partition && size > kMaxPartitionKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        kInvalidPrefix,
        "Size of hashkey has exceeded the maximum size limit of 2048 bytes. "
        "Key: ",
        name, " (", size, " bytes)"));
  }
  if (!is_partition && size > kMaxSortKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        kInvalidPrefix,
        "Aggregated size of all range keys has exceeded the size limit of "
        "1024 bytes. Key: ",
        name, " (", size, " bytes)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateKey(const Key& key, const KeySchema& schema) {
  const bool types_match =
      key.partition().type() == schema.partition.type &&
      key.has_sort() == schema.sort.has_value() &&
      (!key.has_sort() || key.sort().type() == schema.sort->type);
  if (!types_match) {
    return absl::InvalidArgumentError(
        "The provided key element does not match the schema");
  }
  absl::Status s =
      ValidateKeyValue(key.partition(), schema.partition.name, true);
  if (!s.ok() || !key.has_sort()) return s;
  return ValidateKeyValue(key.sort(), schema.sort->name, false);
}

namespace {

absl::StatusOr<Value> KeyPart(const Item& item, const KeyAttribute& attr,
                              bool is_partition) {
  const Value* v = item.Get(attr.name);
  if (v == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(kInvalidPrefix, "Missing the key ", AbslView(attr.name),
                     " in the item"));
  }
  if (v->type() != attr.type) {
    return absl::InvalidArgumentError(absl::StrCat(
        kInvalidPrefix, "Type mismatch for key ", AbslView(attr.name),
        " expected: ", AbslView(ValueTypeName(attr.type)),
        " actual: ", AbslView(ValueTypeName(v->type()))));
  }
  absl::Status s = ValidateKeyValue(*v, attr.name, is_partition);
  if (!s.ok()) return s;
  return *v;
}

}  // namespace

absl::StatusOr<Key> ExtractKey(const Item& item, const KeySchema& schema) {
  absl::StatusOr<Value> pk = KeyPart(item, schema.partition, true);
  if (!pk.ok()) return pk.status();
  if (!schema.sort) return Key(*std::move(pk));
  absl::StatusOr<Value> sk = KeyPart(item, *schema.sort, false);
  if (!sk.ok()) return sk.status();
  return Key(*std::move(pk), *std::move(sk));
}

void PrintTo(const Key& key, std::ostream* os) { *os << key.DebugString(); }

}  // namespace kstone::core
