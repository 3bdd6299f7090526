#ifndef KSTONE_CORE_STORAGE_STORAGE_H_
#define KSTONE_CORE_STORAGE_STORAGE_H_

// Storage: everything a database lives on, as the engine sees it: one Wal and
// one TableStore (with its manifest). The engine is written once against this
// and never asks which backend it runs on.
//
//   OpenMemoryStorage()          core/storage/memory/memory_storage.cc
//   OpenDiskStorage(fs, dir,...) core/storage/disk/disk_storage.cc
//
// Thread safety: the accessors are safe for concurrent use; see each trait.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/storage/table_store.h"
#include "core/storage/wal.h"

namespace kstone::core {

class FileSystem;

class Storage {
 public:
  virtual ~Storage() = default;
  virtual Wal* wal() = 0;
  virtual TableStore* tables() = 0;
  // True if the storage was created by this open (no earlier database).
  virtual bool created() const = 0;
  // A short description for messages and stats: ":memory:" or the directory.
  virtual std::string description() const = 0;
};

// A fresh, empty in-memory database. Nothing touches disk.
absl::StatusOr<std::unique_ptr<Storage>> OpenMemoryStorage();

struct DiskStorageOptions {
  bool create_if_missing = false;  // create the directory and an empty db
  bool error_if_exists = false;    // AlreadyExists if a database is there
  uint64_t wal_segment_bytes = 64 << 20;  // rotate the WAL past this size
  uint64_t block_size = 4096;             // SST data block target size
  uint64_t block_cache_bytes = 64 << 20;  // shared by all SSTs of the db
  int bloom_bits_per_key = 10;
};

// Opens (or creates) a directory database on `fs`, taking its exclusive lock
// file (FailedPrecondition naming the directory if another Storage or
// process holds it). NotFound if there is no database and
// !create_if_missing; InvalidArgument if `dir` exists but is not a kstone
// database. `fs` must outlive the Storage.
absl::StatusOr<std::unique_ptr<Storage>> OpenDiskStorage(
    FileSystem* fs, const std::string& dir, const DiskStorageOptions& options);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_STORAGE_H_
