#include "core/expr/key_condition.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/expr/condition_expression.h"
#include "core/expr/condition_parser.h"
#include "core/expr/value_functions.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {
namespace {

constexpr ExpressionKind kKind = ExpressionKind::kKeyCondition;

absl::Status InvalidOperator(absl::string_view op) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid operator used in KeyConditionExpression: ", op));
}

absl::Status InvalidCondition(absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid condition in KeyConditionExpression: ", message));
}

absl::Status CollectLeaves(const ConditionNode& node,
                           std::vector<const ConditionNode*>* leaves) {
  switch (node.type) {
    case ConditionNode::Type::kOr:
      return InvalidOperator("OR");
    case ConditionNode::Type::kNot:
      return InvalidOperator("NOT");
    case ConditionNode::Type::kAnd:
      KS_RETURN_IF_ERROR(CollectLeaves(*node.left, leaves));
      return CollectLeaves(*node.right, leaves);
    default:
      leaves->push_back(&node);
      return absl::OkStatus();
  }
}

// Checks one condition's operator and operands.
absl::Status CheckLeaf(const ConditionNode& leaf) {
  const std::vector<Operand>* operands = &leaf.operands;
  absl::string_view op_name;
  switch (leaf.type) {
    case ConditionNode::Type::kIn:
      return InvalidOperator("IN");
    case ConditionNode::Type::kCompare:
      if (leaf.op == CompareOp::kNe) return InvalidOperator("<>");
      break;
    case ConditionNode::Type::kBetween:
      op_name = "BETWEEN";
      break;
    case ConditionNode::Type::kFunction: {
      const FunctionCall& call = *leaf.operands[0].call;
      if (call.function != Function::kBeginsWith) {
        return InvalidOperator(call.name);
      }
      op_name = "begins_with";
      operands = &call.args;
      break;
    }
    default:
      break;
  }
  int paths = 0;
  for (const Operand& op : *operands) {
    if (op.is_function()) {
      return absl::InvalidArgumentError(
          "KeyConditionExpressions cannot contain nested operations");
    }
    if (op.is_path()) {
      ++paths;
      if (op.path.elements.size() > 1) {
        return absl::InvalidArgumentError(
            "KeyConditionExpressions cannot have conditions on nested "
            "attributes");
      }
    }
  }
  if (paths > 1) {
    return InvalidCondition("Multiple attribute names used in one condition");
  }
  if (paths == 0) return InvalidCondition("No key attribute specified");
  if (!op_name.empty() && !(*operands)[0].is_path()) {
    return InvalidCondition(absl::StrCat(
        op_name, " operator must have the key attribute as its first operand"));
  }
  return absl::OkStatus();
}

// The key attribute a (checked) leaf constrains.
const Operand& KeyOperand(const ConditionNode& leaf) {
  const auto& operands = leaf.type == ConditionNode::Type::kFunction
                             ? leaf.operands[0].call->args
                             : leaf.operands;
  for (const Operand& op : operands) {
    if (op.is_path()) return op;
  }
  return operands[0];
}

KeyCondition::SortOp SortOpOf(const ConditionNode& leaf) {
  using SortOp = KeyCondition::SortOp;
  if (leaf.type == ConditionNode::Type::kBetween) return SortOp::kBetween;
  if (leaf.type == ConditionNode::Type::kFunction) return SortOp::kBeginsWith;
  // "a op :v", or reversed ":v op a" (flip the ordering operators).
  const bool reversed = !leaf.operands[0].is_path();
  switch (leaf.op) {
    case CompareOp::kLt:
      return reversed ? SortOp::kGt : SortOp::kLt;
    case CompareOp::kLe:
      return reversed ? SortOp::kGe : SortOp::kLe;
    case CompareOp::kGt:
      return reversed ? SortOp::kLt : SortOp::kGt;
    case CompareOp::kGe:
      return reversed ? SortOp::kLe : SortOp::kGe;
    default:
      return SortOp::kEq;
  }
}

// The constants of a leaf, in order.
std::vector<const Value*> Constants(const ConditionNode& leaf) {
  const auto& operands = leaf.type == ConditionNode::Type::kFunction
                             ? leaf.operands[0].call->args
                             : leaf.operands;
  std::vector<const Value*> values;
  for (const Operand& op : operands) {
    if (op.is_value()) values.push_back(op.value);
  }
  return values;
}

