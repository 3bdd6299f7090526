#include "core/expr/condition_evaluator.h"

#include <cassert>
#include <optional>

#include "core/expr/document_path.h"
#include "core/expr/value_functions.h"
#include "core/types/number.h"

namespace kstone::core::expr {
namespace {

bool Equal(const Value* a, const Value* b) {
  return a != nullptr && b != nullptr && *a == *b;
}

// <0, 0, >0 in *result if both are set and of one orderable type.
bool Order(const Value* a, const Value* b, int* result) {
  if (a == nullptr || b == nullptr || a->type() != b->type() ||
      !IsOrderable(a->type())) {
    return false;
  }
  *result = CompareOrdered(*a, *b);
  return true;
}

bool Compare(CompareOp op, const Value* a, const Value* b) {
  if (op == CompareOp::kEq) return Equal(a, b);
  if (op == CompareOp::kNe) return !Equal(a, b);
  int c = 0;
  if (!Order(a, b, &c)) return false;
  switch (op) {
    case CompareOp::kLt:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
    default:
      return false;
  }
}

bool EvaluateFunction(const FunctionCall& call, const Item* item) {
  const auto& args = call.args;
  switch (call.function) {
    case Function::kAttributeExists:
    case Function::kAttributeNotExists: {
      const bool exists =
          item != nullptr && FindPath(*item, args[0].path) != nullptr;
      return exists == (call.function == Function::kAttributeExists);
    }
    case Function::kAttributeType: {
      Value scratch;
      const Value* v = EvaluateConditionOperand(args[0], item, &scratch);
      const Value* t = args[1].value;
      return v != nullptr && t != nullptr && t->is_string() &&
             ValueTypeName(v->type()) == t->AsString();
    }
    case Function::kBeginsWith:
    case Function::kContains: {
      Value s0, s1;
      const Value* a = EvaluateConditionOperand(args[0], item, &s0);
      const Value* b = EvaluateConditionOperand(args[1], item, &s1);
      if (a == nullptr || b == nullptr) return false;
      return call.function == Function::kBeginsWith ? BeginsWith(*a, *b)
                                                    : Contains(*a, *b);
    }
    default:
      return false;
  }
}

}  // namespace

const Value* EvaluateConditionOperand(const Operand& operand, const Item* item,
                                      Value* scratch) {
  switch (operand.kind) {
    case Operand::Kind::kValue:
      return operand.value;
    case Operand::Kind::kPath:
      return item == nullptr ? nullptr : FindPath(*item, operand.path);
    case Operand::Kind::kFunction: {
      if (operand.call->function != Function::kSize) return nullptr;
      Value inner_scratch;
      const Value* v =
          EvaluateConditionOperand(operand.call->args[0], item, &inner_scratch);
      if (v == nullptr) return nullptr;
      std::optional<int64_t> size = SizeOf(*v);
      if (!size.has_value()) return nullptr;
      *scratch = Value::Num(Number::FromInt64(*size));
      return scratch;
    }
  }
  return nullptr;
}

bool EvaluateCondition(const ConditionNode& node, const Item* item) {
  switch (node.type) {
    case ConditionNode::Type::kAnd:
      return EvaluateCondition(*node.left, item) &&
             EvaluateCondition(*node.right, item);
    case ConditionNode::Type::kOr:
      return EvaluateCondition(*node.left, item) ||
             EvaluateCondition(*node.right, item);
    case ConditionNode::Type::kNot:
      return !EvaluateCondition(*node.left, item);
    case ConditionNode::Type::kFunction:
      return EvaluateFunction(*node.operands[0].call, item);
    case ConditionNode::Type::kCompare: {
      Value s0, s1;
      const Value* a = EvaluateConditionOperand(node.operands[0], item, &s0);
      const Value* b = EvaluateConditionOperand(node.operands[1], item, &s1);
      return Compare(node.op, a, b);
    }
    case ConditionNode::Type::kBetween: {
      Value s0, s1, s2;
      const Value* x = EvaluateConditionOperand(node.operands[0], item, &s0);
      const Value* lo = EvaluateConditionOperand(node.operands[1], item, &s1);
      const Value* hi = EvaluateConditionOperand(node.operands[2], item, &s2);
      int c1 = 0, c2 = 0;
      return Order(lo, x, &c1) && Order(x, hi, &c2) && c1 <= 0 && c2 <= 0;
    }
    case ConditionNode::Type::kIn: {
      Value s0;
      const Value* x = EvaluateConditionOperand(node.operands[0], item, &s0);
      if (x == nullptr) return false;
      for (size_t i = 1; i < node.operands.size(); ++i) {
        Value si;
        if (Equal(x, EvaluateConditionOperand(node.operands[i], item, &si))) {
          return true;
        }
      }
      return false;
    }
  }
  return false;
}

}  // namespace kstone::core::expr
