#include "core/expr/placeholders.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/types/validation.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {
namespace {

bool IsValidKey(absl::string_view key, char prefix) {
  if (key.size() < 2 || key.size() > kMaxPlaceholderBytes || key[0] != prefix) {
    return false;
  }
  for (char c : key.substr(1)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

template <typename Map>
std::string UnusedKeys(const Map& map, bool names, const PlaceholderUse& use) {
  std::vector<std::string> unused;
  for (const auto& [key, unused_value] : map) {
    (void)unused_value;
    if (names ? !use.UsesName(key) : !use.UsesValue(key)) {
      unused.push_back(key);
    }
  }
  std::sort(unused.begin(), unused.end());
  return absl::StrJoin(unused, ", ");
}

}  // namespace

absl::Status ValidatePlaceholderKeys(const ExpressionAttributes& attributes) {
  if (attributes.names != nullptr) {
    for (const auto& [key, name] : *attributes.names) {
      if (!IsValidKey(key, '#')) {
        return absl::InvalidArgumentError(
            absl::StrCat("ExpressionAttributeNames contains invalid key: "
                         "Syntax error; key: \"",
                         key, "\""));
      }
      if (name.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("ExpressionAttributeNames contains invalid value: "
                         "Empty attribute name for key ",
                         key));
      }
      if (name.size() > kMaxAttributeNameBytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            "ExpressionAttributeNames contains invalid value: the attribute "
            "name is longer than ",
            kMaxAttributeNameBytes, " bytes (", name.size(), ") for key ",
            key));
      }
    }
  }
  if (attributes.values != nullptr) {
    for (const auto& [key, value] : *attributes.values) {
      if (!IsValidKey(key, ':')) {
        return absl::InvalidArgumentError(
            absl::StrCat("ExpressionAttributeValues contains invalid key: "
                         "Syntax error; key: \"",
                         key, "\""));
      }
      absl::Status valid = ValidateValue(value, key);
      if (!valid.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("ExpressionAttributeValues contains invalid value: ",
                         valid.message(), " for key ", key));
      }
    }
  }
  return absl::OkStatus();
}

bool DefinesExactly(const ExpressionAttributes& attributes, size_t names,
                    size_t values) {
  const size_t defined_names =
      attributes.names == nullptr ? 0 : attributes.names->size();
  const size_t defined_values =
      attributes.values == nullptr ? 0 : attributes.values->size();
  return defined_names == names && defined_values == values;
}

absl::Status CheckAllPlaceholdersUsed(const ExpressionAttributes& attributes,
                                      const PlaceholderUse& use) {
  const bool has_names =
      attributes.names != nullptr && !attributes.names->empty();
  const bool has_values =
      attributes.values != nullptr && !attributes.values->empty();
  if (use.expressions() == 0) {
    if (has_names) {
      return absl::InvalidArgumentError(
          "ExpressionAttributeNames can only be specified when using "
          "expressions");
    }
    if (has_values) {
      return absl::InvalidArgumentError(
          "ExpressionAttributeValues can only be specified when using "
          "expressions");
    }
    return absl::OkStatus();
  }
  if (has_names) {
    std::string unused = UnusedKeys(*attributes.names, true, use);
    if (!unused.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Value provided in ExpressionAttributeNames unused in "
                       "expressions: keys: {",
                       unused, "}"));
    }
  }
  if (has_values) {
    std::string unused = UnusedKeys(*attributes.values, false, use);
    if (!unused.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Value provided in ExpressionAttributeValues unused in "
                       "expressions: keys: {",
                       unused, "}"));
    }
  }
  return absl::OkStatus();
}

absl::Status ResolvePath(ExpressionKind kind,
                         const ExpressionAttributes& attributes,
                         DocumentPath* path) {
  for (PathElement& e : path->elements) {
    if (e.placeholder.empty()) continue;
    const std::string* name = nullptr;
    if (attributes.names != nullptr) {
      auto it = attributes.names->find(e.placeholder);
      if (it != attributes.names->end()) name = &it->second;
    }
    if (name == nullptr) {
      return ExpressionError(
          kind, absl::StrCat("An expression attribute name used in the "
                             "document path is not defined; attribute name: ",
                             e.placeholder));
    }
    e.name = *name;
  }
  return absl::OkStatus();
}

absl::Status ResolveOperand(ExpressionKind kind,
                            const ExpressionAttributes& attributes,
                            Operand* operand) {
  switch (operand->kind) {
    case Operand::Kind::kPath:
      return ResolvePath(kind, attributes, &operand->path);
    case Operand::Kind::kValue: {
      operand->value = nullptr;
      if (attributes.values != nullptr) {
        auto it = attributes.values->find(operand->placeholder);
        if (it != attributes.values->end()) operand->value = &it->second;
      }
      if (operand->value == nullptr) {
        return ExpressionError(
            kind, absl::StrCat("An expression attribute value used in "
                               "expression is not defined; attribute value: ",
                               operand->placeholder));
      }
      return absl::OkStatus();
    }
    case Operand::Kind::kFunction:
      for (Operand& arg : operand->call->args) {
        KS_RETURN_IF_ERROR(ResolveOperand(kind, attributes, &arg));
      }
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

void CollectPathPlaceholders(const DocumentPath& path, PlaceholderUse* use) {
  for (const PathElement& e : path.elements) {
    if (!e.placeholder.empty()) use->AddName(e.placeholder);
  }
}

void CollectOperandPlaceholders(const Operand& operand, PlaceholderUse* use) {
  switch (operand.kind) {
    case Operand::Kind::kPath:
      CollectPathPlaceholders(operand.path, use);
      break;
    case Operand::Kind::kValue:
      use->AddValue(operand.placeholder);
      break;
    case Operand::Kind::kFunction:
      for (const Operand& arg : operand.call->args) {
        CollectOperandPlaceholders(arg, use);
      }
      break;
  }
}

std::string ShortValueString(const Value& value) {
  switch (value.type()) {
    case ValueType::kNumber:
      return absl::StrCat("{N:", value.AsNumber().ToString(), "}");
    case ValueType::kString:
      return absl::StrCat("{S:", value.AsString(), "}");
    case ValueType::kBinary:
      return absl::StrCat("{B:", absl::Base64Escape(value.AsBinary()), "}");
    default:
      return value.DebugString();
  }
}

}  // namespace kstone::core::expr
