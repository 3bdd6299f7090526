#ifndef KSTONE_CORE_ENGINE_ENGINE_H_
#define KSTONE_CORE_ENGINE_ENGINE_H_

// Engine: the 256-stripe LSM tree, written once against core::Storage.
//
// Keys are engine keys (core/storage/record.h: first byte = stripe). Values
// are opaque bytes (the api layer stores encoded items). The engine assigns
// global sequence numbers, logs every batch to the shared WAL (group commit),
// applies it to the stripes' memtables, flushes full memtables to tables and
// compacts each stripe's tables on background threads, and records tables,
// the next file number and the caller's metadata blob (the table schema) in
// the manifest.
//
// Thread safety: safe for concurrent use. Writes to one stripe are serialised
// by that stripe's lock; a batch touching several stripes takes their locks in
// increasing stripe order. Reads never wait for flush or compaction I/O.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/storage/key_hash.h"
#include "core/storage/record.h"
#include "core/storage/storage.h"
#include "core/storage/wal.h"
#include "core/util/same_bytes.h"

namespace kstone::core {

enum class SyncMode {
  kEveryCommit,  // a write returns after its WAL group is synced (default)
  kInterval,     // synced every sync_interval_ms by a background thread
  kNone,         // left to the operating system
};

struct EngineOptions {
  // A stripe's active memtable becomes immutable (and is queued for flush)
  // when it reaches either limit.
  uint64_t memtable_max_records_per_stripe = 64 * 1024;
  uint64_t memtable_max_bytes_per_stripe = 4 << 20;
  // Cap on all memtables (active + immutable) of the database. A writer that
  // finds the cap exceeded waits for flushes (back-pressure) instead of
  // letting memory grow without bound.
  uint64_t total_memtable_bytes = 64 << 20;
  SyncMode sync_mode = SyncMode::kEveryCommit;
  uint64_t sync_interval_ms = 100;
  int background_threads = 1;  // flush + compaction workers, >= 1
  // A stripe never holds more than this many tables (a flush that would
  // exceed it folds the newest tables into its output), so a point read
  // touches at most this many tables.
  int max_tables_per_stripe = 4;
  // Idle compaction: once no write has come for this long, the background
  // threads merge every stripe that holds more than one table into one, a
  // stripe at a time, stopping as soon as a write arrives. A database that
  // stops being written so converges to the cheapest reads (one table per
  // stripe: one probe per point read, one run per seek), as LevelDB's
  // seek-triggered compactions converge. 0 disables it.
  uint64_t idle_compaction_ms = 250;

  // InvalidArgument naming the field when a value is out of range.
  absl::Status Validate() const;
};

struct EngineStats {
  uint64_t last_sequence = 0;
  uint64_t memtable_bytes = 0;  // active + immutable, all stripes
  uint64_t memtable_records = 0;
  uint64_t tables = 0;
  uint64_t table_bytes = 0;
  uint64_t table_entries = 0;
  uint64_t stripes_in_use = 0;  // stripes holding any record
  // Stripes with a filter over their tables' keys (table_key_filter.h),
  // and the filters' memory.
  uint64_t table_filters = 0;
  uint64_t table_filter_bytes = 0;
  uint64_t wal_bytes = 0;
  uint64_t wal_segments = 0;
  uint64_t flushes = 0;
  uint64_t compactions = 0;
};

// Reads the current state of keys whose stripes are locked by WriteLocked.
class LockedReader {
 public:
  virtual ~LockedReader() = default;
  // REQUIRES: the stripe of `key` is one of the locked stripes.
  virtual absl::StatusOr<std::optional<std::string>> Get(
      std::string_view key) const = 0;
  // Get for a caller that called Engine::Prefetch(key) before WriteLocked:
  // the same result, without issuing the key's probes a second time.
  virtual absl::StatusOr<std::optional<std::string>> GetPrefetched(
      std::string_view key) const = 0;
  // GetPrefetched into *value, reusing its memory (for a caller that keeps
  // the string from one write to the next): true if `key` has a value,
  // which is then in *value.
  virtual absl::StatusOr<bool> GetPrefetchedInto(std::string_view key,
                                                 std::string* value) const = 0;
};

// What Engine::PrefetchForWrite loaded to issue a key's probes, handed to
// the ReadModifyWrite or WriteLocked of that key that follows, which may use
// it instead of loading it again. Opaque; holding it keeps memory of the
// engine alive, so it lives for one write (on the caller's stack).
class PrefetchHandle {
 public:
  PrefetchHandle() = default;
  PrefetchHandle(PrefetchHandle&&) = default;
  PrefetchHandle& operator=(PrefetchHandle&&) = default;

 private:
  friend class EngineImpl;
  // Keeps the key (a copy: the caller's buffer may change before the
  // write) with its hash, unless it is longer than the room for it.
  void Remember(const HashedKey& key) {
    if (key.key.size() > sizeof(key_)) return;
    std::memcpy(key_, key.key.data(), key.key.size());
    key_size_ = key.key.size();
    key_hash_ = key.hash;
  }
  // Whether key_hash_ is KeyHash(key).
  bool Remembers(std::string_view key) const {
    return key_size_ <= sizeof(key_) && SameBytes(key, remembered_key());
  }
  // The copy of the key. REQUIRES: it was remembered.
  std::string_view remembered_key() const {
    return std::string_view(key_, key_size_);
  }

