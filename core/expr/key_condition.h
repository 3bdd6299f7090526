#ifndef KSTONE_CORE_EXPR_KEY_CONDITION_H_
#define KSTONE_CORE_EXPR_KEY_CONDITION_H_

// KeyConditionExpression: the key condition of a Query.
//
//   pk = :v [AND sortcond]      (either order, parentheses allowed)
//   sortcond := sk = :v | sk < :v | sk <= :v | sk > :v | sk >= :v
//             | sk BETWEEN :a AND :b | begins_with(sk, :v)
//
// Operands may be reversed (":v < sk" means "sk > :v"). It is parsed with the
// condition grammar (so "a <> :v", "a IN (...)", OR and NOT parse, and are
// then rejected with DynamoDB's messages); Parse() checks the shape of each
// condition, Resolve() binds the placeholders and checks the conditions
// against the table's key schema, producing a KeyCondition.
//
// Messages (InvalidArgument), as DynamoDB's:
//   "Invalid operator used in KeyConditionExpression: OR" (also NOT, IN, <>,
//       and functions other than begins_with)
//   "KeyConditionExpressions cannot contain nested operations" (size())
//   "KeyConditionExpressions cannot have conditions on nested attributes"
//   "Invalid condition in KeyConditionExpression: Multiple attribute names
//       used in one condition" / "...: No key attribute specified"
//   "Invalid condition in KeyConditionExpression: BETWEEN operator must have
//       the key attribute as its first operand" (also begins_with)
//   "KeyConditionExpressions must only contain one condition per key"
//   "Conditions can be of length 1 or 2 only"
//   "Query condition missed key schema element: <name>"
//   "Query key condition not supported" (partition key not compared with =)
//   "One or more parameter values were invalid: Condition parameter type does
//       not match schema type"
//
// Thread-safety: Parse and Resolve need exclusive access; a KeyCondition is a
// value type.

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/expr/ast.h"
#include "core/expr/placeholders.h"
#include "core/types/key.h"
#include "core/types/value.h"

namespace kstone::core::expr {

// A resolved key condition: the partition key value and an optional
// condition on the sort key.
struct KeyCondition {
  enum class SortOp { kNone, kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };

  Value partition;
  SortOp sort_op = SortOp::kNone;
  Value sort_value;   // the bound (BETWEEN: the lower bound)
  Value sort_value2;  // BETWEEN: the upper bound

  // True if an item whose sort key is `sort` (null: it has none) is within
  // the sort condition. Every item matches kNone; an item without a sort key
  // matches nothing else.
  bool MatchesSort(const Value* sort) const;
};

class KeyConditionExpression {
 public:
  static absl::StatusOr<KeyConditionExpression> Parse(absl::string_view text);

  KeyConditionExpression(KeyConditionExpression&&) = default;
  KeyConditionExpression& operator=(KeyConditionExpression&&) = default;

  // Binds the placeholders and checks the conditions against `schema`.
  absl::StatusOr<KeyCondition> Resolve(const ExpressionAttributes& attributes,
                                       const KeySchema& schema);

  void CollectPlaceholders(PlaceholderUse* use) const;

 private:
  explicit KeyConditionExpression(std::unique_ptr<ConditionNode> root);

  std::unique_ptr<ConditionNode> root_;
  // The leaves (conditions) of the AND tree, in text order.
  std::vector<const ConditionNode*> leaves_;
};

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_KEY_CONDITION_H_
