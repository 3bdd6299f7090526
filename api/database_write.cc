// Conditional Put / Delete, Update, and the per-item action machinery that
// batches and transactions share (database_transact.cc). Every conditional
// write runs inside Engine::WriteLocked (Engine::ReadModifyWrite when it
// reads the item): the item is read, the condition evaluated and the
// mutation logged under the item's stripe lock.

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"
#include "api/absl_compat.h"
#include "api/database_impl.h"
#include "api/database_write_action.h"
#include "api/flat_item_encoder.h"
#include "api/item_decoder.h"
#include "api/prepared_update_memo.h"
#include "api/request_internal.h"
#include "api/this_thread.h"
#include "api/value_internal.h"
#include "api/write_buffers.h"
#include "core/expr/flat_update.h"
#include "core/expr/projection_expression.h"
#include "core/types/item_codec.h"
#include "core/types/validation.h"
#include "core/util/status_macros.h"
#include "kstone/errors.h"

namespace kstone {
namespace {

// The payload of a CONDITIONAL_CHECK_FAILED status that carries the item
// (ReturnValuesOnConditionCheckFailure ALL_OLD): the item, encoded whole.
constexpr std::string_view kConditionItemPayloadUrl =
    "type.kstone.dev/kstone.ConditionCheckFailureItem";

absl::Status CheckPutDeleteReturnValues(ReturnValues rv) {
  if (rv == ReturnValues::kNone || rv == ReturnValues::kAllOld) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("ReturnValues can only be ALL_OLD or NONE, got ",
                   ToAbsl(ReturnValuesName(rv))));
}

}  // namespace

std::string_view ReturnValuesName(ReturnValues rv) {
  switch (rv) {
    case ReturnValues::kNone:
      return "NONE";
    case ReturnValues::kAllOld:
      return "ALL_OLD";
    case ReturnValues::kAllNew:
      return "ALL_NEW";
    case ReturnValues::kUpdatedOld:
      return "UPDATED_OLD";
    case ReturnValues::kUpdatedNew:
      return "UPDATED_NEW";
  }
  return "?";
}

std::string_view ReturnValuesOnConditionCheckFailureName(
    ReturnValuesOnConditionCheckFailure rv) {
  switch (rv) {
    case ReturnValuesOnConditionCheckFailure::kNone:
      return "NONE";
    case ReturnValuesOnConditionCheckFailure::kAllOld:
      return "ALL_OLD";
  }
  return "?";
}

std::optional<Item> ConditionCheckFailureItem(const absl::Status& status) {
  if (ErrorCodeOf(status) != ErrorCode::kConditionalCheckFailed) {
    return std::nullopt;
  }
  absl::optional<absl::Cord> payload =
      status.GetPayload(ToAbsl(kConditionItemPayloadUrl));
  if (!payload.has_value()) return std::nullopt;
  absl::StatusOr<core::Item> item = core::DecodeItem(std::string(*payload));
  if (!item.ok()) return std::nullopt;
  return ItemFromCore(std::move(*item));
}

std::string DatabaseImpl::WriteAction::EncodeStored(
    const core::Item& item) const {
  std::string_view skip[2] = {pk_name, sk_name};
  return core::EncodeItem(item,
                          absl::MakeConstSpan(skip, sk_name.empty() ? 1 : 2));
}

absl::Status DatabaseImpl::StartItemLookup(const Key& key,
                                           WriteAction* action) const {
  KS_ASSIGN_OR_RETURN(action->engine_key, EngineKeyOf(key));
  engine_->PrefetchForWrite(action->engine_key, &action->prefetch);
  action->prefetched = true;
  return absl::OkStatus();
}

