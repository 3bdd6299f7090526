#ifndef KSTONE_CORE_STORAGE_DISK_DISK_WAL_TEST_HOOKS_H_
#define KSTONE_CORE_STORAGE_DISK_DISK_WAL_TEST_HOOKS_H_

// Test-only views into the disk WAL (disk_wal.cc). Not for engine code.

#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"
#include "core/storage/wal.h"

namespace kstone::core {

// The number of operations queued in a disk WAL's group-commit queue,
// including the leader's. 0 if `wal` is not a disk WAL.
size_t TEST_DiskWalQueuedWriters(Wal* wal);

// Bytes of buffered appends not yet handed to the OS (as of the last group).
size_t TEST_DiskWalBufferedBytes(Wal* wal);

// Counts of a disk WAL's group commit since it was opened.
struct DiskWalGroupCounters {
  uint64_t synced_groups = 0;    // groups that wrote and synced
  uint64_t synced_appends = 0;   // appends in those groups
  uint64_t gathers = 0;          // leaders that waited for more writers
  uint64_t gathers_reached = 0;  // ... and saw their target queue in time
  uint64_t gathers_stalled = 0;  // ... gained writers, then none came
  absl::Duration gather_time;    // the gathers' total wait
  absl::Duration sync_time;      // the synced groups' total write + sync
};

// Zero counts if `wal` is not a disk WAL.
DiskWalGroupCounters TEST_DiskWalGroupCounters(Wal* wal);

// Waits until no append is buffered and no operation is queued (the flusher
// has written the buffer out). Returns at once if `wal` is not a disk WAL.
void TEST_DiskWalWaitUntilWrittenOut(Wal* wal);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_DISK_WAL_TEST_HOOKS_H_