absl::Status CheckTypes(const std::vector<const Value*>& values,
                        ValueType type) {
  for (const Value* v : values) {
    if (v->type() != type) {
      return absl::InvalidArgumentError(
          "One or more parameter values were invalid: Condition parameter "
          "type does not match schema type");
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool KeyCondition::MatchesSort(const Value* sort) const {
  if (sort_op == SortOp::kNone) return true;
  if (sort == nullptr) return false;
  if (sort_op == SortOp::kBeginsWith) return BeginsWith(*sort, sort_value);
  if (sort->type() != sort_value.type() || !IsOrderable(sort->type())) {
    return false;
  }
  const int c = CompareOrdered(*sort, sort_value);
  switch (sort_op) {
    case SortOp::kEq:
      return c == 0;
    case SortOp::kLt:
      return c < 0;
    case SortOp::kLe:
      return c <= 0;
    case SortOp::kGt:
      return c > 0;
    case SortOp::kGe:
      return c >= 0;
    case SortOp::kBetween:
      return c >= 0 && sort->type() == sort_value2.type() &&
             CompareOrdered(*sort, sort_value2) <= 0;
    default:
      return false;
  }
}

KeyConditionExpression::KeyConditionExpression(
    std::unique_ptr<ConditionNode> root)
    : root_(std::move(root)) {}

absl::StatusOr<KeyConditionExpression> KeyConditionExpression::Parse(
    absl::string_view text) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<ConditionNode> root,
                      ParseCondition(kKind, text));
  KeyConditionExpression expr(std::move(root));
  KS_RETURN_IF_ERROR(CollectLeaves(*expr.root_, &expr.leaves_));
  for (const ConditionNode* leaf : expr.leaves_) {
    KS_RETURN_IF_ERROR(CheckLeaf(*leaf));
  }
  return expr;
}

void KeyConditionExpression::CollectPlaceholders(PlaceholderUse* use) const {
  use->AddExpression();
  CollectConditionPlaceholders(*root_, use);
}

absl::StatusOr<KeyCondition> KeyConditionExpression::Resolve(
    const ExpressionAttributes& attributes, const KeySchema& schema) {
  KS_RETURN_IF_ERROR(ResolveConditionTree(kKind, attributes, root_.get()));
  // Which leaf constrains which key, one condition per attribute.
  const ConditionNode* partition = nullptr;
  const ConditionNode* sort = nullptr;
  std::vector<std::string> names;
  bool other = false;
  for (const ConditionNode* leaf : leaves_) {
    const std::string& name = KeyOperand(*leaf).path.elements[0].name;
    for (const std::string& seen : names) {
      if (seen == name) {
        return absl::InvalidArgumentError(
            "KeyConditionExpressions must only contain one condition per "
            "key");
      }
    }
    names.push_back(name);
    if (name == schema.partition.name) {
      partition = leaf;
    } else if (schema.sort.has_value() && name == schema.sort->name) {
      sort = leaf;
    } else {
      other = true;
    }
  }
  if (leaves_.size() > 2) {
    return absl::InvalidArgumentError(
        "Conditions can be of length 1 or 2 only");
  }
  if (partition == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Query condition missed key schema element: ", schema.partition.name));
  }
  if (other) {
    if (!schema.sort.has_value()) {
      return absl::InvalidArgumentError("Query key condition not supported");
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "Query condition missed key schema element: ", schema.sort->name));
  }
  if (partition->type != ConditionNode::Type::kCompare ||
      partition->op != CompareOp::kEq) {
    return absl::InvalidArgumentError("Query key condition not supported");
  }
  KeyCondition result;
  std::vector<const Value*> pv = Constants(*partition);
  KS_RETURN_IF_ERROR(CheckTypes(pv, schema.partition.type));
  result.partition = *pv[0];
  if (sort != nullptr) {
    result.sort_op = SortOpOf(*sort);
    if (result.sort_op == KeyCondition::SortOp::kBeginsWith &&
        schema.sort->type == ValueType::kNumber) {
      return ExpressionError(kKind,
                             "Incorrect operand type for operator or "
                             "function; operator or function: begins_with, "
                             "operand type: N");
    }
    std::vector<const Value*> sv = Constants(*sort);
    KS_RETURN_IF_ERROR(CheckTypes(sv, schema.sort->type));
    result.sort_value = *sv[0];
    if (sv.size() > 1) result.sort_value2 = *sv[1];
  }
  return result;
}

}  // namespace kstone::core::expr
