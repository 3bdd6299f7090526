#ifndef KSTONE_CORE_STORAGE_WAL_H_
#define KSTONE_CORE_STORAGE_WAL_H_

// Wal: the write-ahead log shared by all 256 stripes.
//
// A Wal is an append-only sequence of WriteBatch records, grouped into
// segments. Implementations: MemoryWal (core/storage/memory/memory_wal.h) and
// the disk WAL (core/storage/disk/disk_wal.h, format in docs/formats/wal.md).
//
// Thread safety: safe for concurrent use. Concurrent Append calls with
// sync=true are grouped so that one sync covers all of them (group commit);
// how is an implementation detail documented in its header.

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/storage/record.h"

namespace kstone::core {

// What Replay found.
struct WalReplayReport {
  uint64_t batches = 0;         // batches delivered to the callback
  uint64_t max_seq = 0;         // highest sequence number seen (0 if none)
  bool truncated_tail = false;  // a torn or corrupt tail was cut off
  uint64_t dropped_bytes = 0;   // bytes cut off the tail
  std::string message;          // human-readable account of the truncation
};

struct WalStats {
  uint64_t bytes = 0;     // bytes in live segments
  uint64_t segments = 0;  // live segments
};

class Wal {
 public:
  virtual ~Wal() = default;

  // Appends `batch` as one atomic record. When `sync` is true, returns only
  // after the record is durable (for the memory WAL: immediately). On failure
  // the record may or may not be in the log; the caller must treat the WAL as
  // failed (sticky error) and not apply the batch.
  // REQUIRES: batch.mutations is not empty.
  virtual absl::Status Append(const WriteBatch& batch, bool sync) = 0;

  // Makes every record appended so far durable.
  virtual absl::Status Sync() = 0;

  // Calls `fn` on every batch in log order (the order of Append), starting
  // from the oldest live segment. A torn or corrupt record at the tail of the
  // newest segment is truncated (and reported); corruption anywhere else is
  // DataLoss naming the segment and offset. If `fn` fails, replay stops and
  // returns its status. Must be called, if at all, before the first Append.
  virtual absl::StatusOr<WalReplayReport> Replay(
      const std::function<absl::Status(const WriteBatch&)>& fn) = 0;

  // Closes the current segment and starts a new one; later appends go to the
  // new segment. Returns the number of the segment closed.
  virtual absl::StatusOr<uint64_t> Rotate() = 0;

  // Deletes every closed segment whose number is <= `segment`. The engine
  // calls this once every batch in those segments is in a table.
  virtual absl::Status RemoveSegmentsThrough(uint64_t segment) = 0;

  virtual WalStats stats() const = 0;

  // From now on, Append(batch, /*sync=*/false) may return once the record is
  // in a buffer of this process. The buffer is handed to the OS (written,
  // not synced) at most about `max_delay` after a record enters it, sooner
  // when it fills, and always before a later Append(sync=true), Sync,
  // Rotate or clean close completes. A process crash may lose the buffered
  // records, never more: what survives is a prefix of the log. For
  // SyncMode::kNone only (decisions.md, "kNone buffers the WAL"). WALs
  // without such a buffer (the memory WAL) ignore the call.
  virtual void BufferUnsyncedAppends(absl::Duration max_delay) {
    (void)max_delay;
  }
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_WAL_H_
