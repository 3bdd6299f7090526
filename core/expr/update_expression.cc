#include "core/expr/update_expression.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/expr/document_path.h"
#include "core/expr/update_parser.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {
namespace {

constexpr ExpressionKind kKind = ExpressionKind::kUpdate;

// The type names DynamoDB uses in ADD/DELETE operand errors.
absl::string_view LongTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "STRING";
    case ValueType::kNumber:
      return "NUMBER";
    case ValueType::kBinary:
      return "BINARY";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBool:
      return "BOOLEAN";
    case ValueType::kList:
      return "LIST";
    case ValueType::kMap:
      return "MAP";
    default:
      return "SET";
  }
}

absl::string_view ShortTypeName(ValueType type) {
  std::string_view name = ValueTypeName(type);
  return absl::string_view(name.data(), name.size());
}

// A constant used by `function` must have one of the accepted types.
absl::Status CheckFunctionConstants(const Operand& operand) {
  if (!operand.is_function()) return absl::OkStatus();
  const FunctionCall& call = *operand.call;
  for (const Operand& arg : call.args) {
    KS_RETURN_IF_ERROR(CheckFunctionConstants(arg));
    if (call.function == Function::kListAppend && arg.is_value() &&
        !arg.value->is_list()) {
      return ExpressionError(
          kKind, absl::StrCat("Incorrect operand type for operator or "
                              "function; operator or function: list_append, "
                              "operand type: ",
                              ShortTypeName(arg.value->type())));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSetConstants(const SetValue& value) {
  KS_RETURN_IF_ERROR(CheckFunctionConstants(value.left));
  if (value.arithmetic == 0) return absl::OkStatus();
  KS_RETURN_IF_ERROR(CheckFunctionConstants(value.right));
  for (const Operand* op : {&value.left, &value.right}) {
    if (op->is_value() && !op->value->is_number()) {
      return ExpressionError(
          kKind,
          absl::StrCat("Incorrect operand type for operator or "
                       "function; operator or function: ",
                       std::string(1, value.arithmetic),
                       ", operand type: ", ShortTypeName(op->value->type())));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAddDeleteConstant(const UpdateAction& action) {
  const Value& v = *action.value.value;
  const bool ok = action.type == UpdateAction::Type::kAdd
                      ? (v.is_number() || v.is_set())
                      : v.is_set();
  if (ok) return absl::OkStatus();
  return ExpressionError(
      kKind,
      absl::StrCat("Incorrect operand type for operator or function; "
                   "operator: ",
                   action.type == UpdateAction::Type::kAdd ? "ADD" : "DELETE",
                   ", operand type: ", LongTypeName(v.type())));
}

}  // namespace

absl::StatusOr<UpdateExpression> UpdateExpression::Parse(
    absl::string_view text) {
  KS_ASSIGN_OR_RETURN(std::vector<UpdateAction> actions, ParseUpdate(text));
  return UpdateExpression(std::move(actions));
}

UpdateExpression::UpdateExpression(std::vector<UpdateAction> actions)
    : actions_(std::move(actions)) {
  PlaceholderUse use;
  CollectPlaceholders(&use);
  name_placeholders_ = use.name_count();
  value_placeholders_ = use.value_count();
}

absl::Status UpdateExpression::Resolve(const ExpressionAttributes& attributes,
                                       const KeySchema* key_schema) {
  if (key_schema == nullptr) return ResolveImpl(attributes, {});
  const absl::string_view key_names[2] = {
      key_schema->partition.name,
      key_schema->sort.has_value() ? absl::string_view(key_schema->sort->name)
                                   : absl::string_view()};
  return ResolveImpl(attributes,
                     absl::MakeConstSpan(key_names, key_schema->sort ? 2 : 1));
}

absl::Status UpdateExpression::Resolve(const ExpressionAttributes& attributes,
                                       absl::string_view partition_key,
                                       absl::string_view sort_key) {
  const absl::string_view key_names[2] = {partition_key, sort_key};
  return ResolveImpl(attributes,
                     absl::MakeConstSpan(key_names, sort_key.empty() ? 1 : 2));
}

bool UpdateExpression::UsesAllPlaceholders(
    const ExpressionAttributes& attributes) const {
  // Resolve found every used placeholder defined: used <= defined, so equal
  // counts mean equal sets.
  return resolved_ &&
         DefinesExactly(attributes, name_placeholders_, value_placeholders_);
}

absl::Status UpdateExpression::ResolveImpl(
    const ExpressionAttributes& attributes,
    absl::Span<const absl::string_view> key_names) {
  resolved_ = false;
  for (UpdateAction& action : actions_) {
    KS_RETURN_IF_ERROR(ResolvePath(kKind, attributes, &action.path));
    switch (action.type) {
      case UpdateAction::Type::kSet:
        KS_RETURN_IF_ERROR(ResolveOperand(kKind, attributes, &action.set.left));
        if (action.set.arithmetic != 0) {
          KS_RETURN_IF_ERROR(
              ResolveOperand(kKind, attributes, &action.set.right));
        }
        break;
      case UpdateAction::Type::kAdd:
      case UpdateAction::Type::kDelete:
        KS_RETURN_IF_ERROR(ResolveOperand(kKind, attributes, &action.value));
        break;
      case UpdateAction::Type::kRemove:
        break;
    }
  }
  if (actions_.size() > 1) {
    KS_RETURN_IF_ERROR(CheckPathsDisjoint(kKind, TargetPaths()));
  }
  for (const UpdateAction& action : actions_) {
    if (action.type == UpdateAction::Type::kSet) {
      KS_RETURN_IF_ERROR(CheckSetConstants(action.set));
    } else if (action.type != UpdateAction::Type::kRemove) {
      KS_RETURN_IF_ERROR(CheckAddDeleteConstant(action));
    }
  }
  for (const UpdateAction& action : actions_) {
    const std::string& name = action.path.elements[0].name;
    for (absl::string_view key : key_names) {
      if (name == key) {
        return absl::InvalidArgumentError(
            absl::StrCat("One or more parameter values were invalid: Cannot "
                         "update attribute ",
                         name, ". This attribute is part of the key"));
      }
    }
  }
  resolved_ = true;
  return absl::OkStatus();
}

void UpdateExpression::CollectPlaceholders(PlaceholderUse* use) const {
  use->AddExpression();
  for (const UpdateAction& action : actions_) {
    CollectPathPlaceholders(action.path, use);
    if (action.type == UpdateAction::Type::kSet) {
      CollectOperandPlaceholders(action.set.left, use);
      if (action.set.arithmetic != 0) {
        CollectOperandPlaceholders(action.set.right, use);
      }
    } else if (action.type != UpdateAction::Type::kRemove) {
      CollectOperandPlaceholders(action.value, use);
    }
  }
}

bool UpdateExpression::OnlyRemovesOrDeletes() const {
  for (const UpdateAction& action : actions_) {
    if (action.type == UpdateAction::Type::kSet ||
        action.type == UpdateAction::Type::kAdd) {
      return false;
    }
  }
  return true;
}

std::vector<const DocumentPath*> UpdateExpression::TargetPaths() const {
  std::vector<const DocumentPath*> paths;
  paths.reserve(actions_.size());
  for (const UpdateAction& action : actions_) paths.push_back(&action.path);
  return paths;
}

}  // namespace kstone::core::expr
