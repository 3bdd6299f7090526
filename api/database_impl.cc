#include "api/database_impl.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/absl_compat.h"
#include "api/flat_item_encoder.h"
#include "api/item_decoder.h"
#include "api/schema_codec.h"
#include "api/value_internal.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/storage.h"
#include "core/types/decimal_text.h"
#include "core/types/item_codec.h"
#include "core/types/key_codec.h"
#include "core/types/validation.h"
#include "core/util/status_macros.h"
#include "kstone/errors.h"

namespace kstone {
namespace {

core::EngineOptions ToEngineOptions(const Options& options, bool in_memory) {
  core::EngineOptions e;
  e.memtable_max_records_per_stripe = options.memtable_max_records_per_stripe;
  e.memtable_max_bytes_per_stripe = options.memtable_max_bytes_per_stripe;
  e.total_memtable_bytes = options.total_memtable_bytes;
  if (e.total_memtable_bytes == 0) {
    e.total_memtable_bytes =
        std::max(in_memory ? Options::kDefaultTotalMemtableBytesInMemory
                           : Options::kDefaultTotalMemtableBytesOnDisk,
                 options.memtable_max_bytes_per_stripe);
  }
  switch (options.sync_mode) {
    case SyncMode::kEveryCommit:
      e.sync_mode = core::SyncMode::kEveryCommit;
      break;
    case SyncMode::kInterval:
      e.sync_mode = core::SyncMode::kInterval;
      break;
    case SyncMode::kNone:
      e.sync_mode = core::SyncMode::kNone;
      break;
  }
  e.sync_interval_ms = options.sync_interval_ms;
  e.background_threads = options.background_threads;
  e.max_tables_per_stripe = options.max_tables_per_stripe;
  e.idle_compaction_ms = options.idle_compaction_ms;
  if (e.idle_compaction_ms == Options::kIdleCompactionOfMedium) {
    e.idle_compaction_ms = in_memory ? Options::kDefaultIdleCompactionMsInMemory
                                     : Options::kDefaultIdleCompactionMsOnDisk;
  }
  return e;
}

core::DiskStorageOptions ToDiskOptions(const Options& options,
                                       DatabaseImpl::Mode mode) {
  core::DiskStorageOptions d;
  d.create_if_missing = mode == DatabaseImpl::Mode::kCreate;
  d.error_if_exists = mode == DatabaseImpl::Mode::kCreate;
  d.wal_segment_bytes = options.wal_segment_bytes;
  d.block_cache_bytes = options.block_cache_bytes;
  d.bloom_bits_per_key = options.bloom_bits_per_key;
  return d;
}

// Gives storage-open failures their stable codes, and makes sure the message
// names the database (the storage layer's usually does already).
absl::Status StorageOpenError(absl::Status s, std::string_view path) {
  if (!absl::StrContains(s.message(), ToAbsl(path))) {
    s = absl::Status(s.code(), absl::StrCat(ToAbsl(path), ": ", s.message()));
  }
  switch (s.code()) {
    case absl::StatusCode::kFailedPrecondition:
      return WithErrorCode(std::move(s), ErrorCode::kLocked);
    case absl::StatusCode::kInvalidArgument:
      return WithErrorCode(std::move(s), ErrorCode::kNotADatabase);
    default:
      return s;
  }
}

absl::Status KeyMismatch(std::string_view detail) {
  return absl::InvalidArgumentError(absl::StrCat(
      "The provided key element does not match the schema: ", ToAbsl(detail)));
}

absl::Status CheckKeyType(const Value& value, const std::string& name,
                          KeyType expected) {
  if (value.type() == ValueTypeOfKey(expected)) return absl::OkStatus();
  return KeyMismatch(absl::StrCat("key ", name, " expected type ",
                                  ToAbsl(KeyTypeName(expected)), ", got ",
                                  ToAbsl(ValueTypeName(value.type()))));
}

// Whether `value` is a key value of the type `expected` that EngineKeyInto's
// checks accept, and which it encodes without them (as *ref): an S or B
// with 1 to `max_bytes` bytes, or an N written as a plain decimal, encoded
// into `number_buf` (Number::kMaxOrderedLength bytes, which must outlive
// *ref; a number's text, at most ~130 bytes, is far below the key limits).
bool IsPlainKeyValue(const Value& value, ValueType expected, size_t max_bytes,
                     char* number_buf, core::KeyValueRef* ref) {
  if (value.type() != expected) return false;
  if (expected == ValueType::kNumber) {
    int digits = 0;
    const size_t n =
        core::EncodeDecimalTextOrdered(value.AsNumber(), number_buf, &digits);
    if (n == 0) return false;
    ref->type = core::ValueType::kNumber;
    ref->ordered = std::string_view(number_buf, n);
    ref->ordered_text_length =
        core::OrderedNumberTextLength(ref->ordered, digits);
    return true;
  }
  const std::string* bytes = ValueInternal::BytesOf(value);
  if (bytes == nullptr || bytes->empty() || bytes->size() > max_bytes) {
    return false;
  }
  ref->type = expected == ValueType::kString ? core::ValueType::kString
                                             : core::ValueType::kBinary;
  ref->bytes = *bytes;
  return true;
}

}  // namespace

DatabaseImpl::DatabaseImpl(std::unique_ptr<core::Engine> engine,
                           TableSchema schema, std::string path, bool in_memory)
    : engine_(std::move(engine)),
      schema_(std::move(schema)),
      partition_value_type_(ValueTypeOfKey(schema_.partition_key_type())),
      sort_value_type_(schema_.has_sort_key()
                           ? ValueTypeOfKey(schema_.sort_key_type())
                           : ValueType::kNull),
      path_(std::move(path)),
      in_memory_(in_memory) {}

DatabaseImpl::~DatabaseImpl() = default;

absl::StatusOr<std::unique_ptr<DatabaseImpl>> DatabaseImpl::Open(
    std::string_view path, Mode mode, const std::optional<TableSchema>& schema,
    const Options& options, core::FileSystem* fs) {
  KS_RETURN_IF_ERROR(options.Validate());
  if (schema.has_value()) KS_RETURN_IF_ERROR(schema->Validate());
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "database path is empty (use \":memory:\" for an in-memory database)");
  }
  const bool in_memory = path == kMemoryPath;

  absl::StatusOr<std::unique_ptr<core::Storage>> storage =
      in_memory ? core::OpenMemoryStorage()
                : core::OpenDiskStorage(
                      fs != nullptr ? fs : core::DefaultFileSystem(),
                      std::string(path), ToDiskOptions(options, mode));
  if (!storage.ok()) return StorageOpenError(storage.status(), path);
  const bool created = (*storage)->created();

  KS_ASSIGN_OR_RETURN(std::unique_ptr<core::Engine> engine,
                      core::Engine::Open(std::move(*storage),
                                         ToEngineOptions(options, in_memory)));

  TableSchema table_schema = schema.value_or(TableSchema());
  std::string metadata = engine->metadata();
  if (created || metadata.empty()) {
    // A new database records its schema before anything else happens. (An
    // empty blob on open means the creator crashed before this point; it
    // had no items, so the default schema is right.)
    if (created) {
      KS_RETURN_IF_ERROR(engine->SetMetadata(EncodeSchema(table_schema)));
    }
  } else {
    absl::StatusOr<TableSchema> stored = DecodeSchema(metadata);
    if (!stored.ok()) {
      return absl::DataLossError(
          absl::StrCat(ToAbsl(path), ": ", stored.status().message()));
    }
    table_schema = std::move(*stored);
  }

  auto impl = std::unique_ptr<DatabaseImpl>(
      new DatabaseImpl(std::move(engine), std::move(table_schema),
                       std::string(path), in_memory));
  const core::WalReplayReport& report = impl->engine_->recovery_report();
  if (report.truncated_tail) impl->recovery_message_ = report.message;
  return impl;
}

