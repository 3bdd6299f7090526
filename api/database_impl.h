#ifndef KSTONE_API_DATABASE_IMPL_H_
#define KSTONE_API_DATABASE_IMPL_H_

// DatabaseImpl: what a Database handle shares. It owns the engine, holds the
// table schema, and turns public items and keys into engine records:
//
//   engine key   = core::EncodeEngineKey(key)  (stripe, namespace, pk, sk)
//   engine value = core::EncodeItem(item without its key attributes)
//
// Get rebuilds the key attributes from the key, so they are stored once.
//
// Thread safety: safe for concurrent use. Every member is constant after
// Open; the engine is safe for concurrent use.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "api/prepared_update_memo.h"
#include "core/engine/engine.h"
#include "core/expr/condition_expression.h"
#include "core/storage/disk/file_system.h"
#include "core/types/item.h"
#include "core/types/key.h"
#include "kstone/database.h"
#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/options.h"
#include "kstone/schema.h"
#include "kstone/write_options.h"

namespace kstone {

class DatabaseImpl {
 public:
  enum class Mode {
    kCreate,  // a new database; ALREADY_EXISTS if one is there
    kOpen,    // an existing database; NOT_FOUND if there is none
  };

  // Opens or creates the database at `path` (":memory:" for memory). For
  // kCreate, `schema` is stored; for kOpen it must be nullopt and the
  // stored schema is used.
  // `fs` (nullptr: the operating system's) is for tests that inject faults
  // (api/database_testing.h).
  static absl::StatusOr<std::unique_ptr<DatabaseImpl>> Open(
      std::string_view path, Mode mode,
      const std::optional<TableSchema>& schema, const Options& options,
      core::FileSystem* fs = nullptr);

  DatabaseImpl(const DatabaseImpl&) = delete;
  DatabaseImpl& operator=(const DatabaseImpl&) = delete;
  ~DatabaseImpl();

  // `key_of_item`: `key` is KeyOf(item), so the item's key attributes are
  // not compared with it again (CheckItemKey).
  absl::Status Put(const Key& key, const Item& item, bool key_of_item);
  absl::StatusOr<std::optional<Item>> Get(const Key& key) const;
  absl::Status Delete(const Key& key);
  absl::StatusOr<Key> KeyOf(const Item& item) const;
  // Query and Scan (api/database_query.cc).
  absl::StatusOr<QueryResult> Query(const kstone::Query& query) const;
  absl::StatusOr<ScanResult> Scan(const kstone::Scan& scan) const;
  absl::Status ScanEach(const kstone::Scan& scan,
                        absl::FunctionRef<bool(const Item&)> visit) const;
  // The engine key of a StartAfter key, checked against the schema like any
  // key (VALIDATION "The provided starting key is invalid: ..." naming the
  // problem: a sort key on a table without one, a wrong type, ...).
  absl::StatusOr<std::string> CheckStartKey(const Key& start) const;
  // End of Query and Scan.

  // Conditional writes, Update, batches and transactions
  // (database_write.cc, database_transact.cc).
  absl::StatusOr<WriteResult> Put(const Key& key, const Item& item,
                                  const PutOptions& options, bool key_of_item);
  absl::StatusOr<WriteResult> Delete(const Key& key,
                                     const DeleteOptions& options);
  absl::StatusOr<Item> Update(const Key& key, const kstone::Update& update);
  absl::StatusOr<std::vector<std::optional<Item>>> BatchGet(
      const std::vector<Key>& keys) const;
  absl::Status BatchWrite(const kstone::BatchWrite& batch);
  absl::StatusOr<std::vector<std::optional<Item>>> TransactGet(
      const std::vector<Key>& keys) const;
  TransactWriteResult TransactWrite(const kstone::TransactWrite& transaction);
  // A prepared single-item action (database_write.cc).
  struct WriteAction;
  // Validates and parses one action (kind: WriteAction::Kind) on `key`
  // (null: the Put item's key), which the action borrows: it must outlive
  // the action. Fills *action, a fresh WriteAction (on the caller's stack or
  // in a vector that does not grow), which must not move afterwards (its
  // expressions point into its placeholder maps). On failure *item_error
  // tells a bad key or item (true) from a bad expression (false).
  absl::Status PrepareAction(int kind, const Key* key, const Item* item,
                             const std::string& update,
                             const WriteCondition& condition,
                             WriteAction* action, bool* item_error) const;
  // Checks the condition and computes the mutation of `action` against the
  // current state. CONDITIONAL_CHECK_FAILED if the condition is false.
  absl::Status EvaluateAction(const core::LockedReader& reader,
                              WriteAction* action) const;
  // Runs one single-item action under its stripe lock (EvaluateAction, then
  // its mutation). A CONDITIONAL_CHECK_FAILED status carries the old item
  // when the action asked for it (ConditionCheckFailureItem).
  absl::Status ApplyAction(WriteAction* action);
  // Transaction idempotency tokens (database_transact.cc). TransactWrite
  // handles the token around RunTransactWrite, which does the work.
  TransactWriteResult RunTransactWrite(const kstone::TransactWrite& tx);
  struct TokenCache;
  TokenCache& tokens();
  // For tests (api/database_testing.h): the clock that dates tokens, how
  // many are kept, and how many are held now.
  void SetTokenClockForTesting(
      std::function<std::chrono::steady_clock::time_point()> clock);
  void SetTokenCapacityForTesting(size_t capacity);
  size_t RememberedTokensForTesting();
  // Created by the first tokens() call. A mutex rather than absl::call_once:
  // TSan sees (through tests/testing/tsan) absl::Mutex but not Debian's
  // uninstrumented call_once, and this runs once per transaction with a token.
  absl::Mutex tokens_mu_;
  std::shared_ptr<TokenCache> tokens_ ABSL_GUARDED_BY(tokens_mu_);
  // End of conditional writes, Update, batches and transactions.
  absl::Status Flush();
  absl::Status Compact();
  DatabaseStats Stats() const;

