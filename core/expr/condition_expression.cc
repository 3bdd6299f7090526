#include "core/expr/condition_expression.h"

#include <cassert>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/expr/condition_evaluator.h"
#include "core/expr/condition_parser.h"
#include "core/expr/value_functions.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {
namespace {

constexpr absl::string_view kTypeNames[] = {"S",  "SS",   "N",    "NS", "B",
                                            "BS", "BOOL", "NULL", "L",  "M"};

absl::string_view TypeName(ValueType type) {
  std::string_view name = ValueTypeName(type);
  return absl::string_view(name.data(), name.size());
}

absl::Status OperandTypeError(ExpressionKind kind, absl::string_view function,
                              ValueType type) {
  return ExpressionError(
      kind, absl::StrCat("Incorrect operand type for operator or function; "
                         "operator or function: ",
                         function, ", operand type: ", TypeName(type)));
}

// A constant in an ordering comparison or BETWEEN must be N, S or B.
absl::Status CheckOrderableConstant(ExpressionKind kind, const Operand& op,
                                    absl::string_view function) {
  if (op.is_value() && !IsOrderable(op.value->type())) {
    return OperandTypeError(kind, function, op.value->type());
  }
  return absl::OkStatus();
}

absl::Status CheckCallConstants(ExpressionKind kind, const FunctionCall& call) {
  for (const Operand& arg : call.args) {
    if (arg.is_function()) {
      KS_RETURN_IF_ERROR(CheckCallConstants(kind, *arg.call));
    }
  }
  switch (call.function) {
    case Function::kSize:
      if (call.args[0].is_value() && !SizeOf(*call.args[0].value)) {
        return OperandTypeError(kind, call.name, call.args[0].value->type());
      }
      break;
    case Function::kAttributeType: {
      const Value& t = *call.args[1].value;
      if (!t.is_string()) return OperandTypeError(kind, call.name, t.type());
      for (absl::string_view name : kTypeNames) {
        if (name == t.AsString()) return absl::OkStatus();
      }
      return ExpressionError(
          kind, absl::StrCat(
                    "Invalid attribute type name found; type: ", t.AsString(),
                    ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"));
    }
    case Function::kBeginsWith:
      for (const Operand& arg : call.args) {
        if (arg.is_value() && !arg.value->is_string() &&
            !arg.value->is_binary()) {
          return OperandTypeError(kind, call.name, arg.value->type());
        }
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status CheckBetweenBounds(ExpressionKind kind, const Operand& low,
                                const Operand& high) {
  if (!low.is_value() || !high.is_value()) return absl::OkStatus();
  const Value& a = *low.value;
  const Value& b = *high.value;
  const std::string bounds = absl::StrCat(
      "lower bound operand: AttributeValue: ", ShortValueString(a),
      ", upper bound operand: AttributeValue: ", ShortValueString(b));
  if (a.type() != b.type()) {
    return ExpressionError(
        kind, absl::StrCat("The BETWEEN operator requires same data type for "
                           "lower and upper bounds; ",
                           bounds));
  }
  if (CompareOrdered(a, b) > 0) {
    return ExpressionError(
        kind, absl::StrCat("The BETWEEN operator requires upper bound to be "
                           "greater than or equal to lower bound; ",
                           bounds));
  }
  return absl::OkStatus();
}

absl::Status CheckConstants(ExpressionKind kind, const ConditionNode& node) {
  for (const Operand& op : node.operands) {
    if (op.is_function())
      KS_RETURN_IF_ERROR(CheckCallConstants(kind, *op.call));
  }
  switch (node.type) {
    case ConditionNode::Type::kCompare:
      if (node.op != CompareOp::kEq && node.op != CompareOp::kNe) {
        for (const Operand& op : node.operands) {
          KS_RETURN_IF_ERROR(
              CheckOrderableConstant(kind, op, CompareOpName(node.op)));
        }
      }
      break;
    case ConditionNode::Type::kBetween:
      for (const Operand& op : node.operands) {
        KS_RETURN_IF_ERROR(CheckOrderableConstant(kind, op, "BETWEEN"));
      }
      KS_RETURN_IF_ERROR(
          CheckBetweenBounds(kind, node.operands[1], node.operands[2]));
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status CheckOperandKeys(const Operand& op, const KeySchema& schema) {
  if (op.is_function()) {
    for (const Operand& arg : op.call->args) {
      KS_RETURN_IF_ERROR(CheckOperandKeys(arg, schema));
    }
    return absl::OkStatus();
  }
  if (!op.is_path()) return absl::OkStatus();
  const std::string& name = op.path.elements[0].name;
  if (name == schema.partition.name ||
      (schema.sort.has_value() && name == schema.sort->name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Filter Expression can only contain non-primary key "
                     "attributes: Primary key attribute: ",
                     name));
  }
  return absl::OkStatus();
}

absl::Status CheckTreeKeys(const ConditionNode& node, const KeySchema& schema) {
  if (node.left) KS_RETURN_IF_ERROR(CheckTreeKeys(*node.left, schema));
  if (node.right) KS_RETURN_IF_ERROR(CheckTreeKeys(*node.right, schema));
  for (const Operand& op : node.operands) {
    KS_RETURN_IF_ERROR(CheckOperandKeys(op, schema));
  }
  return absl::OkStatus();
}

bool OperandReadsOnly(const Operand& op,
                      absl::Span<const absl::string_view> names) {
  if (op.is_function()) {
    for (const Operand& arg : op.call->args) {
      if (!OperandReadsOnly(arg, names)) return false;
    }
    return true;
  }
  if (!op.is_path()) return true;
  const std::string& first = op.path.elements[0].name;
  for (absl::string_view name : names) {
    if (first == name) return true;
  }
  return false;
}

bool TreeReadsOnly(const ConditionNode& node,
                   absl::Span<const absl::string_view> names) {
  if (node.left && !TreeReadsOnly(*node.left, names)) return false;
  if (node.right && !TreeReadsOnly(*node.right, names)) return false;
  for (const Operand& op : node.operands) {
    if (!OperandReadsOnly(op, names)) return false;
  }
  return true;
}

}  // namespace

bool ConditionExpression::ReadsOnly(
    absl::Span<const absl::string_view> names) const {
  assert(resolved_);
  return TreeReadsOnly(*root_, names);
}

ConditionExpression::ItemCheck ConditionExpression::KeyExistenceCheck(
    absl::Span<const absl::string_view> key_names) const {
  const ConditionNode& node = *root_;
  if (node.type != ConditionNode::Type::kFunction ||
      node.operands.size() != 1 || !node.operands[0].is_function()) {
    return ItemCheck::kOther;
  }
  const FunctionCall& call = *node.operands[0].call;
  if ((call.function != Function::kAttributeExists &&
       call.function != Function::kAttributeNotExists) ||
      call.args.size() != 1 || !call.args[0].is_path()) {
    return ItemCheck::kOther;
  }
  const DocumentPath& path = call.args[0].path;
  if (path.elements.size() != 1 || path.elements[0].is_index() ||
      !path.elements[0].placeholder.empty()) {
    return ItemCheck::kOther;
  }
  for (absl::string_view key : key_names) {
    if (path.elements[0].name == key) {
      return call.function == Function::kAttributeExists ? ItemCheck::kExists
                                                         : ItemCheck::kAbsent;
    }
  }
  return ItemCheck::kOther;
}

absl::Status ConditionExpression::CheckNoKeyAttributes(
    const KeySchema& schema) const {
  assert(resolved_);
  return CheckTreeKeys(*root_, schema);
}

absl::Status ResolveConditionTree(ExpressionKind kind,
                                  const ExpressionAttributes& attributes,
                                  ConditionNode* node) {
  if (node->left) {
    KS_RETURN_IF_ERROR(
        ResolveConditionTree(kind, attributes, node->left.get()));
  }
  if (node->right) {
    KS_RETURN_IF_ERROR(
        ResolveConditionTree(kind, attributes, node->right.get()));
  }
  for (Operand& op : node->operands) {
    KS_RETURN_IF_ERROR(ResolveOperand(kind, attributes, &op));
  }
  return CheckConstants(kind, *node);
}

void CollectConditionPlaceholders(const ConditionNode& node,
                                  PlaceholderUse* use) {
  if (node.left) CollectConditionPlaceholders(*node.left, use);
  if (node.right) CollectConditionPlaceholders(*node.right, use);
  for (const Operand& op : node.operands) CollectOperandPlaceholders(op, use);
}

absl::StatusOr<ConditionExpression> ConditionExpression::Parse(
    absl::string_view text, ExpressionKind kind) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<ConditionNode> root,
                      ParseCondition(kind, text));
  return ConditionExpression(kind, std::move(root));
}

ConditionExpression::ConditionExpression(ExpressionKind kind,
                                         std::unique_ptr<ConditionNode> root)
    : kind_(kind), root_(std::move(root)) {
  PlaceholderUse use;
  CollectConditionPlaceholders(*root_, &use);
  name_placeholders_ = use.name_count();
  value_placeholders_ = use.value_count();
}

bool ConditionExpression::UsesAllPlaceholders(
    const ExpressionAttributes& attributes) const {
  // Resolve found every used placeholder defined: used <= defined, so equal
  // counts mean equal sets.
  return resolved_ &&
         DefinesExactly(attributes, name_placeholders_, value_placeholders_);
}

absl::Status ConditionExpression::Resolve(
    const ExpressionAttributes& attributes) {
  if (resolved_ && name_placeholders_ == 0 && value_placeholders_ == 0) {
    return absl::OkStatus();  // nothing in the tree depends on `attributes`
  }
  resolved_ = false;
  KS_RETURN_IF_ERROR(ResolveConditionTree(kind_, attributes, root_.get()));
  resolved_ = true;
  return absl::OkStatus();
}

void ConditionExpression::CollectPlaceholders(PlaceholderUse* use) const {
  use->AddExpression();
  CollectConditionPlaceholders(*root_, use);
}

bool ConditionExpression::Evaluate(const Item* item) const {
  assert(resolved_);
  return EvaluateCondition(*root_, item);
}

}  // namespace kstone::core::expr
