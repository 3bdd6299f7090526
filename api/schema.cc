#include "kstone/schema.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "api/absl_compat.h"

namespace kstone {

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kString:
      return "S";
    case KeyType::kNumber:
      return "N";
    case KeyType::kBinary:
      return "B";
  }
  return "?";
}

ValueType ValueTypeOfKey(KeyType type) {
  switch (type) {
    case KeyType::kNumber:
      return ValueType::kNumber;
    case KeyType::kBinary:
      return ValueType::kBinary;
    case KeyType::kString:
      break;
  }
  return ValueType::kString;
}

TableSchema::TableSchema()
    : pk_name_("pk"),
      pk_type_(KeyType::kString),
      sk_name_("sk"),
      sk_type_(KeyType::kString) {}

TableSchema& TableSchema::PartitionKey(std::string_view name, KeyType type) {
  pk_name_ = std::string(name);
  pk_type_ = type;
  return *this;
}

TableSchema& TableSchema::SortKey(std::string_view name, KeyType type) {
  sk_name_ = std::string(name);
  sk_type_ = type;
  return *this;
}

TableSchema& TableSchema::WithoutSortKey() {
  sk_name_.reset();
  sk_type_ = KeyType::kString;
  return *this;
}

namespace {

absl::Status CheckName(const char* what, const std::string& name) {
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("TableSchema: the ", what, " attribute name is empty"));
  }
  if (name.size() > 255) {
    return absl::InvalidArgumentError(
        absl::StrCat("TableSchema: the ", what, " attribute name is ",
                     name.size(), " bytes long; the limit is 255"));
  }
  return absl::OkStatus();
}

bool ValidKeyType(KeyType type) {
  return type == KeyType::kString || type == KeyType::kNumber ||
         type == KeyType::kBinary;
}

}  // namespace

absl::Status TableSchema::Validate() const {
  absl::Status s = CheckName("partition key", pk_name_);
  if (!ValidKeyType(pk_type_)) {
    s.Update(absl::InvalidArgumentError(
        "TableSchema: the partition key type must be S, N or B"));
  }
  if (sk_name_.has_value()) {
    s.Update(CheckName("sort key", *sk_name_));
    if (!ValidKeyType(sk_type_)) {
      s.Update(absl::InvalidArgumentError(
          "TableSchema: the sort key type must be S, N or B"));
    }
    if (s.ok() && *sk_name_ == pk_name_) {
      s = absl::InvalidArgumentError(
          absl::StrCat("TableSchema: the partition key and the sort key are "
                       "both named \"",
                       pk_name_, "\""));
    }
  }
  return s;
}

std::string TableSchema::ToString() const {
  std::string out =
      absl::StrCat(pk_name_, " (", ToAbsl(KeyTypeName(pk_type_)), ")");
  if (sk_name_.has_value()) {
    absl::StrAppend(&out, ", ", *sk_name_, " (", ToAbsl(KeyTypeName(sk_type_)),
                    ")");
  }
  return out;
}

bool operator==(const TableSchema& a, const TableSchema& b) {
  if (a.pk_name_ != b.pk_name_ || a.pk_type_ != b.pk_type_ ||
      a.sk_name_ != b.sk_name_) {
    return false;
  }
  return !a.sk_name_.has_value() || a.sk_type_ == b.sk_type_;
}

}  // namespace kstone
