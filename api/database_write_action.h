#ifndef KSTONE_API_DATABASE_WRITE_ACTION_H_
#define KSTONE_API_DATABASE_WRITE_ACTION_H_

// DatabaseImpl::WriteAction: one prepared single-item write (Put, Update,
// Delete or ConditionCheck), shared by the conditional writes
// (database_write.cc) and transactions (database_transact.cc).
//
// PrepareAction does everything that needs no stored state outside the
// stripe locks (parsing, placeholder checks, key and item validation, and
// for a Put the stored bytes); EvaluateAction, under the locks, reads the
// item only when something needs it (a condition, an Update, or a caller
// that returns the old item) and computes the mutation.
//
// Thread safety: not thread-safe; one action belongs to one call, on one
// thread (its expressions are borrowed from that thread's cache).

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "api/database_impl.h"
#include "api/expression_cache.h"
#include "api/prepared_update_memo.h"
#include "core/engine/engine.h"
#include "core/expr/placeholders.h"
#include "core/storage/record.h"
#include "core/types/item.h"
#include "core/types/key.h"
#include "core/types/value.h"
#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/write_options.h"

namespace kstone {

struct DatabaseImpl::WriteAction {
  enum Kind { kPut = 0, kUpdate = 1, kDelete = 2, kConditionCheck = 3 };

  // Sets the key attributes in `item` where it lacks them (the key in
  // core's terms is built the first time).
  void AddKey(core::Item* item);
  const Key& key() const { return *key_ref; }
  // The stored form of `item` (without its key attributes).
  std::string EncodeStored(const core::Item& item) const;
  // What an Update returns for `rv` (once: it may move the items out).
  absl::StatusOr<Item> Returned(ReturnValues rv);
  // Takes this thread's prepared Update (PreparedUpdateMemo) if it is
  // `request`'s, setting update_prepared; false if it is not.
  bool TakePreparedUpdate(const PreparedUpdateMemo::Request& request);
  // Gives this action's preparation (of `request`, without errors) to the
  // memo; the action keeps no expressions.
  void KeepPreparedUpdate(const PreparedUpdateMemo::Request& request);
  // True if EvaluateAction must read the stored item.
  bool NeedsOldItem() const {
    return kind == kUpdate || kind == kConditionCheck ||
           static_cast<bool>(condition) || want_old;
  }

  Kind kind = kPut;
  // The item's key: the request's (which outlives the action), or own_key
  // when it came from the Put's item.
  const Key* key_ref = nullptr;
  std::optional<Key> own_key;
  std::string engine_key;  // moved into the mutation by EvaluateAction
  // PrepareAction (or, before it, DatabaseImpl::StartItemLookup) set
  // engine_key and called Engine::Prefetch on it: the locked read need not
  // issue the probes again, and PrepareAction takes the key as it is.
  bool prefetched = false;
  // What that prefetch loaded (Engine::PrefetchForWrite), for the locked
  // write of this one item (ApplyAction); empty otherwise.
  core::PrefetchHandle prefetch;
  // Set by the caller before PrepareAction: names, values and update hold
  // this Update's preparation already (PreparedUpdateMemo), so PrepareAction
  // skips the expressions.
  bool update_prepared = false;
  std::string_view pk_name;  // the schema's; "" sk_name: no sort key
  std::string_view sk_name;
  // The key in core's terms, built by AddKey when first needed.
  std::optional<core::Key> core_key;
  std::string put_value;  // kPut: the stored form of the item
  // The placeholders; the expressions point into them.
  core::expr::AttributeNames names;
  core::expr::AttributeValues values;
  CachedCondition condition;  // empty: none
  CachedUpdate update;        // kUpdate
  // The condition reads nothing but the key attributes.
  bool condition_reads_key_only = false;
  // What a false condition's error carries.
  ReturnValuesOnConditionCheckFailure on_failure =
      ReturnValuesOnConditionCheckFailure::kNone;
  // Set by the caller before EvaluateAction: it returns the old item (so
  // the item is read even without a condition) ...
  bool want_old = false;
  // ... and needs old_item after an Update (else the Update is applied to
  // the old item in place).
  bool keep_old = true;
  // An Update without a condition that returns nothing or the new item
  // (ReturnValues NONE or ALL_NEW), whose expression ApplyFlatUpdate may
  // apply to the stored bytes (core/expr/flat_update.h) ...
  bool flat_update = false;
  // ... and, if set, returns the new item (decoded from the new bytes into
  // new_public).
  bool flat_update_returns_new = false;

  // Set by EvaluateAction.
  std::optional<core::Item> old_item;  // with key attributes
  std::optional<core::Item> new_item;  // kUpdate
  std::optional<Item> new_public;      // kUpdate by ApplyFlatUpdate, ALL_NEW
  std::optional<core::Mutation> mutation;
};

}  // namespace kstone

#endif  // KSTONE_API_DATABASE_WRITE_ACTION_H_