absl::Status DatabaseImpl::PrepareAction(int kind, const Key* key,
                                         const Item* item,
                                         const std::string& update,
                                         const WriteCondition& condition,
                                         WriteAction* action,
                                         bool* item_error) const {
  action->kind = static_cast<WriteAction::Kind>(kind);
  action->pk_name = schema_.partition_key_name();
  if (schema_.has_sort_key()) action->sk_name = schema_.sort_key_name();

  // A given key's engine key first, so that the stored item's probes (filter
  // words, index slots) load while the expressions below are prepared: the
  // read under the lock then finds them in cache. A bad key is reported
  // where it was before, after the expressions' errors.
  absl::Status key_status;
  if (key != nullptr) action->key_ref = key;
  // (A key that StartItemLookup converted and prefetched is taken as it is.)
  if (key != nullptr && !action->prefetched) {
    if (action->kind != WriteAction::kPut || !condition.expression.empty()) {
      // (ReadModifyWrite follows the lookup further while it walks the
      // memtable for the write.)
      key_status = StartItemLookup(*key, action);
    } else {
      // A plain Put reads nothing: the key only.
      absl::StatusOr<std::string> engine_key = EngineKeyOf(*key);
      if (engine_key.ok()) {
        action->engine_key = std::move(*engine_key);
      } else {
        key_status = engine_key.status();
      }
    }
  }

  // The expressions and their placeholders (parsed trees come from this
  // thread's cache; Resolve binds this request's placeholders).
  *item_error = false;
  action->on_failure = condition.on_failure;
  if (!action->update_prepared) {
    // (Else the caller brought this Update's preparation: PreparedUpdateMemo.)
    KS_RETURN_IF_ERROR(PlaceholdersToCore(condition.names, condition.values,
                                          &action->names, &action->values));
    core::expr::ExpressionAttributes attrs;
    if (!condition.names.empty()) attrs.names = &action->names;
    if (!condition.values.empty()) attrs.values = &action->values;
    KS_RETURN_IF_ERROR(core::expr::ValidatePlaceholderKeys(attrs));
    core::expr::PlaceholderUse use;
    if (action->kind == WriteAction::kConditionCheck &&
        condition.expression.empty()) {
      return absl::InvalidArgumentError(
          "A ConditionCheck needs a ConditionExpression");
    }
    // Whether one expression alone uses every placeholder (then nothing needs
    // collecting).
    bool all_used = false;
    if (!condition.expression.empty()) {
      KS_ASSIGN_OR_RETURN(action->condition,
                          ParseConditionCached(condition.expression));
      KS_RETURN_IF_ERROR(action->condition->Resolve(attrs));
      all_used = action->kind != WriteAction::kUpdate &&
                 action->condition->UsesAllPlaceholders(attrs);
      if (!all_used) action->condition->CollectPlaceholders(&use);
      const absl::string_view key_names[2] = {ToAbsl(action->pk_name),
                                              ToAbsl(action->sk_name)};
      action->condition_reads_key_only = action->condition->ReadsOnly(
          absl::MakeConstSpan(key_names, action->sk_name.empty() ? 1 : 2));
    }
    if (action->kind == WriteAction::kUpdate) {
      KS_ASSIGN_OR_RETURN(action->update, ParseUpdateCached(update));
      KS_RETURN_IF_ERROR(action->update->Resolve(attrs, ToAbsl(action->pk_name),
                                                 ToAbsl(action->sk_name)));
      // The update alone uses every placeholder: nothing to collect.
      all_used =
          !action->condition && action->update->UsesAllPlaceholders(attrs);
      if (!all_used) action->update->CollectPlaceholders(&use);
    }
    if (!all_used) {
      KS_RETURN_IF_ERROR(core::expr::CheckAllPlaceholdersUsed(attrs, use));
    }
  }

  // The key and the item.
  *item_error = true;
  if (key != nullptr) {
    KS_RETURN_IF_ERROR(key_status);
  } else {
    KS_ASSIGN_OR_RETURN(action->own_key, KeyOf(*item));
    action->key_ref = &*action->own_key;
    KS_ASSIGN_OR_RETURN(action->engine_key, EngineKeyOf(action->key()));
  }
  if (action->kind == WriteAction::kPut) {
    // Validated and encoded here, outside the stripe lock: the stored form
    // of a Put does not depend on the old item.
    KS_RETURN_IF_ERROR(CheckItemKey(action->key(), *item));
    if (EncodeFlatItem(*item, action->pk_name, action->sk_name,
                       action->key().has_sort_key(), &action->put_value)) {
      *item_error = false;
      return absl::OkStatus();
    }
    KS_ASSIGN_OR_RETURN(core::Item put_item, ItemToCore(*item));
    action->AddKey(&put_item);
    KS_RETURN_IF_ERROR(core::ValidateItemAttributes(put_item));
    action->put_value = action->EncodeStored(put_item);
  }
  *item_error = false;
  return absl::OkStatus();
}

