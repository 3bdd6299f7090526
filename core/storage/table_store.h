#ifndef KSTONE_CORE_STORAGE_TABLE_STORE_H_
#define KSTONE_CORE_STORAGE_TABLE_STORE_H_

// TableStore: where a database's tables live (a name -> table map, or a
// directory of SST files), and its manifest.
//
// ManifestLog: the manifest as an append-only log of opaque records (the
// engine encodes edits; see core/engine/manifest.h). Appends are atomic: after
// a crash a reader sees a prefix of the appended records. Rewrite replaces the
// whole log with a new one atomically (write new, sync, switch, sync the
// directory), so the log stays short.
//
// Thread safety: both are safe for concurrent use.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/storage/table.h"

namespace kstone::core {

class ManifestLog {
 public:
  virtual ~ManifestLog() = default;

  // Every record of the current log, in append order. A torn record at the
  // tail (an append interrupted by a crash) is dropped; corruption before the
  // tail is DataLoss naming the file and offset. Empty for a new database.
  virtual absl::StatusOr<std::vector<std::string>> ReadAll() = 0;

  // Appends one record and makes it durable before returning.
  virtual absl::Status Append(std::string_view record) = 0;

  // Atomically replaces the log with `records`.
  virtual absl::Status Rewrite(const std::vector<std::string>& records) = 0;
};

class TableStore {
 public:
  virtual ~TableStore() = default;

  // Starts a new table with the given (unused) number.
  virtual absl::StatusOr<std::unique_ptr<TableBuilder>> NewTable(
      uint64_t number) = 0;

  // Opens a finished table. NotFound if there is none with that number;
  // DataLoss (naming the file) if it is corrupt.
  virtual absl::StatusOr<std::shared_ptr<const Table>> OpenTable(
      uint64_t number) = 0;

  // Deletes a table. Open handles stay readable until released.
  virtual absl::Status DeleteTable(uint64_t number) = 0;

  // Numbers of every table present, finished or not (to find orphans left by
  // a crash in the middle of a flush or compaction).
  virtual absl::StatusOr<std::vector<uint64_t>> ListTables() = 0;

  virtual ManifestLog* manifest() = 0;

  // Whether CopyTableWithout is implemented (and much cheaper than building
  // the table anew from an iterator). The engine drops overwritten versions
  // from a stripe's oldest table between merges only where it is.
  virtual bool CanCopyTableWithout() const { return false; }
  // Makes table `number` (unused) a copy of the finished table `source`
  // without any record of the keys in `keys` (any order; keys it does not
  // hold are ignored). Returns the new table's meta, or nullopt if no record
  // was left (no table is made then). Unimplemented unless
  // CanCopyTableWithout().
  virtual absl::StatusOr<std::optional<TableMeta>> CopyTableWithout(
      uint64_t /*source*/, uint64_t /*number*/,
      const std::vector<std::string>& /*keys*/) {
    return absl::UnimplementedError("table store: CopyTableWithout");
  }
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_TABLE_STORE_H_
