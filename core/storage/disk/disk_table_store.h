#ifndef KSTONE_CORE_STORAGE_DISK_DISK_TABLE_STORE_H_
#define KSTONE_CORE_STORAGE_DISK_DISK_TABLE_STORE_H_

// The disk TableStore: SST files named NNNNNN.sst in the database directory,
// read with pread through one block cache shared by all of them, plus the
// manifest log it is handed.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/table_store.h"

namespace kstone::core {

struct DiskTableOptions {
  uint64_t block_size = 4096;
  uint64_t block_cache_bytes = 64 << 20;
  int bloom_bits_per_key = 10;
  // Map each SST read-only and read its blocks in place (the block cache
  // then only serves tables the file system could not map).
  bool map_files = true;
};

// `fs` must outlive the store. `dir` must exist.
absl::StatusOr<std::unique_ptr<TableStore>> OpenDiskTableStore(
    FileSystem* fs, const std::string& dir,
    std::unique_ptr<ManifestLog> manifest, const DiskTableOptions& options);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_DISK_TABLE_STORE_H_