void DatabaseImpl::WriteAction::AddKey(core::Item* item) {
  if (!core_key.has_value()) {
    // PrepareAction checked the key (EngineKeyOf), so it converts.
    absl::StatusOr<core::Key> converted = KeyToCore(key());
    assert(converted.ok());
    if (!converted.ok()) return;
    core_key = std::move(*converted);
  }
  if (!item->Has(pk_name)) {
    item->Set(std::string(pk_name), core_key->partition());
  }
  if (core_key->has_sort() && !item->Has(sk_name)) {
    item->Set(std::string(sk_name), core_key->sort());
  }
}

absl::Status DatabaseImpl::EvaluateAction(const core::LockedReader& reader,
                                          WriteAction* action) const {
  action->old_item.reset();
  action->new_item.reset();
  action->new_public.reset();
  action->mutation.reset();
  if (!action->NeedsOldItem()) {
    // A plain Put or Delete: nothing depends on the stored item, so it is
    // not read (a Delete of a missing item writes a harmless tombstone, as
    // a plain Delete and BatchWrite do).
    if (action->kind == WriteAction::kPut) {
      action->mutation = core::Mutation{core::RecordType::kValue,
                                        std::move(action->engine_key),
                                        std::move(action->put_value)};
    } else {
      action->mutation = core::Mutation{core::RecordType::kDeletion,
                                        std::move(action->engine_key), ""};
    }
    return absl::OkStatus();
  }
  KS_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                      action->prefetched
                          ? reader.GetPrefetched(action->engine_key)
                          : reader.Get(action->engine_key));
  if (action->flat_update && bytes.has_value()) {
    // The stored bytes patched: no decode, no core::Item (flat_update.h).
    const size_t key_size_bound =
        action->pk_name.size() + action->sk_name.size() +
        core::kMaxPartitionKeyBytes + core::kMaxSortKeyBytes;
    std::string updated;
    if (core::expr::ApplyFlatUpdate(*action->update, *bytes, key_size_bound,
                                    &updated)) {
      if (action->flat_update_returns_new) {
        KS_ASSIGN_OR_RETURN(
            action->new_public,
            DecodeStoredItem(updated, action->key(), schema_, path_));
      }
      action->mutation =
          core::Mutation{core::RecordType::kValue,
                         std::move(action->engine_key), std::move(updated)};
      return absl::OkStatus();
    }
  }
  // The stored item with its key attributes.
  auto decode_old = [&]() -> absl::Status {
    absl::StatusOr<core::Item> decoded = core::DecodeItem(*bytes);
    if (!decoded.ok()) {
      return absl::DataLossError(absl::StrCat("item ", action->key().ToString(),
                                              " in ", path_, ": ",
                                              decoded.status().message()));
    }
    action->AddKey(&*decoded);
    action->old_item = std::move(*decoded);
    return absl::OkStatus();
  };
  // Only the key is needed when nothing but a condition on the key reads
  // the item (attribute_not_exists(pk) and the like).
  const bool key_only = action->condition_reads_key_only &&
                        action->kind != WriteAction::kUpdate &&
                        !action->want_old;
  if (bytes.has_value()) {
    if (key_only) {
      action->old_item.emplace();
      action->AddKey(&*action->old_item);
    } else {
      KS_RETURN_IF_ERROR(decode_old());
    }
  }
  const core::Item* old =
      action->old_item.has_value() ? &*action->old_item : nullptr;
  if (action->condition && !action->condition->Evaluate(old)) {
    if (key_only && bytes.has_value() &&
        action->on_failure == ReturnValuesOnConditionCheckFailure::kAllOld) {
      KS_RETURN_IF_ERROR(decode_old());  // the error carries the whole item
    }
    return MakeError(ErrorCode::kConditionalCheckFailed,
                     "The conditional request failed");
  }
  switch (action->kind) {
    case WriteAction::kPut:
      action->mutation = core::Mutation{core::RecordType::kValue,
                                        std::move(action->engine_key),
                                        std::move(action->put_value)};
      break;
    case WriteAction::kDelete:
      if (old != nullptr) {
        action->mutation = core::Mutation{core::RecordType::kDeletion,
                                          std::move(action->engine_key), ""};
      }
      break;
    case WriteAction::kUpdate: {
      if (old == nullptr && action->update->OnlyRemovesOrDeletes()) break;
      core::Item updated;
      if (old != nullptr) {
        if (action->keep_old) {
          updated = *old;
        } else {
          updated = std::move(*action->old_item);
          action->old_item.reset();
        }
      }
      KS_RETURN_IF_ERROR(
          action->update->ApplyInPlace(&updated, /*existed=*/old != nullptr));
      action->AddKey(&updated);
      KS_RETURN_IF_ERROR(core::ValidateItemAttributes(updated));
      action->mutation = core::Mutation{core::RecordType::kValue,
                                        std::move(action->engine_key),
                                        action->EncodeStored(updated)};
      action->new_item = std::move(updated);
      break;
    }
    case WriteAction::kConditionCheck:
      break;
  }
  return absl::OkStatus();
}

