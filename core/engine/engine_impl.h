#ifndef KSTONE_CORE_ENGINE_ENGINE_IMPL_H_
#define KSTONE_CORE_ENGINE_ENGINE_IMPL_H_

// EngineImpl: the Engine (engine.h). Its code is split by topic:
//   engine_impl.cc        open, close, reads, stats, metadata
//   engine_write.cc       write path, back-pressure, memtable switches
//   engine_background.cc  background threads: what runs when, Flush(),
//                         Compact()
//   engine_table_jobs.cc  flushes, shadow copies and merges of a stripe
//   engine_maintenance.cc WAL rotation and segment deletion, room under
//                         the memory cap, manifest edits
//   engine_recovery.cc    recovery at open
// docs/architecture.md describes the design.
//
// Thread safety: safe for concurrent use (see stripe.h for the stripe locks).
// Lock order: stripe write_mu (increasing stripe index) < wal_mu_ <
// stripe view_mu < manifest_mu_ < mu_ < error_mu_. No lock is held across
// table builds or manifest I/O except manifest_mu_ (manifest I/O).

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "core/engine/engine.h"
#include "core/engine/manifest.h"
#include "core/engine/memtable.h"
#include "core/engine/stripe.h"
#include "core/storage/storage.h"
#include "core/util/mutex.h"

namespace kstone::core {

class EngineImpl final : public Engine {
 public:
  EngineImpl(std::unique_ptr<Storage> storage, const EngineOptions& options);
  ~EngineImpl() override;
  EngineImpl(const EngineImpl&) = delete;
  EngineImpl& operator=(const EngineImpl&) = delete;

  // Recovers the state from storage (engine_recovery.cc) and starts the
  // background threads. Called once, by Engine::Open.
  absl::Status Start();

  absl::Status Write(WriteBatch batch) override;
  absl::Status WriteLocked(absl::Span<const std::string_view> lock_keys,
                           CheckFn fn) override;
  absl::Status ReadModifyWrite(std::string_view key, CheckFn fn) override;
  absl::Status WriteLocked(std::string_view key, CheckFn fn,
                           PrefetchHandle* handle) override;
  absl::Status ReadModifyWrite(std::string_view key, CheckFn fn,
                               PrefetchHandle* handle) override;
  absl::Status WriteLocked(std::string_view key, FillFn fn,
                           PrefetchHandle* handle,
                           std::vector<Mutation>* mutations) override;
  absl::Status ReadModifyWrite(std::string_view key, FillFn fn,
                               PrefetchHandle* handle,
                               std::vector<Mutation>* mutations) override;
  absl::StatusOr<std::optional<std::string>> Get(
      std::string_view key) const override;
  void Prefetch(std::string_view key) const override;
  void PrefetchForWrite(std::string_view key,
                        PrefetchHandle* handle) const override;
  void PrefetchForInsert(std::string_view key,
                         PrefetchHandle* handle) const override;
  std::unique_ptr<EngineIterator> NewIterator(uint32_t stripe) const override;
  absl::Status Flush() override;
  absl::Status Compact() override;
  std::string metadata() const override;
  absl::Status SetMetadata(std::string metadata) override;
  EngineStats Stats() const override;
  const WalReplayReport& recovery_report() const override {
    return recovery_report_;
  }
  const EngineOptions& options() const override { return options_; }

  // Test hooks.
  // Waits until no background work is queued or running (or an error).
  void TEST_WaitForIdle() ABSL_LOCKS_EXCLUDED(mu_);
  // Starts a search for idle compaction and waits until one has found no
  // stripe with more than one table (or an error). REQUIRES: no concurrent
  // writes.
  void TEST_WaitForIdleCompactionDone() ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t TEST_idle_compactions() const { return idle_compactions_.load(); }
  // Changes EngineOptions::idle_compaction_ms of the open engine (tests
  // open with 0, build up tables, then let idle compaction run).
  void TEST_SetIdleCompactionMs(uint64_t ms) ABSL_LOCKS_EXCLUDED(mu_) {
    idle_compaction_ms_.store(ms);
    absl::MutexLock lock(&mu_);
    work_cv_.Signal();
  }
  size_t TEST_TablesInStripe(uint32_t s) const {
    return stripes_[s].view()->tables.size();
  }
  std::shared_ptr<const TableKeyFilter> TEST_TableFilter(uint32_t s) const {
    return stripes_[s].view()->table_filter;
  }
  uint64_t TEST_stalls() const { return stalls_.load(); }
  uint64_t TEST_max_tables_per_stripe_seen() const {
    return max_tables_seen_.load();
  }

 private:
  class LockedReaderImpl;

