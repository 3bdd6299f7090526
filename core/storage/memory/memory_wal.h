#ifndef KSTONE_CORE_STORAGE_MEMORY_MEMORY_WAL_H_
#define KSTONE_CORE_STORAGE_MEMORY_MEMORY_WAL_H_

// MemoryWal: the WAL of an in-memory database. Batches are kept in memory,
// grouped into segments like the disk WAL, until the engine removes the
// segments it has flushed; sync is a no-op. Safe for concurrent use.

#include <memory>

#include "core/storage/wal.h"

namespace kstone::core {

std::unique_ptr<Wal> NewMemoryWal();

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_MEMORY_MEMORY_WAL_H_