absl::Status DatabaseImpl::ApplyAction(WriteAction* action) {
  auto evaluate = [&](const core::LockedReader& reader)
      -> absl::StatusOr<std::vector<core::Mutation>> {
    KS_RETURN_IF_ERROR(EvaluateAction(reader, action));
    std::vector<core::Mutation> m;
    if (action->mutation.has_value()) {
      m.push_back(std::move(*action->mutation));
    }
    return m;
  };
  absl::Status status =
      action->NeedsOldItem()
          ? engine_->ReadModifyWrite(action->engine_key, evaluate,
                                     &action->prefetch)
          : engine_->WriteLocked(action->engine_key, evaluate,
                                 &action->prefetch);
  if (ErrorCodeOf(status) == ErrorCode::kConditionalCheckFailed &&
      action->on_failure == ReturnValuesOnConditionCheckFailure::kAllOld &&
      action->old_item.has_value()) {
    status.SetPayload(ToAbsl(kConditionItemPayloadUrl),
                      absl::Cord(core::EncodeItem(*action->old_item)));
  }
  return status;
}

absl::Status DatabaseImpl::PutIfItemExists(const Key& key, const Item& item,
                                           bool key_of_item, bool must_exist) {
  // The mutation is made before the lock, in the thread's buffers (whose
  // memory is reused); the check only reads.
  WriteBuffers& buffers = WriteBuffers::ThisThread();
  buffers.mutations.resize(1);
  core::Mutation& m = buffers.mutations[0];
  m.type = core::RecordType::kValue;
  KS_RETURN_IF_ERROR(EngineKeyInto(key, &m.key));
  const std::string& engine_key = m.key;
  // The stored item's probes load while the item is encoded. (A Put of a
  // new item loads only what can tell that it is new.)
  core::PrefetchHandle prefetched;
  if (must_exist) {
    engine_->PrefetchForWrite(engine_key, &prefetched);
  } else {
    engine_->PrefetchForInsert(engine_key, &prefetched);
  }
  absl::Status status = EncodePutValue(key, item, key_of_item, &m.value);
  auto check = [&](const core::LockedReader& reader,
                   std::vector<core::Mutation>*) -> absl::Status {
    KS_ASSIGN_OR_RETURN(const bool found,
                        reader.GetPrefetchedInto(engine_key, &buffers.stored));
    if (found != must_exist) {
      return MakeError(ErrorCode::kConditionalCheckFailed,
                       "The conditional request failed");
    }
    return absl::OkStatus();
  };
  if (status.ok()) {
    // An item that must exist is likely there: its lookup goes past the
    // index slot to the record, a chain worth overlapping with the memtable
    // walk. (A likely absent item costs only the slot, loaded while the
    // item was encoded.)
    status = must_exist
                 ? engine_->ReadModifyWrite(engine_key, check, &prefetched,
                                            &buffers.mutations)
                 : engine_->WriteLocked(engine_key, check, &prefetched,
                                        &buffers.mutations);
  }
  buffers.Trim();
  return status;
}