  // --- reads (engine_impl.cc)
  // Starts loading the memory a read of `key` in `view` touches first (each
  // memtable's filter word, the tables' filter word, each table's index
  // slot), so that the misses overlap instead of adding up.
  // `likely_absent`: not the tables' slots when the tables' filter will
  // likely answer for them (Engine::PrefetchForInsert).
  static void PrefetchProbes(const StripeView& view, const HashedKey& key,
                             bool likely_absent = false);
  // PrefetchForWrite and PrefetchForInsert.
  void PrefetchKey(std::string_view key, bool likely_absent,
                   PrefetchHandle* handle) const;
  // The newest value of `key` in `view`. `prefetch`: issue the probes first
  // (false when the caller's Engine::Prefetch already did). `steps`, if not
  // null: the lookup state of `key` in each of view.tables that
  // OverlapReadAndInsert's steps left (Table::GetAfterSteps), whose walk
  // also prepared view.active's insert of `key` (MemTable::GetPreparedInto).
  absl::StatusOr<std::optional<std::string>> GetFromView(
      const StripeView& view, const HashedKey& key, bool prefetch,
      const uint64_t* steps = nullptr) const;
  // GetFromView with `steps` into *out (whose value's memory the tables
  // may reuse): true if `key` has a live value, then in out->value.
  absl::StatusOr<bool> GetSteppedInto(const StripeView& view,
                                      const HashedKey& key,
                                      const uint64_t* steps,
                                      LookupResult* out) const;

  // --- write path (engine_write.cc)
  // Sorted, distinct stripes of `keys`; InvalidArgument for an empty key.
  static absl::StatusOr<std::vector<uint32_t>> StripesOf(
      absl::Span<const std::string_view> keys);
  void LockStripes(absl::Span<const uint32_t> stripes);
  void UnlockStripes(absl::Span<const uint32_t> stripes);
  // WriteLocked; `read_modify_write`: lock_keys holds the one key of a
  // ReadModifyWrite. `handle`: PrefetchForWrite's, of lock_keys[0] (the
  // one key), or null.
  absl::Status LockedWrite(absl::Span<const std::string_view> lock_keys,
                           CheckFn fn, bool read_modify_write,
                           PrefetchHandle* handle);
  // LockedWrite with the caller's vector of mutations (see FillFn).
  absl::Status LockedWrite(absl::Span<const std::string_view> lock_keys,
                           FillFn fn, bool read_modify_write,
                           PrefetchHandle* handle,
                           std::vector<Mutation>* mutations);
  // The current view of stripe `s`, whose write_mu the caller holds: the
  // one `handle` holds if it is still current (no reload), else loaded.
  std::shared_ptr<const StripeView> LockedViewOf(uint32_t s,
                                                 PrefetchHandle* handle) const;
  // Before a ReadModifyWrite's check reads `key`: walks the stripe's
  // active memtable to where the write of `key` will go (MemTable::
  // PrepareAdd, so that the Add links without a search) and, between the
  // walk's nodes, advances the tables' lookup of `key` a step at a time
  // (Table::PrefetchStep). Both are chains of cache misses; interleaved,
  // they wait for memory side by side instead of one after the other, and
  // the read then finds its lines loaded. REQUIRES: the write_mu of the
  // key's stripe held, `view` its current view (whose active memtable is
  // then the stripe's). Leaves in (*states)[i] the state of the lookup in
  // view.tables[i], for GetFromView.
  void OverlapReadAndInsert(const StripeView& view, const HashedKey& key,
                            absl::InlinedVector<uint64_t, 4>* states);
  // Waits while the memtables are over the total cap (back-pressure).
  absl::Status WaitForMemtableRoom() ABSL_LOCKS_EXCLUDED(mu_);
  // Assigns sequence numbers, logs and applies *mutations, which it leaves
  // as they were (their memory the caller's to reuse). REQUIRES: the
  // write_mu of every stripe in `stripes` is held and every mutation's key
  // is in one. `known`, if not null: a key whose hash the caller has (a
  // mutation of that key takes it instead of hashing the key again).
  absl::Status CommitLocked(absl::Span<const uint32_t> stripes,
                            std::vector<Mutation>* mutations,
                            const HashedKey* known = nullptr);
  // Makes the stripe's active memtable immutable and queues its flush (no-op
  // if it is empty). REQUIRES: stripes_[s].write_mu held.
  void SwitchMemtableLocked(uint32_t s);
  // A fresh, empty memtable with the next id and the engine's filter size.
  std::shared_ptr<MemTable> NewMemTable();
  // Replaces a stripe's view with fn(old view), under its view_mu.
  template <typename Fn>
  void UpdateView(uint32_t s, Fn fn);