absl::StatusOr<std::string> DatabaseImpl::EngineKeyOf(const Key& key) const {
  std::string engine_key;
  KS_RETURN_IF_ERROR(EngineKeyInto(key, &engine_key));
  return engine_key;
}

absl::Status DatabaseImpl::EngineKeyInto(const Key& key,
                                         std::string* engine_key) const {
  // The common keys first: S or B values and plain decimal N values that
  // the checks below would accept, encoded without the checks' Status and
  // StatusOr results and their out-of-line calls. Anything else (another
  // number text, a wrong type, a size out of bounds) takes the checks,
  // which report it.
  char pk_ordered[core::Number::kMaxOrderedLength];
  char sk_ordered[core::Number::kMaxOrderedLength];
  core::KeyValueRef plain_pk;
  if (IsPlainKeyValue(key.partition_key(), partition_value_type_,
                      core::kMaxPartitionKeyBytes, pk_ordered, &plain_pk)) {
    if (!key.has_sort_key()) {
      core::EncodeValidEngineKeyInto(plain_pk, nullptr, core::kNamespaceItem,
                                     engine_key);
      return absl::OkStatus();
    }
    core::KeyValueRef plain_sk;
    if (sort_value_type_ != ValueType::kNull &&
        IsPlainKeyValue(key.sort_key(), sort_value_type_,
                        core::kMaxSortKeyBytes, sk_ordered, &plain_sk)) {
      core::EncodeValidEngineKeyInto(plain_pk, &plain_sk, core::kNamespaceItem,
                                     engine_key);
      return absl::OkStatus();
    }
  }
  KS_RETURN_IF_ERROR(CheckKeyType(key.partition_key(),
                                  schema_.partition_key_name(),
                                  schema_.partition_key_type()));
  if (key.has_sort_key()) {
    if (!schema_.has_sort_key()) {
      return KeyMismatch(
          absl::StrCat("the table has no sort key, but the "
                       "key has one (partition key ",
                       schema_.partition_key_name(), ")"));
    }
    KS_RETURN_IF_ERROR(CheckKeyType(key.sort_key(), schema_.sort_key_name(),
                                    schema_.sort_key_type()));
  }
  // The key's values by reference: no core::Key is built.
  core::Number pk_number;
  KS_ASSIGN_OR_RETURN(
      const core::KeyValueRef pk,
      KeyValueRefOf(key.partition_key(), "partition key", &pk_number));
  KS_RETURN_IF_ERROR(
      core::ValidateKeyValue(pk, schema_.partition_key_name(), true));
  if (!key.has_sort_key()) {
    core::EncodeValidEngineKeyInto(pk, nullptr, core::kNamespaceItem,
                                   engine_key);
    return absl::OkStatus();
  }
  core::Number sk_number;
  KS_ASSIGN_OR_RETURN(const core::KeyValueRef sk,
                      KeyValueRefOf(key.sort_key(), "sort key", &sk_number));
  KS_RETURN_IF_ERROR(
      core::ValidateKeyValue(sk, schema_.sort_key_name(), false));
  core::EncodeValidEngineKeyInto(pk, &sk, core::kNamespaceItem, engine_key);
  return absl::OkStatus();
}

