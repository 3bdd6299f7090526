#ifndef KSTONE_DATABASE_H_
#define KSTONE_DATABASE_H_

// Database: a handle to one kstone database (one table of items).
//
// A database lives in a directory on disk or entirely in memory (":memory:"),
// with the same semantics. A Database is a cheap, copyable handle: copies
// share one open database, which is closed when the last handle goes. All
// operations are safe from any number of threads, and single-item operations
// are linearizable.
//
// Items are addressed by their Key. Every write validates its item and key
// against DynamoDB's rules and the table's schema first; a VALIDATION error
// names the attribute and nothing is written. Items that Get returns carry
// their key attributes.
//
// Example:
//
//   absl::StatusOr<kstone::Database> db = kstone::Database::Open(":memory:");
//   if (!db.ok()) return db.status();
//   absl::Status s = db->Put(kstone::Key("user#1"),
//                            kstone::ItemBuilder().String("name",
//                            "Ann").Build());
//   absl::StatusOr<std::optional<kstone::Item>> item =
//       db->Get(kstone::Key("user#1"));
//   if (item.ok() && item->has_value()) {
//     std::cout << (*item)->ToJson() << "\n";  // {"name":"Ann","pk":"user#1"}
//   }
//
// Errors (see kstone/errors.h for the codes): VALIDATION for bad input,
// NOT_FOUND for a missing database, ALREADY_EXISTS for a create over an
// existing one, LOCKED when another handle or process has the directory open,
// NOT_A_DATABASE for a directory that is not one, CORRUPTION for damaged
// files (naming the file), IO_ERROR for operating system failures. After a
// failed write-ahead-log write every later write fails with the same error.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kstone/batch.h"
#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/options.h"
#include "kstone/query.h"
#include "kstone/schema.h"
#include "kstone/transaction.h"
#include "kstone/update.h"
#include "kstone/write_options.h"

namespace kstone {

class DatabaseImpl;

// A snapshot of counters, for monitoring and the shell's .stats.
struct DatabaseStats {
  uint64_t last_sequence = 0;     // sequence number of the newest write
  uint64_t memtable_bytes = 0;    // in memtables (active + immutable)
  uint64_t memtable_records = 0;  // records in memtables (incl. deletions)
  uint64_t tables = 0;            // SSTs
  uint64_t table_bytes = 0;
  uint64_t table_entries = 0;  // records in SSTs (incl. old versions)
  // Memory of the filters over each stripe's SSTs (one per stripe that has
  // one: docs/architecture.md, "One filter over the tables").
  uint64_t table_filter_bytes = 0;
  uint64_t stripes_in_use = 0;
  uint64_t wal_bytes = 0;
  uint64_t wal_segments = 0;
  uint64_t flushes = 0;      // since open
  uint64_t compactions = 0;  // since open
};

// The special path that names an in-memory database.
inline constexpr std::string_view kMemoryPath = ":memory:";

class Database {
 public:
  // A fresh in-memory database; nothing touches disk. Its data is gone when
  // the last handle goes.
  static absl::StatusOr<Database> CreateInMemory();
  static absl::StatusOr<Database> CreateInMemory(const Options& options);
  static absl::StatusOr<Database> CreateInMemoryWithSchema(
      const TableSchema& schema);
  static absl::StatusOr<Database> CreateInMemoryWithSchema(
      const TableSchema& schema, const Options& options);

  // A new database in directory `path` (created if missing). ALREADY_EXISTS
  // if a database is already there; VALIDATION for an invalid schema or
  // options; IO_ERROR if the directory cannot be created.
  static absl::StatusOr<Database> Create(std::string_view path);
  static absl::StatusOr<Database> Create(std::string_view path,
                                         const Options& options);
  static absl::StatusOr<Database> CreateWithSchema(std::string_view path,
                                                   const TableSchema& schema);
  static absl::StatusOr<Database> CreateWithSchema(std::string_view path,
                                                   const TableSchema& schema,
                                                   const Options& options);

  // Opens the existing database in `path`, with the schema stored in it.
  // ":memory:" is the same as CreateInMemory(). NOT_FOUND if there is no
  // database; NOT_A_DATABASE if `path` holds something else; LOCKED if it is
  // open elsewhere (in this or another process); CORRUPTION naming the file
  // if its metadata is damaged. A torn write-ahead-log tail (a crash in the
  // middle of a write) is cut off, not an error; see recovery_message().
  static absl::StatusOr<Database> Open(std::string_view path);
  static absl::StatusOr<Database> Open(std::string_view path,
                                       const Options& options);

  Database(const Database&) = default;
  Database& operator=(const Database&) = default;
  Database(Database&&) = default;
  Database& operator=(Database&&) = default;
  ~Database();