namespace {

// A conditional Put or Delete (kind), returning per `rv`.
absl::StatusOr<WriteResult> PutOrDelete(DatabaseImpl* db, int kind,
                                        const Key& key, const Item* item,
                                        const WriteCondition& condition,
                                        ReturnValues rv) {
  bool item_error = false;
  DatabaseImpl::WriteAction action;
  KS_RETURN_IF_ERROR(
      db->PrepareAction(kind, &key, item, "", condition, &action, &item_error));
  action.want_old = rv == ReturnValues::kAllOld;
  KS_RETURN_IF_ERROR(db->ApplyAction(&action));
  WriteResult result;
  if (rv == ReturnValues::kAllOld && action.old_item.has_value()) {
    result.attributes = ItemFromCore(std::move(*action.old_item));
  }
  return result;
}

}  // namespace

absl::StatusOr<DatabaseImpl::ItemCheck> DatabaseImpl::ExistenceCheckOf(
    std::string_view expression, uint64_t stamp) const {
  // This thread's last answer: a program that puts if absent sends the same
  // condition every time, and parsing and inspecting it costs about as much
  // as the check itself. The answer depends on the text and the key names.
  // Once they compared equal, the stamps of the options and of the table
  // stand for them (as in PreparedUpdateMemo), and a request sent again
  // with the same options is recognised without comparing strings.
  struct Memo {
    std::string expression;
    std::string partition_key;
    std::string sort_key;
    ItemCheck check = ItemCheck::kOther;
    uint64_t stamp = 0;  // options whose expression is `expression`
    uint64_t table = 0;  // a table whose key names are the ones above
  };
  Memo& memo = ThisThreadsInstance<Memo>();
  if (stamp != 0 && stamp == memo.stamp && table_stamp_ == memo.table) {
    return memo.check;
  }
  const std::string_view sort_key =
      schema_.has_sort_key() ? std::string_view(schema_.sort_key_name())
                             : std::string_view();
  if (!memo.expression.empty() && memo.expression == expression &&
      memo.partition_key == schema_.partition_key_name() &&
      memo.sort_key == sort_key) {
    memo.stamp = stamp;
    memo.table = table_stamp_;
    return memo.check;
  }
  // (A parse error here is the one the general path reports first.)
  KS_ASSIGN_OR_RETURN(CachedCondition parsed, ParseConditionCached(expression));
  KS_RETURN_IF_ERROR(parsed->Resolve(core::expr::ExpressionAttributes()));
  const absl::string_view key_names[2] = {ToAbsl(schema_.partition_key_name()),
                                          ToAbsl(sort_key)};
  const ItemCheck check = parsed->KeyExistenceCheck(
      absl::MakeConstSpan(key_names, schema_.has_sort_key() ? 2 : 1));
  memo.expression.assign(expression);
  memo.partition_key.assign(schema_.partition_key_name());
  memo.sort_key.assign(sort_key);
  memo.check = check;
  memo.stamp = stamp;
  memo.table = table_stamp_;
  return check;
}