  // --- errors
  absl::Status error() const ABSL_LOCKS_EXCLUDED(error_mu_);
  void SetError(const absl::Status& status) ABSL_LOCKS_EXCLUDED(error_mu_);

  // --- background (engine_background.cc)
  void BackgroundLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // With no stripe job queued: waits for work, and when the engine stays
  // idle (no write for idle_compaction_ms), merges one stripe's tables.
  // Called and returns with mu_ held.
  void WaitForWorkOrIdleCompaction() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A stripe holding more than one table, not busy or queued, searched
  // round-robin from idle_cursor_; nullopt if there is none. *passed_over
  // tells whether a busy or queued stripe was skipped (its job will look
  // again when it ends).
  std::optional<uint32_t> PickIdleStripe(bool* passed_over)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SyncLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void ScheduleStripeLocked(uint32_t s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RequestMaintenance(bool rotate, bool make_room) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status RunStripeJob(uint32_t s) ABSL_LOCKS_EXCLUDED(mu_);
  // Gives the heap's free pages back to the OS (core/util/release_memory.h)
  // once jobs have dropped at least kReleaseFreeMemoryBytes of tables and
  // memtables since the last time, or, with `all`, any at all.
  void MaybeReleaseFreeMemory(bool all);

  // --- table jobs (engine_table_jobs.cc)
  // Merges `runs` (of `input_bytes` together, a sizing hint) into table
  // `number` and opens it. *meta stays empty (and *table null) when nothing
  // survived the merge. `on_add`, if not null, sees every record written.
  absl::Status BuildAndOpenTable(
      uint64_t number, std::vector<std::unique_ptr<TableIterator>> runs,
      uint64_t input_bytes, bool drop_tombstones,
      std::optional<TableMeta>* meta, std::shared_ptr<const Table>* table,
      const std::function<void(const RecordView&)>* on_add = nullptr);
  absl::Status FlushStripe(uint32_t s);
  // Flushes the immutables of several busy stripes with one manifest edit
  // (one manifest sync for all of them). REQUIRES: each has immutables.
  absl::Status FlushStripes(const std::vector<uint32_t>& stripes);
  absl::Status CompactStripe(uint32_t s, bool full);
  // Replaces busy stripe s's oldest table by a copy without the keys of its
  // newer tables (TableStore::CopyTableWithout). False if it did not: fewer
  // than two tables, or every key of the oldest overwritten.
  absl::StatusOr<bool> DropShadowed(uint32_t s);
  // Accounts for flushed memtables gone and wakes writers waiting for room.
  void ReleaseFlushed(const std::vector<std::shared_ptr<MemTable>>& mems)
      ABSL_LOCKS_EXCLUDED(mu_);

  // --- log and memory upkeep (engine_maintenance.cc)
  void RunMaintenance(bool rotate, bool make_room) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status RotateWal() ABSL_LOCKS_EXCLUDED(wal_mu_, mu_);
  // Deletes the WAL segments whose data is all in tables; if the WAL is
  // still too large, switches the memtables that hold its oldest data.
  absl::Status CollectWalSegments() ABSL_LOCKS_EXCLUDED(mu_);
  // Switches the largest active memtables until the active ones use at most
  // a quarter of the cap.
  void MakeRoom();
  // Appends `edit` to the manifest (or rewrites the manifest as a snapshot
  // every so often).
  absl::Status LogEdit(const ManifestEdit& edit)
      ABSL_LOCKS_EXCLUDED(manifest_mu_);

  // --- recovery (engine_recovery.cc)
  absl::Status Recover();
  absl::Status LoadManifest(ManifestState* state);
  absl::Status OpenTables(const ManifestState& state);
  absl::Status DeleteOrphans(const ManifestState& state);
  absl::Status ReplayWal(const ManifestState& state);
  absl::Status ReplayBatch(const ManifestState& state, const WriteBatch& batch);

  // Constant after construction. storage_ is declared first so that it is
  // destroyed last, after every table and memtable.
  const EngineOptions options_;
  const std::unique_ptr<Storage> storage_;
  Wal* const wal_;
  TableStore* const tables_;
  // Thresholds derived from options_.
  const uint64_t rotate_bytes_;     // rotate the WAL after this many bytes
  const uint64_t wal_limit_bytes_;  // force flushes past this much WAL
  // Size of each memtable's key filter (see MemTable and NewMemTable).
  const size_t memtable_filter_bytes_;
  // options_.idle_compaction_ms, changeable by tests.
  std::atomic<uint64_t> idle_compaction_ms_;

  std::array<Stripe, kStripeCount> stripes_;

  // Writers hold it shared from their WAL append until their memtable
  // inserts are done; RotateWal holds it exclusively, so that when a segment
  // is closed every batch in it is in a memtable.
  SharedMutex wal_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  mutable absl::Mutex manifest_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  ManifestState manifest_ ABSL_GUARDED_BY(manifest_mu_);
  uint64_t edits_since_rewrite_ ABSL_GUARDED_BY(manifest_mu_) = 0;

  // Background work, protected by mu_.
  mutable absl::Mutex mu_;
  absl::CondVar work_cv_;  // new work or shutdown
  absl::CondVar done_cv_;  // a job finished, memory freed, or an error
  absl::CondVar sync_cv_;  // shutdown, for the interval sync thread
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<uint32_t> queue_ ABSL_GUARDED_BY(mu_);  // stripes with work
  std::array<bool, kStripeCount> queued_ ABSL_GUARDED_BY(mu_) = {};
  std::array<bool, kStripeCount> busy_ ABSL_GUARDED_BY(mu_) = {};
  // Stripes Compact() wants merged into one table.
  std::array<bool, kStripeCount> force_full_ ABSL_GUARDED_BY(mu_) = {};
  int force_full_pending_ ABSL_GUARDED_BY(mu_) = 0;
  // Callers of Flush() waiting for their memtables to be written out.
  int flush_waiters_ ABSL_GUARDED_BY(mu_) = 0;
  bool rotate_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool room_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool gc_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool maintenance_running_ ABSL_GUARDED_BY(mu_) = false;
  // Idle compaction: whether a stripe may hold more than one table (set by
  // every stripe job, cleared when a search finds none), whether the current
  // idle period was confirmed, at sequence number idle_seq_, and where the next
  // search starts.
  bool idle_candidates_ ABSL_GUARDED_BY(mu_) = true;
  std::optional<uint64_t> idle_seq_ ABSL_GUARDED_BY(mu_);
  uint32_t idle_cursor_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<uint64_t> idle_compactions_{0};
  // Ids of immutable memtables not yet flushed (Flush() waits on them).
  std::set<uint64_t> immutable_ids_ ABSL_GUARDED_BY(mu_);
  // WAL epoch -> the last segment number of that epoch (closed epochs that
  // may still hold unflushed data).
  std::map<uint64_t, uint64_t> closed_epochs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;  // started by Start, joined by ~

  // The sticky error: the first failed WAL append/sync, manifest write or
  // background job. Every later write returns it.
  mutable absl::Mutex error_mu_ ABSL_ACQUIRED_AFTER(mu_);
  absl::Status error_ ABSL_GUARDED_BY(error_mu_);
  std::atomic<bool> has_error_{false};  // fast check without error_mu_

  // Atomics, read without locks.
  std::atomic<uint64_t> last_seq_{0};
  std::atomic<uint64_t> next_file_number_{1};
  std::atomic<uint64_t> next_memtable_id_{1};
  std::atomic<uint64_t> memtable_bytes_{0};   // active + immutable
  std::atomic<uint64_t> immutable_bytes_{0};  // immutable only
  // The WAL epoch writers tag their memtables with; advanced by RotateWal
  // with wal_mu_ held exclusively.
  std::atomic<uint64_t> wal_epoch_{0};
  std::atomic<uint64_t> wal_bytes_since_rotate_{0};
  std::atomic<bool> room_signalled_{false};
  std::atomic<bool> rotate_signalled_{false};
  std::atomic<uint64_t> flushes_{0};
  std::atomic<uint64_t> compactions_{0};
  std::atomic<uint64_t> stalls_{0};
  std::atomic<uint64_t> max_tables_seen_{0};
  // Bytes of tables and memtables dropped since the background thread last
  // gave free heap memory back (MaybeReleaseFreeMemory).
  std::atomic<uint64_t> dropped_bytes_{0};
  // Per stripe: about how many records of its oldest table newer flushes
  // have overwritten since that table was last written (FlushStripes). Only
  // the job that holds the stripe busy reads or writes its entry.
  std::array<uint64_t, kStripeCount> shadowed_ = {};

  WalReplayReport recovery_report_;  // set by Start
};

template <typename Fn>
inline void EngineImpl::UpdateView(uint32_t s, Fn fn) {
  Stripe& stripe = stripes_[s];
  // The replaced view is released after the unlock: if that was its last
  // reference, freeing its memtables and tables must not keep readers
  // spinning on view_mu.
  std::shared_ptr<const StripeView> replaced;
  MutexLock lock(&stripe.view_mu);
  auto next = std::make_shared<StripeView>(fn(*stripe.current));
  replaced = std::exchange(stripe.current, std::move(next));
  stripe.current_address.store(stripe.current.get(), std::memory_order_release);
}

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_ENGINE_IMPL_H_
