#ifndef KSTONE_CORE_STORAGE_DISK_DISK_WAL_TEST_HOOKS_H_
#define KSTONE_CORE_STORAGE_DISK_DISK_WAL_TEST_HOOKS_H_

// Test-only views into the disk WAL (disk_wal.cc). Not for engine code.

#include <cstddef>

#include "core/storage/wal.h"

namespace kstone::core {

// The number of operations queued in a disk WAL's group-commit queue,
// including the leader's. 0 if `wal` is not a disk WAL.
size_t TEST_DiskWalQueuedWriters(Wal* wal);

// Bytes of buffered appends not yet handed to the OS (as of the last group).
size_t TEST_DiskWalBufferedBytes(Wal* wal);

// Waits until no append is buffered and no operation is queued (the flusher
// has written the buffer out). Returns at once if `wal` is not a disk WAL.
void TEST_DiskWalWaitUntilWrittenOut(Wal* wal);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_DISK_WAL_TEST_HOOKS_H_
