#ifndef KSTONE_CORE_EXPR_CONDITION_EXPRESSION_H_
#define KSTONE_CORE_EXPR_CONDITION_EXPRESSION_H_

// ConditionExpression: a parsed condition or filter expression.
//
//   KS_ASSIGN_OR_RETURN(ConditionExpression cond,
//                       ConditionExpression::Parse("attribute_not_exists(pk)"));
//   KS_RETURN_IF_ERROR(cond.Resolve(attrs));   // #names, :values
//   if (!cond.Evaluate(existing_item_or_null)) { /* check failed */ }
//
// Parse() checks everything that needs no placeholder values; Resolve()
// binds the placeholders and checks the constants (an unorderable constant
// in an ordering comparison, BETWEEN bounds of different types or in the
// wrong order, size() of an N, attribute_type() with an unknown type name,
// begins_with() with a constant that is not S or B). After that, Evaluate()
// cannot fail: a missing attribute or a type mismatch is just false.
//
// Thread-safety: Parse and Resolve need exclusive access; Evaluate on a
// resolved expression is safe for concurrent use. Resolve borrows the values
// map, which must outlive every later Evaluate().

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/expr/ast.h"
#include "core/expr/expression_error.h"
#include "core/expr/placeholders.h"
#include "core/types/item.h"
#include "core/types/key.h"

namespace kstone::core::expr {

class ConditionExpression {
 public:
  // `kind` is kCondition or kFilter (it only changes the error messages).
  static absl::StatusOr<ConditionExpression> Parse(
      absl::string_view text, ExpressionKind kind = ExpressionKind::kCondition);

  ConditionExpression(ConditionExpression&&) = default;
  ConditionExpression& operator=(ConditionExpression&&) = default;

  // Binds placeholders (see placeholders.h for the messages) and checks the
  // constants. May be called again with other maps (an expression without
  // placeholders, once resolved, stays resolved: nothing to do).
  absl::Status Resolve(const ExpressionAttributes& attributes);

  // Adds this expression and its placeholders to `use`.
  void CollectPlaceholders(PlaceholderUse* use) const;
  // After a successful Resolve against `attributes`: true if the expression
  // uses every placeholder `attributes` defines (a request with no other
  // expression then passes CheckAllPlaceholdersUsed), from the counts of
  // distinct placeholders kept from the parse. False says nothing.
  bool UsesAllPlaceholders(const ExpressionAttributes& attributes) const;

  // True if `item` satisfies the condition; `item` is null when the item
  // does not exist. REQUIRES: Resolve() succeeded.
  bool Evaluate(const Item* item) const;

  // For a Query's FilterExpression, which may not use the key attributes:
  // InvalidArgument "Filter Expression can only contain non-primary key
  // attributes: Primary key attribute: <name>" if a path starts with one.
  // REQUIRES: Resolve() succeeded.
  absl::Status CheckNoKeyAttributes(const KeySchema& schema) const;

  // True if every document path of the expression starts with one of
  // `names`: then an item holding just those attributes (e.g. the key)
  // evaluates the same as the whole item. REQUIRES: Resolve() succeeded.
  bool ReadsOnly(absl::Span<const absl::string_view> names) const;

  // Whether the whole expression is attribute_exists(k) or
  // attribute_not_exists(k) for k one of `key_names`, written as a name
  // (not a placeholder): then it only asks whether the item exists (an
  // item has all its key attributes). kOther for any other expression.
  enum class ItemCheck { kOther, kExists, kAbsent };
  ItemCheck KeyExistenceCheck(
      absl::Span<const absl::string_view> key_names) const;

  ExpressionKind kind() const { return kind_; }
  const ConditionNode& root() const { return *root_; }

 private:
  ConditionExpression(ExpressionKind kind, std::unique_ptr<ConditionNode> root);

  ExpressionKind kind_;
  std::unique_ptr<ConditionNode> root_;
  bool resolved_ = false;
  // Distinct #name and :value placeholders in the text.
  size_t name_placeholders_ = 0;
  size_t value_placeholders_ = 0;
};

// The checks of Resolve(), for any condition tree (also key conditions).
absl::Status ResolveConditionTree(ExpressionKind kind,
                                  const ExpressionAttributes& attributes,
                                  ConditionNode* node);
void CollectConditionPlaceholders(const ConditionNode& node,
                                  PlaceholderUse* use);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_CONDITION_EXPRESSION_H_