absl::StatusOr<WriteResult> DatabaseImpl::Put(const Key& key, const Item& item,
                                              const PutOptions& options,
                                              bool key_of_item) {
  KS_RETURN_IF_ERROR(CheckPutDeleteReturnValues(options.return_values()));
  if (options.condition().expression.empty() &&
      options.condition().names.empty() && options.condition().values.empty() &&
      options.return_values() == ReturnValues::kNone &&
      options.condition().on_failure ==
          ReturnValuesOnConditionCheckFailure::kNone) {
    KS_RETURN_IF_ERROR(Put(key, item, key_of_item));  // the plain path
    return WriteResult();
  }
  const WriteCondition& condition = options.condition();
  if (options.return_values() == ReturnValues::kNone &&
      condition.on_failure == ReturnValuesOnConditionCheckFailure::kNone &&
      condition.names.empty() && condition.values.empty() &&
      !condition.expression.empty()) {
    // Put-if-absent and put-if-present: a check of the item's existence.
    KS_ASSIGN_OR_RETURN(
        const ItemCheck check,
        ExistenceCheckOf(condition.expression, options.stamp()));
    if (check != ItemCheck::kOther) {
      KS_RETURN_IF_ERROR(
          PutIfItemExists(key, item, key_of_item, check == ItemCheck::kExists));
      return WriteResult();
    }
  }
  return PutOrDelete(this, WriteAction::kPut, key, &item, options.condition(),
                     options.return_values());
}

absl::StatusOr<WriteResult> DatabaseImpl::Delete(const Key& key,
                                                 const DeleteOptions& options) {
  KS_RETURN_IF_ERROR(CheckPutDeleteReturnValues(options.return_values()));
  return PutOrDelete(this, WriteAction::kDelete, key, nullptr,
                     options.condition(), options.return_values());
}

absl::StatusOr<Item> DatabaseImpl::Update(const Key& key,
                                          const kstone::Update& update) {
  const ReturnValues rv = update.return_values();
  // An Update without a condition equal to this thread's last one reuses
  // its preparation (a counter's increment, sent again and again).
  const bool memo = update.condition().expression.empty();
  // The item's lookup starts before the memo is consulted, so that its first
  // cache miss overlaps that work too.
  // (A bad key: PrepareAction reports it in its place.)
  WriteBuffers& buffers = WriteBuffers::ThisThread();
  const bool key_ok = EngineKeyInto(key, &buffers.engine_key).ok();
  const std::string& engine_key = buffers.engine_key;
  core::PrefetchHandle prefetched;
  if (key_ok) engine_->PrefetchForWrite(engine_key, &prefetched);
  const PreparedUpdateMemo::Request request = UpdateMemoRequest(
      update.expression(), update.condition(), update.stamp());
  if (memo && key_ok &&
      (rv == ReturnValues::kNone || rv == ReturnValues::kAllNew)) {
    const PreparedUpdateMemo::Prepared* prepared =
        PreparedUpdateMemo::ThisThread().Find(request);
    if (prepared != nullptr && prepared->flat) {
      std::optional<absl::StatusOr<Item>> done =
          TryFlatUpdate(key, engine_key, &prefetched, *prepared->tree,
                        /*return_new=*/rv == ReturnValues::kAllNew);
      if (done.has_value()) return std::move(*done);
    }
  }
  bool item_error = false;
  WriteAction action;
  if (key_ok) {
    action.engine_key = engine_key;
    action.prefetched = true;
    action.prefetch = std::move(prefetched);  // (empty if the short path ran)
  }
  if (memo) action.TakePreparedUpdate(request);
  KS_RETURN_IF_ERROR(PrepareAction(WriteAction::kUpdate, &key, nullptr,
                                   update.expression(), update.condition(),
                                   &action, &item_error));
  action.keep_old = update.return_values() == ReturnValues::kAllOld ||
                    update.return_values() == ReturnValues::kUpdatedOld;
  action.flat_update_returns_new =
      update.return_values() == ReturnValues::kAllNew;
  action.flat_update = (update.return_values() == ReturnValues::kNone ||
                        action.flat_update_returns_new) &&
                       !action.condition &&
                       core::expr::IsFlatUpdate(*action.update);
  const absl::Status status = ApplyAction(&action);
  absl::StatusOr<Item> result = status.ok()
                                    ? action.Returned(update.return_values())
                                    : absl::StatusOr<Item>(status);
  // Prepared without errors (PrepareAction returned above otherwise),
  // whatever the write's outcome.
  if (memo) action.KeepPreparedUpdate(request);
  return result;
}

