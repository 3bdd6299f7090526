#ifndef KSTONE_OPTIONS_H_
#define KSTONE_OPTIONS_H_

// Options: tuning knobs for opening a database.
//
// The defaults suit most programs: a disk database is durable (every write
// returns only after its write-ahead-log group is synced), memtables flush in
// the background, and a point read touches at most a handful of tables.
// Options are not persisted: each open uses the options it is given.
//
// Example:
//
//   kstone::Options options;
//   options.sync_mode = kstone::SyncMode::kInterval;  // trade durability
//   options.sync_interval_ms = 50;                    // for write speed
//   absl::StatusOr<kstone::Database> db =
//       kstone::Database::Open("/var/lib/app/db", options);
//
// Thread safety: plain data.

#include <cstdint>

#include "absl/status/status.h"

namespace kstone {

enum class SyncMode : uint8_t {
  // A write returns after its WAL group is synced (fdatasync): an
  // acknowledged write survives a crash or power loss. The default.
  kEveryCommit,
  // The WAL is synced every sync_interval_ms by a background thread: a crash
  // may lose the writes of the last interval.
  kInterval,
  // Syncing is left to the operating system, and a disk database may keep
  // the newest writes in its own buffer for about a millisecond (up to
  // ~64 KiB of log) before handing them to the OS: a crash of the process
  // may lose the writes of that last millisecond, a power loss whatever the
  // OS had not written. What survives is always a prefix of the writes
  // (transactions whole). Use kInterval to keep every acknowledged write
  // across a process crash.
  kNone,
};

struct Options {
  // A stripe's active memtable is frozen and queued for flush when it holds
  // this many records or this many bytes. 1 .. 2^32.
  uint64_t memtable_max_records_per_stripe = 64 * 1024;
  uint64_t memtable_max_bytes_per_stripe = 4 << 20;  // 1 KiB .. 1 GiB
  // Cap on all memtables together; writers wait for flushes beyond it
  // (back-pressure). 64 KiB .. 1 TiB, and >= memtable_max_bytes_per_stripe;
  // or 0, the default, for kDefaultTotalMemtableBytesOnDisk on disk and
  // kDefaultTotalMemtableBytesInMemory in memory (at least
  // memtable_max_bytes_per_stripe either way). An in-memory database keeps
  // its write buffer smaller: its tables are memory too, so a flush costs no
  // I/O, and small memtables are faster to insert into and use less memory.
  uint64_t total_memtable_bytes = 0;
  static constexpr uint64_t kDefaultTotalMemtableBytesOnDisk = 64 << 20;
  static constexpr uint64_t kDefaultTotalMemtableBytesInMemory = 16 << 20;

  SyncMode sync_mode = SyncMode::kEveryCommit;
  // For kInterval: 1 .. 60000.
  uint64_t sync_interval_ms = 100;

  // Threads for flush and compaction. 1 .. 64.
  int background_threads = 1;
  // A stripe never holds more tables than this (a flush at the bound merges
  // the newest tables into its output), which bounds the tables a point read
  // touches. 1 .. 64.
  int max_tables_per_stripe = 4;
  // After this long without a write, background threads merge each stripe's
  // tables into one, a stripe at a time, stopping when a write comes: a
  // database that stops being written converges to the fastest reads.
  // 0 disables it; kIdleCompactionOfMedium (the default) is 250 ms in
  // memory, where a merge costs little and every table adds a search to
  // each seek, and 30 s on disk, where a merge rewrites files and empties
  // the block cache of their blocks, while extra tables cost a point read
  // only a bloom filter probe each. Else 1 .. 3600000 (an hour).
  uint64_t idle_compaction_ms = kIdleCompactionOfMedium;
  static constexpr uint64_t kIdleCompactionOfMedium = UINT64_MAX;
  static constexpr uint64_t kDefaultIdleCompactionMsInMemory = 250;
  static constexpr uint64_t kDefaultIdleCompactionMsOnDisk = 30 * 1000;

  // Disk only: the block cache shared by all tables (0 disables it), the
  // size at which the WAL starts a new segment (64 KiB .. 4 GiB), and the
  // bloom filter bits per key (0 disables filters; at most 64).
  uint64_t block_cache_bytes = 64 << 20;
  uint64_t wal_segment_bytes = 64 << 20;
  int bloom_bits_per_key = 10;

  // VALIDATION naming the field and its allowed range when a value is out of
  // range. Every Database factory calls this first.
  absl::Status Validate() const;
};

}  // namespace kstone

#endif  // KSTONE_OPTIONS_H_
