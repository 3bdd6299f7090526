#ifndef KSTONE_CORE_EXPR_UPDATE_EXPRESSION_H_
#define KSTONE_CORE_EXPR_UPDATE_EXPRESSION_H_

// UpdateExpression: a parsed update expression (SET / REMOVE / ADD / DELETE).
//
//   KS_ASSIGN_OR_RETURN(UpdateExpression u,
//                       UpdateExpression::Parse("SET n = n + :one REMOVE t"));
//   KS_RETURN_IF_ERROR(u.Resolve(attrs, &key_schema));
//   KS_ASSIGN_OR_RETURN(Item updated, u.Apply(old_item_or_null));
//
// Resolve() binds the placeholders and checks, before any item is read: the
// paths of all actions neither overlap nor conflict (after #name
// substitution), no action targets a key attribute, and the constants have
// usable types (ADD takes a number or a set, DELETE a set, + and - numbers,
// list_append lists).
//
// Apply() follows DynamoDB: every right-hand side reads the item as it was
// before the update; SET replaces values (a.b needs a map a, a[i] a list a; an
// index past the end appends, several in index order); REMOVE of a missing
// attribute or of an index past the end does nothing, and list indexes refer
// to the list before any removal; ADD adds numbers exactly (absent = 0) or
// unites sets (absent = empty); DELETE subtracts sets and removes the
// attribute when it becomes empty. Errors (InvalidArgument): "The provided
// expression refers to an attribute that does not exist in the item", "The
// document path provided in the update expression is invalid for update",
// "An operand in the update expression has an incorrect data type", and the
// Number overflow / underflow / precision errors of exact arithmetic.
//
// Thread-safety: Parse and Resolve need exclusive access; Apply on a resolved
// expression is safe for concurrent use. Resolve borrows the values map, which
// must outlive every later Apply().

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/expr/ast.h"
#include "core/expr/placeholders.h"
#include "core/types/item.h"
#include "core/types/key.h"

namespace kstone::core::expr {

class UpdateExpression {
 public:
  static absl::StatusOr<UpdateExpression> Parse(absl::string_view text);

  UpdateExpression(UpdateExpression&&) = default;
  UpdateExpression& operator=(UpdateExpression&&) = default;

  // Binds placeholders and runs the checks above. `key_schema` may be null
  // (no key check); otherwise targeting a key attribute is "One or more
  // parameter values were invalid: Cannot update attribute p. This attribute
  // is part of the key".
  absl::Status Resolve(const ExpressionAttributes& attributes,
                       const KeySchema* key_schema);
  // The same with the key checked by attribute names: `sort_key` "" for a
  // table without a sort key.
  absl::Status Resolve(const ExpressionAttributes& attributes,
                       absl::string_view partition_key,
                       absl::string_view sort_key);

  void CollectPlaceholders(PlaceholderUse* use) const;
  // After a successful Resolve against `attributes` (which checked that
  // every placeholder the expression uses is defined): true if the
  // expression uses every placeholder `attributes` defines, so that a
  // request with no other expression passes CheckAllPlaceholdersUsed. Needs
  // no PlaceholderUse: the counts of distinct placeholders are kept from the
  // parse. False says nothing; CheckAllPlaceholdersUsed gives the error.
  bool UsesAllPlaceholders(const ExpressionAttributes& attributes) const;

  // The item after the update. `item` is the item before it, or null if
  // there is none (it is then treated as empty). The caller decides whether
  // a missing item is created: see OnlyRemovesOrDeletes().
  // REQUIRES: Resolve() succeeded.
  absl::StatusOr<Item> Apply(const Item* item) const;
  // The same without a copy: updates *item, which is the item before the
  // update if `existed`, else empty (no item). On error *item is partly
  // updated and must be discarded.
  absl::Status ApplyInPlace(Item* item, bool existed) const;

  // True if every action is REMOVE or DELETE: DynamoDB then creates no item
  // when the item does not exist.
  bool OnlyRemovesOrDeletes() const;

  const std::vector<UpdateAction>& actions() const { return actions_; }
  // The target path of each action (for ReturnValues UPDATED_OLD/NEW).
  std::vector<const DocumentPath*> TargetPaths() const;

 private:
  explicit UpdateExpression(std::vector<UpdateAction> actions);

  // key_names: the key attributes an action may not target (none: no check).
  absl::Status ResolveImpl(const ExpressionAttributes& attributes,
                           absl::Span<const absl::string_view> key_names);

  std::vector<UpdateAction> actions_;
  bool resolved_ = false;
  // Distinct #name and :value placeholders in the text.
  size_t name_placeholders_ = 0;
  size_t value_placeholders_ = 0;
};

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_UPDATE_EXPRESSION_H_
