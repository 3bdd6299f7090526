#ifndef KSTONE_API_DATABASE_WRITE_ACTION_H_
#define KSTONE_API_DATABASE_WRITE_ACTION_H_

// DatabaseImpl::WriteAction: one prepared single-item write (Put, Update,
// Delete or ConditionCheck), shared by the conditional writes
// (database_write.cc) and transactions (database_transact.cc).
//
// Thread safety: not thread-safe; one action belongs to one call.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "api/database_impl.h"
#include "core/expr/condition_expression.h"
#include "core/expr/placeholders.h"
#include "core/expr/update_expression.h"
#include "core/storage/record.h"
#include "core/types/item.h"
#include "core/types/value.h"
#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/write_options.h"

namespace kstone {

struct DatabaseImpl::WriteAction {
  enum Kind { kPut = 0, kUpdate = 1, kDelete = 2, kConditionCheck = 3 };

  // Sets the key attributes in `item` where it lacks them.
  void AddKey(core::Item* item) const;
  // The stored form of `item` (without its key attributes).
  std::string EncodeStored(const core::Item& item) const;
  // What an Update returns for `rv`.
  absl::StatusOr<Item> Returned(ReturnValues rv) const;

  Kind kind = kPut;
  Key key{Value::String("")};
  std::string engine_key;
  std::string pk_name;
  std::string sk_name;  // "" if the table has no sort key
  core::Value pk;
  std::optional<core::Value> sk;
  core::Item put_item;  // kPut: the item with its key attributes
  // The placeholders; the expressions point into them.
  core::expr::AttributeNames names;
  core::expr::AttributeValues values;
  std::optional<core::expr::ConditionExpression> condition;
  std::optional<core::expr::UpdateExpression> update;
  // What a false condition's error carries.
  ReturnValuesOnConditionCheckFailure on_failure =
      ReturnValuesOnConditionCheckFailure::kNone;

  // Set by EvaluateAction.
  std::optional<core::Item> old_item;  // with key attributes
  std::optional<core::Item> new_item;
  std::optional<core::Mutation> mutation;
};

}  // namespace kstone

#endif  // KSTONE_API_DATABASE_WRITE_ACTION_H_
