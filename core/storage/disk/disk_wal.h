#ifndef KSTONE_CORE_STORAGE_DISK_DISK_WAL_H_
#define KSTONE_CORE_STORAGE_DISK_DISK_WAL_H_

// The disk WAL: segments NNNNNN.log in the database directory, each a
// sequence of checksummed records (docs/formats/wal.md, wal_format.h), with
// group commit. And the disk manifest log (MANIFEST-NNNNNN + CURRENT), which
// reuses the WAL's record framing.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/table_store.h"
#include "core/storage/wal.h"

namespace kstone::core {

// `fs` must outlive the WAL. `dir` must exist.
absl::StatusOr<std::unique_ptr<Wal>> OpenDiskWal(FileSystem* fs,
                                                 const std::string& dir,
                                                 uint64_t segment_bytes);

// `fs` must outlive the log. `dir` must exist.
absl::StatusOr<std::unique_ptr<ManifestLog>> OpenDiskManifestLog(
    FileSystem* fs, const std::string& dir);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_DISK_WAL_H_