absl::Status DatabaseImpl::CheckItemKey(const Key& key,
                                        const Item& item) const {
  const std::string& pk_name = schema_.partition_key_name();
  if (const Value* pk = item.Get(pk_name);
      pk != nullptr && *pk != key.partition_key()) {
    return absl::InvalidArgumentError(
        absl::StrCat("item attribute ", pk_name, " = ", pk->ToJson(),
                     " differs from the key's partition key ",
                     key.partition_key().ToJson()));
  }
  if (!schema_.has_sort_key()) return absl::OkStatus();
  const std::string& sk_name = schema_.sort_key_name();
  const Value* sk = item.Get(sk_name);
  if (sk == nullptr) return absl::OkStatus();
  if (!key.has_sort_key()) {
    return absl::InvalidArgumentError(
        absl::StrCat("item attribute ", sk_name, " = ", sk->ToJson(),
                     " but the key has no sort key"));
  }
  if (*sk != key.sort_key()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "item attribute ", sk_name, " = ", sk->ToJson(),
        " differs from the key's sort key ", key.sort_key().ToJson()));
  }
  return absl::OkStatus();
}

absl::Status DatabaseImpl::Put(const Key& key, const Item& item,
                               bool key_of_item) {
  KS_ASSIGN_OR_RETURN(std::string engine_key, EngineKeyOf(key));
  core::WriteBatch batch;
  batch.mutations.push_back(
      core::Mutation{core::RecordType::kValue, std::move(engine_key), ""});
  KS_RETURN_IF_ERROR(
      EncodePutValue(key, item, key_of_item, &batch.mutations[0].value));
  return engine_->Write(std::move(batch));
}