  const TableSchema& schema() const { return schema_; }
  const std::string& path() const { return path_; }
  bool in_memory() const { return in_memory_; }
  const std::string& recovery_message() const { return recovery_message_; }

 private:
  DatabaseImpl(std::unique_ptr<core::Engine> engine, TableSchema schema,
               std::string path, bool in_memory);

  // The engine key of `key`, after checking it against the schema and
  // DynamoDB's key rules (VALIDATION naming the key attribute).
  absl::StatusOr<std::string> EngineKeyOf(const Key& key) const;
  // EngineKeyOf into *engine_key (replacing it, reusing its memory).
  absl::Status EngineKeyInto(const Key& key, std::string* engine_key) const;
  // Checks that `item`'s key attributes, where present, equal `key`.
  absl::Status CheckItemKey(const Key& key, const Item& item) const;
  // The stored form of a Put of `item` under `key` (checked against the key
  // unless `key_of_item`, validated, without the key attributes) in *value.
  absl::Status EncodePutValue(const Key& key, const Item& item,
                              bool key_of_item, std::string* value) const;
  // What the preparation of an Update (`expression` with `condition`'s
  // placeholders) depends on, for PreparedUpdateMemo; `stamp` is that of
  // the kstone::Update that holds both, 0 if none does.
  PreparedUpdateMemo::Request UpdateMemoRequest(std::string_view expression,
                                                const WriteCondition& condition,
                                                uint64_t stamp = 0) const;
  // Converts `key` for the engine into action->engine_key and starts loading
  // the stored item's probes (Engine::PrefetchForWrite, keeping its handle
  // in action->prefetch for ApplyAction), setting action->prefetched;
  // PrepareAction then takes the key as it is. A bad key's error leaves the
  // action as it was.
  absl::Status StartItemLookup(const Key& key, WriteAction* action) const;
  // An Update of `key` (engine key `engine_key`, whose lookup
  // Engine::PrefetchForWrite started, leaving *prefetched) with a prepared
  // `update` for which core::expr::IsFlatUpdate holds, without a condition,
  // returning nothing or (`return_new`) the new item: the stored bytes patched
  // under the stripe lock by core::expr::ApplyFlatUpdate
  // (database_flat_update.cc), in the thread's WriteBuffers. Returns nullopt,
  // having written nothing, when the patch does not apply (no stored item, an
  // attribute of another type, an item that might pass the size limit): the
  // general path then does the Update.
  std::optional<absl::StatusOr<Item>> TryFlatUpdate(
      const Key& key, const std::string& engine_key,
      core::PrefetchHandle* prefetched,
      const core::expr::UpdateExpression& update, bool return_new);
  // What a Put's condition without placeholders asks about the stored item
  // (ConditionExpression::KeyExistenceCheck), remembered per thread for the
  // last condition; errors are those of parsing it. `stamp`: that of the
  // PutOptions holding `expression` (0: none).
  using ItemCheck = core::expr::ConditionExpression::ItemCheck;
  absl::StatusOr<ItemCheck> ExistenceCheckOf(std::string_view expression,
                                             uint64_t stamp) const;
  // A Put whose condition only asks whether the item exists
  // (attribute_exists / attribute_not_exists of a key attribute): the
  // stored item's existence checked under the stripe lock, without the
  // general path's expression and action machinery (database_write.cc).
  absl::Status PutIfItemExists(const Key& key, const Item& item,
                               bool key_of_item, bool must_exist);

  // Constant after construction.
  const std::unique_ptr<core::Engine> engine_;
  const TableSchema schema_;
  // The value types of the schema's keys (kNull: no sort key), for
  // EngineKeyInto's check of the common keys.
  const ValueType partition_value_type_;
  const ValueType sort_value_type_;
  // Names this table's key schema for PreparedUpdateMemo (never reused in
  // the process, unlike the object's address).
  const uint64_t table_stamp_ = internal::NewRequestStamp();
  const std::string path_;
  const bool in_memory_;
  std::string recovery_message_;
};

}  // namespace kstone

#endif  // KSTONE_API_DATABASE_IMPL_H_