  std::shared_ptr<const void> loaded_;  // the key's stripe view
  uint64_t key_hash_ = 0;
  size_t key_size_ = SIZE_MAX;  // matches no key until Remember
  char key_[96] = {};
};

// Iterates the live (newest, non-deleted) records of one stripe in key order,
// merging the memtables and every table of the stripe. Sees a consistent
// state of the stripe as of its creation. Not thread-safe.
class EngineIterator {
 public:
  virtual ~EngineIterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(std::string_view key) = 0;         // first key >= key
  virtual void SeekForPrev(std::string_view key) = 0;  // last key <= key
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual absl::Status status() const = 0;
};

class Engine {
 public:
  // Opens an engine on `storage`: reads the manifest, opens the tables,
  // replays the WAL (a torn tail is truncated and reported in
  // recovery_report()), and starts the background threads.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(
      std::unique_ptr<Storage> storage, const EngineOptions& options);

  // Stops background work, waiting for a running flush or compaction, and
  // closes the storage. Unflushed memtables stay in the WAL.
  virtual ~Engine() = default;

  // Applies `batch` atomically (first_seq is assigned by the engine). Fails
  // with the sticky error if an earlier WAL write failed.
  virtual absl::Status Write(WriteBatch batch) = 0;

  // Atomic read-check-write: locks the stripes of `lock_keys` (in increasing
  // order), calls `fn` with a reader of their current state, and applies the
  // mutations it returns as one batch before unlocking. If `fn` fails nothing
  // is written and its status is returned. REQUIRES: every mutation's key is
  // in a locked stripe.
  using CheckFn = absl::FunctionRef<absl::StatusOr<std::vector<Mutation>>(
      const LockedReader&)>;
  // `lock_keys` are read before fn runs and not after (fn may move the
  // strings they view into its mutations).
  virtual absl::Status WriteLocked(absl::Span<const std::string_view> lock_keys,
                                   CheckFn fn) = 0;
  // WriteLocked of the one key `key`, for a check function that reads `key`
  // and then (usually) writes it, such as an Update. Same contract; only
  // faster for such a function: before fn runs, the engine walks the
  // memtable to where the write of `key` will go while the tables' lookup
  // of `key` loads (EngineImpl::OverlapReadAndInsert), so that neither
  // waits for memory after the other.
  virtual absl::Status ReadModifyWrite(std::string_view key, CheckFn fn) = 0;
  // WriteLocked of the one key `key`, and ReadModifyWrite, after
  // PrefetchForWrite(key, handle): the same, a little cheaper (the stripe's
  // state is not loaded again when the handle's is still current). Empties
  // *handle.
  virtual absl::Status WriteLocked(std::string_view key, CheckFn fn,
                                   PrefetchHandle* handle) = 0;
  virtual absl::Status ReadModifyWrite(std::string_view key, CheckFn fn,
                                       PrefetchHandle* handle) = 0;
  // The same two for a caller that keeps the vector of mutations from one
  // write to the next (one per thread), so that a steady stream of writes
  // reuses the memory of its strings instead of allocating and freeing
  // them every time: `fn` leaves in *mutations what to write (resizing it;
  // the elements it keeps keep their strings' memory), and the write
  // leaves them there. Only the vector's contents change hands.
  using FillFn = absl::FunctionRef<absl::Status(const LockedReader&,
                                                std::vector<Mutation>*)>;
  virtual absl::Status WriteLocked(std::string_view key, FillFn fn,
                                   PrefetchHandle* handle,
                                   std::vector<Mutation>* mutations) = 0;
  virtual absl::Status ReadModifyWrite(std::string_view key, FillFn fn,
                                       PrefetchHandle* handle,
                                       std::vector<Mutation>* mutations) = 0;

  // The newest value of `key`, or nullopt if absent or deleted.
  virtual absl::StatusOr<std::optional<std::string>> Get(
      std::string_view key) const = 0;

  // A hint that a Get or a WriteLocked of `key` follows soon: starts loading
  // the memory its read touches first (the filter word of each memtable and
  // of the filter over the tables, the index slot of each table of the
  // key's stripe) and returns at once, so
  // that whatever the caller does in between overlaps those cache misses.
  // Reads nothing and changes nothing; an empty key is ignored.
  virtual void Prefetch(std::string_view key) const = 0;
  // Prefetch for a WriteLocked or ReadModifyWrite of `key` that follows:
  // also keeps in *handle what it loaded to issue the probes.
  virtual void PrefetchForWrite(std::string_view key,
                                PrefetchHandle* handle) const = 0;
  // PrefetchForWrite for a write whose key is likely absent (a Put of a new
  // item on condition that it is new): loads only what can tell that the
  // key is absent. Where the stripe keeps one filter over all its tables,
  // that is the filter's word instead of every table's index slot; a key
  // that is there after all costs its read those misses one after another.
  virtual void PrefetchForInsert(std::string_view key,
                                 PrefetchHandle* handle) const = 0;

  virtual std::unique_ptr<EngineIterator> NewIterator(
      uint32_t stripe) const = 0;

  // Flushes every memtable to tables and waits for it.
  virtual absl::Status Flush() = 0;
  // Compacts every stripe to at most one table and waits for it.
  virtual absl::Status Compact() = 0;

  // The caller's metadata (the api layer's encoded table schema), persisted
  // in the manifest. Empty for a new database.
  virtual std::string metadata() const = 0;
  virtual absl::Status SetMetadata(std::string metadata) = 0;

  virtual EngineStats Stats() const = 0;
  virtual const WalReplayReport& recovery_report() const = 0;
  virtual const EngineOptions& options() const = 0;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_ENGINE_H_