  // Stores `item` under `key`, replacing any item there. The item's key
  // attributes may be absent (they are taken from `key`) or equal to it.
  // VALIDATION if the key does not match the schema (wrong type, empty,
  // too long, a sort key on a table without one), if the item holds a key
  // attribute with a different value, or if the item breaks a DynamoDB limit
  // (400 KB, nesting 32, invalid UTF-8, empty or duplicate sets, bad number).
  absl::Status Put(const Key& key, const Item& item);
  // Stores `item` under the key taken from its key attributes. VALIDATION if
  // the partition key attribute is missing or of the wrong type, or as above.
  absl::Status Put(const Item& item);

  // The item stored under `key` (with its key attributes), or nullopt if
  // there is none. VALIDATION for a key that does not match the schema.
  absl::StatusOr<std::optional<Item>> Get(const Key& key) const;

  // Deletes the item under `key`. Deleting a missing item succeeds.
  // VALIDATION for a key that does not match the schema.
  absl::Status Delete(const Key& key);

  // Query and Scan (kstone/query.h; api/database_query.cc).
  // One page of the items of one partition / of the table (or a segment).
  // VALIDATION for a bad key condition, expression, placeholder, limit,
  // segment or start key.
  absl::StatusOr<QueryResult> Query(const kstone::Query& query) const;
  absl::StatusOr<ScanResult> Scan(const kstone::Scan& scan) const;
  // Visits the items of `scan` one at a time, in Scan's order, without
  // pages: `visit` gets each item and returns true to go on or false to
  // stop. For reading a whole table (or segment) this is what an iterator is
  // in LevelDB: no 1 MB pages to re-seek, and (without a filter or
  // projection) no Item built per item — each is decoded into one object
  // reused for every item. The Item passed is valid only during the call
  // (copy what you keep). Filter, projection, Limit (items read, as in
  // Scan), StartAfter and Segment apply as in Scan; VALIDATION for what Scan
  // rejects and for SelectCount. Each stripe is read from a snapshot taken
  // when the visit reaches it, so writes made meanwhile (`visit` may write
  // to the database) may or may not be visited; no item is visited twice.
  // Returns the first error of reading (DataLoss for a corrupt record), or
  // OK when the visit ends.
  absl::Status ScanEach(const kstone::Scan& scan,
                        absl::FunctionRef<bool(const Item&)> visit) const;
  // End of Query and Scan.

  // The key of `item` per the schema. VALIDATION if a key attribute is
  // missing (the partition key) or of the wrong type.
  absl::StatusOr<Key> KeyOf(const Item& item) const;

  // Conditional writes, Update, batches and transactions
  // (kstone/write_options.h, update.h, batch.h, transaction.h).
  //
  // Put / Delete with a condition and ReturnValues (kNone or kAllOld, else
  // VALIDATION). CONDITIONAL_CHECK_FAILED if the condition is false; nothing
  // is written then.
  absl::StatusOr<WriteResult> Put(const Key& key, const Item& item,
                                  const PutOptions& options);
  absl::StatusOr<WriteResult> Put(const Item& item, const PutOptions& options);
  absl::StatusOr<WriteResult> Delete(const Key& key,
                                     const DeleteOptions& options);
  // Applies `update` to the item under `key` (creating it unless the update
  // only removes or deletes); returns per update.return_values() (default:
  // the whole new item).
  absl::StatusOr<Item> Update(const Key& key, const kstone::Update& update);
  // One entry per key, in order; nullopt for a missing item.
  absl::StatusOr<std::vector<std::optional<Item>>> BatchGet(
      const std::vector<Key>& keys) const;
  // All puts and deletes as one atomic write (stronger than DynamoDB).
  absl::Status BatchWrite(const kstone::BatchWrite& batch);
  // The items as of one instant (stripe locks held while reading).
  absl::StatusOr<std::vector<std::optional<Item>>> TransactGet(
      const std::vector<Key>& keys) const;
  TransactWriteResult TransactWrite(const kstone::TransactWrite& transaction);
  // End of conditional writes, Update, batches and transactions.

  // Writes every memtable to tables and waits for it.
  absl::Status Flush();
  // Compacts every stripe to at most one table and waits for it.
  absl::Status Compact();
  DatabaseStats Stats() const;

  const TableSchema& schema() const;
  // The directory, or ":memory:".
  const std::string& path() const;
  bool in_memory() const;
  // What recovery did on open ("" if nothing was cut off the WAL tail).
  const std::string& recovery_message() const;

 private:
  friend class DatabaseTesting;  // test hooks (api/database_testing.h)
  explicit Database(std::shared_ptr<DatabaseImpl> impl);
  static absl::StatusOr<Database> Make(std::string_view path, bool create,
                                       const std::optional<TableSchema>& schema,
                                       const Options& options);

  std::shared_ptr<DatabaseImpl> impl_;
};

}  // namespace kstone

#endif  // KSTONE_DATABASE_H_
