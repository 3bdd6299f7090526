#include "core/types/validation.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/types/utf8.h"

namespace kstone::core {

namespace {

constexpr absl::string_view kInvalid =
    "One or more parameter values were invalid: ";

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status Invalid(absl::string_view what, std::string_view path) {
  return absl::InvalidArgumentError(
      absl::StrCat(kInvalid, what, ". Attribute: ", View(path)));
}

absl::Status CheckName(std::string_view name, std::string_view parent) {
  if (name.empty()) {
    return Invalid("Empty attribute name",
                   parent.empty() ? std::string_view("(top level)") : parent);
  }
  // Names in messages are cut short: a name may be 64 KB.
  std::string shown(name.substr(0, 256));
  if (!parent.empty()) shown = absl::StrCat(View(parent), ".", shown);
  if (name.size() > kMaxAttributeNameBytes) {
    return Invalid(absl::StrCat("Attribute name is too large, must be less "
                                "than 65536 bytes (",
                                name.size(), " bytes)"),
                   shown);
  }
  if (!IsValidUtf8(name)) {
    return Invalid("Attribute name is not valid UTF-8", shown);
  }
  return absl::OkStatus();
}

absl::Status CheckStringSet(const std::vector<std::string>& set,
                            std::string_view path, bool is_string) {
  if (set.empty()) {
    return Invalid(is_string ? "An string set  may not be empty"
                             : "Binary sets should not be empty",
                   path);
  }
  if (std::adjacent_find(set.begin(), set.end()) != set.end()) {
    return Invalid("Input collection contains duplicates", path);
  }
  if (is_string) {
    for (const std::string& e : set) {
      if (!IsValidUtf8(e)) {
        return Invalid("String set element is not valid UTF-8", path);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Check(const Value& v, std::string* path, int depth) {
  switch (v.type()) {
    case ValueType::kNull:
    case ValueType::kBool:
    case ValueType::kNumber:
    case ValueType::kBinary:
      return absl::OkStatus();
    case ValueType::kString:
      if (!IsValidUtf8(v.AsString())) {
        return Invalid("String value is not valid UTF-8", *path);
      }
      return absl::OkStatus();
    case ValueType::kStringSet:
      return CheckStringSet(v.AsStringSet(), *path, true);
    case ValueType::kBinarySet:
      return CheckStringSet(v.AsBinarySet(), *path, false);
    case ValueType::kNumberSet: {
      const std::vector<Number>& set = v.AsNumberSet();
      if (set.empty()) return Invalid("An number set  may not be empty", *path);
      if (std::adjacent_find(set.begin(), set.end()) != set.end()) {
        return Invalid("Input collection contains duplicates", *path);
      }
      return absl::OkStatus();
    }
    case ValueType::kList:
    case ValueType::kMap:
      break;
  }
  if (depth + 1 > kMaxNestingDepth) {
    return Invalid("Nesting Levels have exceeded supported limits", *path);
  }
  const size_t base = path->size();
  if (v.is_list()) {
    const ValueList& list = v.AsList();
    for (size_t i = 0; i < list.size(); ++i) {
      absl::StrAppend(path, "[", i, "]");
      absl::Status s = Check(list[i], path, depth + 1);
      if (!s.ok()) return s;
      path->resize(base);
    }
    return absl::OkStatus();
  }
  for (const auto& [name, value] : v.AsMap()) {
    absl::Status s = CheckName(name, *path);
    if (!s.ok()) return s;
    path->push_back('.');
    path->append(name);
    s = Check(value, path, depth + 1);
    if (!s.ok()) return s;
    path->resize(base);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateValue(const Value& value, std::string_view path) {
  std::string p(path);
  return Check(value, &p, 0);
}

absl::Status ValidateItemAttributes(const Item& item) {
  std::string path;
  for (const auto& [name, value] : item) {
    absl::Status s = CheckName(name, "");
    if (!s.ok()) return s;
    path.assign(name);
    s = Check(value, &path, 0);
    if (!s.ok()) return s;
  }
  const size_t size = item.DynamoSize();
  if (size > kMaxItemBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("Item size has exceeded the maximum allowed size (", size,
                     " bytes; the limit is ", kMaxItemBytes, ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateItem(const Item& item, const KeySchema& schema) {
  absl::StatusOr<Key> key = ExtractKey(item, schema);
  if (!key.ok()) return key.status();
  return ValidateItemAttributes(item);
}

}  // namespace kstone::core
