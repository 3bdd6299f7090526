// Conditional Put / Delete, Update, and the per-item action machinery that
// batches and transactions share (database_transact.cc). Every conditional
// write runs inside Engine::WriteLocked: the item is read, the condition
// evaluated and the mutation logged under the item's stripe lock.

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
#include "api/request_internal.h"
#include "api/value_internal.h"
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

absl::StatusOr<std::unique_ptr<DatabaseImpl::WriteAction>>
DatabaseImpl::PrepareAction(int kind, const std::optional<Key>& key,
                            const Item* item, const std::string& update,
                            const WriteCondition& condition,
                            bool* item_error) const {
  auto action = std::make_unique<WriteAction>();
  action->kind = static_cast<WriteAction::Kind>(kind);
  action->pk_name = schema_.partition_key_name();
  if (schema_.has_sort_key()) action->sk_name = schema_.sort_key_name();

  // The expressions and their placeholders.
  *item_error = false;
  action->on_failure = condition.on_failure;
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
  if (!condition.expression.empty()) {
    KS_ASSIGN_OR_RETURN(
        core::expr::ConditionExpression cond,
        core::expr::ConditionExpression::Parse(ToAbsl(condition.expression)));
    KS_RETURN_IF_ERROR(cond.Resolve(attrs));
    cond.CollectPlaceholders(&use);
    action->condition.emplace(std::move(cond));
  }
  if (action->kind == WriteAction::kUpdate) {
    const core::KeySchema key_schema = CoreKeySchema(schema_);
    KS_ASSIGN_OR_RETURN(core::expr::UpdateExpression u,
                        core::expr::UpdateExpression::Parse(ToAbsl(update)));
    KS_RETURN_IF_ERROR(u.Resolve(attrs, &key_schema));
    u.CollectPlaceholders(&use);
    action->update.emplace(std::move(u));
  }
  KS_RETURN_IF_ERROR(core::expr::CheckAllPlaceholdersUsed(attrs, use));

  // The key and the item.
  *item_error = true;
  if (key.has_value()) {
    action->key = *key;
  } else {
    KS_ASSIGN_OR_RETURN(action->key, KeyOf(*item));
  }
  KS_ASSIGN_OR_RETURN(action->engine_key, EngineKeyOf(action->key));
  KS_ASSIGN_OR_RETURN(action->pk,
                      ValueInternal::ToCore(action->key.partition_key(),
                                            schema_.partition_key_name()));
  if (action->key.has_sort_key()) {
    KS_ASSIGN_OR_RETURN(
        core::Value sk,
        ValueInternal::ToCore(action->key.sort_key(), schema_.sort_key_name()));
    action->sk = std::move(sk);
  }
  if (action->kind == WriteAction::kPut) {
    KS_RETURN_IF_ERROR(CheckItemKey(action->key, *item));
    KS_ASSIGN_OR_RETURN(action->put_item, ItemToCore(*item));
    action->AddKey(&action->put_item);
    KS_RETURN_IF_ERROR(core::ValidateItemAttributes(action->put_item));
  }
  *item_error = false;
  return action;
}

void DatabaseImpl::WriteAction::AddKey(core::Item* item) const {
  if (!item->Has(pk_name)) item->Set(pk_name, pk);
  if (sk.has_value() && !item->Has(sk_name)) item->Set(sk_name, *sk);
}