PreparedUpdateMemo::Request DatabaseImpl::UpdateMemoRequest(
    std::string_view expression, const WriteCondition& condition,
    uint64_t stamp) const {
  return PreparedUpdateMemo::Request{
      expression,
      &condition.names,
      &condition.values,
      schema_.partition_key_name(),
      schema_.has_sort_key() ? std::string_view(schema_.sort_key_name())
                             : std::string_view(),
      stamp,
      table_stamp_};
}

bool DatabaseImpl::WriteAction::TakePreparedUpdate(
    const PreparedUpdateMemo::Request& request) {
  PreparedUpdateMemo::Prepared prepared;
  if (!PreparedUpdateMemo::ThisThread().Take(request, &prepared)) return false;
  names.swap(prepared.names);
  values.swap(prepared.values);
  update = CachedUpdate(std::move(prepared.tree), nullptr, nullptr);
  update_prepared = true;
  return true;
}

void DatabaseImpl::WriteAction::KeepPreparedUpdate(
    const PreparedUpdateMemo::Request& request) {
  PreparedUpdateMemo::Prepared prepared{std::move(names), std::move(values),
                                        update.Detach()};
  if (update_prepared) {
    // Taken from the memo (TakePreparedUpdate): it still knows the request.
    PreparedUpdateMemo::ThisThread().GiveBack(&prepared);
  } else {
    PreparedUpdateMemo::ThisThread().Keep(request, std::move(prepared));
  }
}

absl::StatusOr<Item> DatabaseImpl::WriteAction::Returned(ReturnValues rv) {
  switch (rv) {
    case ReturnValues::kNone:
      return Item();
    case ReturnValues::kAllOld:
      return old_item.has_value() ? ItemFromCore(std::move(*old_item)) : Item();
    case ReturnValues::kAllNew:
      if (new_public.has_value()) return std::move(*new_public);
      return new_item.has_value() ? ItemFromCore(std::move(*new_item)) : Item();
    case ReturnValues::kUpdatedOld:
    case ReturnValues::kUpdatedNew: {
      const std::optional<core::Item>& from =
          rv == ReturnValues::kUpdatedOld ? old_item : new_item;
      if (!from.has_value() || !update) return Item();
      std::vector<core::expr::DocumentPath> paths;
      for (const core::expr::DocumentPath* p : update->TargetPaths()) {
        paths.push_back(*p);
      }
      KS_ASSIGN_OR_RETURN(
          core::expr::ProjectionExpression projection,
          core::expr::ProjectionExpression::FromPaths(std::move(paths)));
      return ItemFromCore(projection.Apply(*from));
    }
  }
  return Item();
}

// The public forwarding methods.

absl::StatusOr<WriteResult> Database::Put(const Key& key, const Item& item,
                                          const PutOptions& options) {
  return impl_->Put(key, item, options, /*key_of_item=*/false);
}

absl::StatusOr<WriteResult> Database::Put(const Item& item,
                                          const PutOptions& options) {
  KS_ASSIGN_OR_RETURN(Key key, impl_->KeyOf(item));
  return impl_->Put(key, item, options, /*key_of_item=*/true);
}

absl::StatusOr<WriteResult> Database::Delete(const Key& key,
                                             const DeleteOptions& options) {
  return impl_->Delete(key, options);
}

absl::StatusOr<Item> Database::Update(const Key& key,
                                      const kstone::Update& update) {
  return impl_->Update(key, update);
}

}  // namespace kstone