absl::Status DatabaseImpl::EncodePutValue(const Key& key, const Item& item,
                                          bool key_of_item,
                                          std::string* value) const {
  if (!key_of_item) KS_RETURN_IF_ERROR(CheckItemKey(key, item));
  // Most items are flat: validated and encoded in one pass.
  if (EncodeFlatItem(item, schema_.partition_key_name(),
                     schema_.has_sort_key()
                         ? std::string_view(schema_.sort_key_name())
                         : std::string_view(),
                     key.has_sort_key(), value)) {
    return absl::OkStatus();
  }
  KS_ASSIGN_OR_RETURN(core::Item core_item, ItemToCore(item));
  // Validate the item as stored, key attributes included (they count toward
  // the 400 KB limit).
  const std::string& pk_name = schema_.partition_key_name();
  if (!core_item.Has(pk_name)) {
    KS_ASSIGN_OR_RETURN(core::Value pk,
                        ValueInternal::ToCore(key.partition_key(), pk_name));
    core_item.Set(pk_name, std::move(pk));
  }
  if (key.has_sort_key() && !core_item.Has(schema_.sort_key_name())) {
    KS_ASSIGN_OR_RETURN(
        core::Value sk,
        ValueInternal::ToCore(key.sort_key(), schema_.sort_key_name()));
    core_item.Set(schema_.sort_key_name(), std::move(sk));
  }
  KS_RETURN_IF_ERROR(core::ValidateItemAttributes(core_item));

  std::string_view skip[2] = {pk_name,
                              schema_.has_sort_key()
                                  ? std::string_view(schema_.sort_key_name())
                                  : std::string_view()};
  *value = core::EncodeItem(core_item, absl::MakeConstSpan(skip, 2));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Item>> DatabaseImpl::Get(const Key& key) const {
  KS_ASSIGN_OR_RETURN(std::string engine_key, EngineKeyOf(key));
  KS_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                      engine_->Get(engine_key));
  if (!bytes.has_value()) return std::optional<Item>();
  KS_ASSIGN_OR_RETURN(Item item, DecodeStoredItem(*bytes, key, schema_, path_));
  return std::optional<Item>(std::move(item));
}

absl::Status DatabaseImpl::Delete(const Key& key) {
  KS_ASSIGN_OR_RETURN(std::string engine_key, EngineKeyOf(key));
  core::WriteBatch batch;
  batch.mutations.push_back(
      core::Mutation{core::RecordType::kDeletion, std::move(engine_key), ""});
  return engine_->Write(std::move(batch));
}

absl::StatusOr<Key> DatabaseImpl::KeyOf(const Item& item) const {
  const std::string& pk_name = schema_.partition_key_name();
  const Value* pk = item.Get(pk_name);
  if (pk == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "One or more parameter values were invalid: Missing the key ", pk_name,
        " in the item"));
  }
  KS_RETURN_IF_ERROR(CheckKeyType(*pk, pk_name, schema_.partition_key_type()));
  if (!schema_.has_sort_key()) return Key(*pk);
  const Value* sk = item.Get(schema_.sort_key_name());
  if (sk == nullptr) return Key(*pk);
  KS_RETURN_IF_ERROR(
      CheckKeyType(*sk, schema_.sort_key_name(), schema_.sort_key_type()));
  return Key(*pk, *sk);
}

absl::Status DatabaseImpl::Flush() { return engine_->Flush(); }

absl::Status DatabaseImpl::Compact() { return engine_->Compact(); }

DatabaseStats DatabaseImpl::Stats() const {
  core::EngineStats e = engine_->Stats();
  DatabaseStats s;
  s.last_sequence = e.last_sequence;
  s.memtable_bytes = e.memtable_bytes;
  s.memtable_records = e.memtable_records;
  s.tables = e.tables;
  s.table_bytes = e.table_bytes;
  s.table_entries = e.table_entries;
  s.table_filter_bytes = e.table_filter_bytes;
  s.stripes_in_use = e.stripes_in_use;
  s.wal_bytes = e.wal_bytes;
  s.wal_segments = e.wal_segments;
  s.flushes = e.flushes;
  s.compactions = e.compactions;
  return s;
}

}  // namespace kstone
