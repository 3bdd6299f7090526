#ifndef KSTONE_CORE_EXPR_CONDITION_EVALUATOR_H_
#define KSTONE_CORE_EXPR_CONDITION_EVALUATOR_H_

// Evaluation of a resolved condition tree against an item, with DynamoDB's
// semantics: a missing attribute or a type mismatch makes a comparison false
// (never an error); `=` with a missing side is false, `<>` true; ordering
// applies to N, S and B of the same type only.
//
// Thread-safety: stateless; safe for concurrent use on resolved trees.

#include "core/expr/ast.h"
#include "core/types/item.h"
#include "core/types/value.h"

namespace kstone::core::expr {

// The value of a condition operand, or nullptr if it is unset (a missing
// path, or size() of a value without a size). `scratch` receives computed
// values (size()); the result may point to it. `item` may be null (no item).
const Value* EvaluateConditionOperand(const Operand& operand, const Item* item,
                                      Value* scratch);

// True if `item` (null: the item does not exist) satisfies `node`.
// REQUIRES: the tree is resolved.
bool EvaluateCondition(const ConditionNode& node, const Item* item);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_CONDITION_EVALUATOR_H_