absl::Status DatabaseImpl::EvaluateAction(const core::LockedReader& reader,
                                          WriteAction* action) const {
  action->old_item.reset();
  action->new_item.reset();
  action->mutation.reset();
  KS_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                      reader.Get(action->engine_key));
  if (bytes.has_value()) {
    absl::StatusOr<core::Item> old = core::DecodeItem(*bytes);
    if (!old.ok()) {
      return absl::DataLossError(absl::StrCat("item ", action->key.ToString(),
                                              " in ", path_, ": ",
                                              old.status().message()));
    }
    action->AddKey(&*old);
    action->old_item = std::move(*old);
  }
  const core::Item* old =
      action->old_item.has_value() ? &*action->old_item : nullptr;
  if (action->condition.has_value() && !action->condition->Evaluate(old)) {
    return MakeError(ErrorCode::kConditionalCheckFailed,
                     "The conditional request failed");
  }
  switch (action->kind) {
    case WriteAction::kPut:
      action->new_item = action->put_item;
      action->mutation =
          core::Mutation{core::RecordType::kValue, action->engine_key,
                         action->EncodeStored(action->put_item)};
      break;
    case WriteAction::kDelete:
      if (old != nullptr) {
        action->mutation =
            core::Mutation{core::RecordType::kDeletion, action->engine_key, ""};
      }
      break;
    case WriteAction::kUpdate: {
      if (old == nullptr && action->update->OnlyRemovesOrDeletes()) break;
      KS_ASSIGN_OR_RETURN(core::Item updated, action->update->Apply(old));
      action->AddKey(&updated);
      KS_RETURN_IF_ERROR(core::ValidateItemAttributes(updated));
      action->mutation =
          core::Mutation{core::RecordType::kValue, action->engine_key,
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
  absl::Status status =
      engine_->WriteLocked({action->engine_key},
                           [&](const core::LockedReader& reader)
                               -> absl::StatusOr<std::vector<core::Mutation>> {
                             KS_RETURN_IF_ERROR(EvaluateAction(reader, action));
                             std::vector<core::Mutation> m;
                             if (action->mutation.has_value()) {
                               m.push_back(std::move(*action->mutation));
                             }
                             return m;
                           });
  if (ErrorCodeOf(status) == ErrorCode::kConditionalCheckFailed &&
      action->on_failure == ReturnValuesOnConditionCheckFailure::kAllOld &&
      action->old_item.has_value()) {
    status.SetPayload(ToAbsl(kConditionItemPayloadUrl),
                      absl::Cord(core::EncodeItem(*action->old_item)));
  }
  return status;
}

namespace {

// A conditional Put or Delete (kind), returning per `rv`.
absl::StatusOr<WriteResult> PutOrDelete(DatabaseImpl* db, int kind,
                                        const Key& key, const Item* item,
                                        const WriteCondition& condition,
                                        ReturnValues rv) {
  bool item_error = false;
  KS_ASSIGN_OR_RETURN(
      std::unique_ptr<DatabaseImpl::WriteAction> action,
      db->PrepareAction(kind, key, item, "", condition, &item_error));
  KS_RETURN_IF_ERROR(db->ApplyAction(action.get()));
  WriteResult result;
  if (rv == ReturnValues::kAllOld && action->old_item.has_value()) {
    result.attributes = ItemFromCore(std::move(*action->old_item));
  }
  return result;
}

}  // namespace

absl::StatusOr<WriteResult> DatabaseImpl::Put(const Key& key, const Item& item,
                                              const PutOptions& options) {
  KS_RETURN_IF_ERROR(CheckPutDeleteReturnValues(options.return_values()));
  if (options.condition().expression.empty() &&
      options.condition().names.empty() && options.condition().values.empty() &&
      options.return_values() == ReturnValues::kNone &&
      options.condition().on_failure ==
          ReturnValuesOnConditionCheckFailure::kNone) {
    KS_RETURN_IF_ERROR(Put(key, item));  // the plain, lock-free path
    return WriteResult();
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
  bool item_error = false;
  KS_ASSIGN_OR_RETURN(
      std::unique_ptr<WriteAction> action,
      PrepareAction(WriteAction::kUpdate, key, nullptr, update.expression(),
                    update.condition(), &item_error));
  KS_RETURN_IF_ERROR(ApplyAction(action.get()));
  return action->Returned(update.return_values());
}

absl::StatusOr<Item> DatabaseImpl::WriteAction::Returned(
    ReturnValues rv) const {
  switch (rv) {
    case ReturnValues::kNone:
      return Item();
    case ReturnValues::kAllOld:
      return old_item.has_value() ? ItemFromCore(*old_item) : Item();
    case ReturnValues::kAllNew:
      return new_item.has_value() ? ItemFromCore(*new_item) : Item();
    case ReturnValues::kUpdatedOld:
    case ReturnValues::kUpdatedNew: {
      const std::optional<core::Item>& from =
          rv == ReturnValues::kUpdatedOld ? old_item : new_item;
      if (!from.has_value() || !update.has_value()) return Item();
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
  return impl_->Put(key, item, options);
}

absl::StatusOr<WriteResult> Database::Put(const Item& item,
                                          const PutOptions& options) {
  KS_ASSIGN_OR_RETURN(Key key, impl_->KeyOf(item));
  return impl_->Put(key, item, options);
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
