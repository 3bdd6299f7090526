#ifndef KSTONE_CORE_STORAGE_MEMORY_MEMORY_WAL_H_
#define KSTONE_CORE_STORAGE_MEMORY_MEMORY_WAL_H_

// MemoryWal: the WAL of an in-memory database.
//
// An in-memory database ends with its process and is never reopened, so
// nothing could ever replay its log: keeping the batches would only double
// the memory of everything not yet flushed. The memory WAL therefore keeps
// no records. It accounts for what a disk WAL would hold instead — bytes
// (in the disk WAL's record format, approximately) and segments, which
// Rotate closes and RemoveSegmentsThrough drops — so that the engine rotates
// and cleans up its log, and reports WAL stats, the same way on both
// backends. Replay finds nothing; sync is a no-op. Safe for concurrent use;
// Append takes no lock.

#include <memory>

#include "core/storage/wal.h"

namespace kstone::core {

std::unique_ptr<Wal> NewMemoryWal();

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_MEMORY_MEMORY_WAL_H_
