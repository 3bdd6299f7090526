// The background work of EngineImpl: flushing immutable memtables to tables,
// compacting stripes, rotating the WAL and deleting the segments whose data
// is all in tables, and switching memtables to keep memory and the WAL
// bounded. Also Flush() and Compact(), which wait for that work.

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/engine/compaction.h"
#include "core/engine/engine_impl.h"
#include "core/util/release_memory.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// The manifest is rewritten as one snapshot record after this many edits
// (or twice the number of tables, if more), so that reading it at open stays
// cheap.
constexpr uint64_t kManifestRewriteEdits = 1024;

// How many queued stripes one background job takes: their flushes share one
// manifest edit, so one manifest sync (on disk) instead of one each.
constexpr size_t kJobBatch = 16;

// How much the background jobs drop (tables merged away, memtables flushed)
// before the heap's free pages are given back to the OS, while idle merges
// run or a caller waits in Flush() or Compact(). glibc would otherwise keep the
// dropped buffers resident: a 1 M-item database carried ~40 MB of them after a
// full merge. Each release walks the allocator's free lists (about a
// millisecond for a heap of 150 MB) and unmaps what is free (~4 ms per MB on
// this VM, and as much again to fault the pages back in when reused), so it
// happens every few MiB, not per job.
constexpr uint64_t kReleaseFreeMemoryBytes = 8 << 20;

// While writes drive the background jobs, free heap pages are given back
// only by flushes that dropped overwritten versions from an oldest table
// (so under overwrites, never in a fill), once this much was dropped since
// the last release: the merges and flushes of an overwrite load leave freed
// table buffers between live ones, which the heap keeps resident for good
// (kstone_bench mixed, 1 M items: peak 163-167 -> 159-162 B/item with 1
// thread, 168-174 -> 163 with 2 at 64 MiB; 32 MiB took 1 thread to 156, 2
// threads unchanged; docs/performance.md "Session 7: memory of mixed"). In
// a fill the same releases cost the writer its page faults.
constexpr uint64_t kReleaseWhileWritingBytes = 32 << 20;

uint64_t Saturating(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

// Between merges, a stripe's oldest table keeps every version that newer
// writes overwrote, until the size-tiered rule rewrites it (once the newer
// tables reach half its size): under random overwrites, a third of a
// database's memory. Where the store can copy a table without some keys
// cheaply (TableStore::CanCopyTableWithout, the memory store), each flush
// estimates how many records of the stripe's oldest table it overwrites
// (every kShadowSample-th flushed key looked up in that table's filter), and
// once they reach kShadowedPercent of the table's records it is replaced by
// a copy without the keys of the newer tables (EngineImpl::DropShadowed).
constexpr uint64_t kShadowSample = 8;
constexpr uint64_t kShadowedPercent = 10;

}  // namespace

void EngineImpl::ScheduleStripeLocked(uint32_t s) {
  mu_.AssertHeld();
  if (!queued_[s]) {
    queued_[s] = true;
    queue_.push_back(s);
    work_cv_.Signal();
  }
}

void EngineImpl::RequestMaintenance(bool rotate, bool make_room) {
  absl::MutexLock lock(&mu_);
  if (rotate) rotate_requested_ = true;
  if (make_room) room_requested_ = true;
  work_cv_.Signal();
}

void EngineImpl::BackgroundLoop() {
  absl::MutexLock lock(&mu_);
  while (!shutting_down_) {
    if ((rotate_requested_ || room_requested_ || gc_requested_) &&
        !maintenance_running_) {
      const bool rotate = rotate_requested_;
      const bool room = room_requested_;
      rotate_requested_ = room_requested_ = gc_requested_ = false;
      maintenance_running_ = true;
      // Writers may ask again from now on.
      if (rotate) rotate_signalled_.store(false);
      if (room) room_signalled_.store(false);
      mu_.Unlock();
      RunMaintenance(rotate, room);
      mu_.Lock();
      maintenance_running_ = false;
      done_cv_.SignalAll();
      continue;
    }
    // Up to kJobBatch stripes that are not busy, oldest request first.
    std::vector<uint32_t> picked;
    for (auto it = queue_.begin();
         it != queue_.end() && picked.size() < kJobBatch;) {
      if (busy_[*it]) {
        ++it;
        continue;
      }
      picked.push_back(*it);
      queued_[*it] = false;
      busy_[*it] = true;
      it = queue_.erase(it);
    }
    if (!picked.empty()) {
      mu_.Unlock();
      // Stripes with immutables are flushed together (one manifest edit);
      // the others run their compaction one by one.
      std::vector<absl::Status> statuses(picked.size());
      std::vector<uint32_t> flushes;
      std::vector<size_t> flush_index;
      for (size_t i = 0; i < picked.size(); ++i) {
        if (!stripes_[picked[i]].view()->immutables.empty()) {
          flushes.push_back(picked[i]);
          flush_index.push_back(i);
        }
      }
      if (!flushes.empty()) {
        const absl::Status status = FlushStripes(flushes);
        SetError(status);
        for (size_t i : flush_index) statuses[i] = status;
      }
      for (size_t i = 0; i < picked.size(); ++i) {
        if (std::find(flushes.begin(), flushes.end(), picked[i]) !=
            flushes.end()) {
          continue;
        }
        statuses[i] = RunStripeJob(picked[i]);
        SetError(statuses[i]);
      }
      std::vector<bool> more(picked.size());
      for (size_t i = 0; i < picked.size(); ++i) {
        const std::shared_ptr<const StripeView> view =
            stripes_[picked[i]].view();
        more[i] = !view->immutables.empty() ||
                  view->tables.size() >
                      static_cast<size_t>(options_.max_tables_per_stripe);
      }
      mu_.Lock();
      for (size_t i = 0; i < picked.size(); ++i) {
        const uint32_t s = picked[i];
        busy_[s] = false;
        if (statuses[i].ok() && (more[i] || force_full_[s])) {
          ScheduleStripeLocked(s);
        }
      }
      gc_requested_ = true;
      idle_candidates_ = true;
      // During a Flush() or Compact() (maintenance the caller waits for) as
      // after idle merges: not while writes drive the jobs, where giving
      // pages back and faulting them in again cost the writers a third of
      // their speed (but see kReleaseWhileWritingBytes).
      if (flush_waiters_ > 0 || force_full_pending_ > 0) {
        mu_.Unlock();
        MaybeReleaseFreeMemory(/*all=*/false);
        mu_.Lock();
      }
      done_cv_.SignalAll();
      continue;
    }
    WaitForWorkOrIdleCompaction();
  }
}

void EngineImpl::WaitForWorkOrIdleCompaction() {
  const uint64_t idle_ms = idle_compaction_ms_.load();
  if (idle_ms == 0 || !idle_candidates_ || has_error_.load()) {
    idle_seq_.reset();
    work_cv_.Wait(&mu_);
    return;
  }
  if (idle_seq_ != last_seq_.load()) {
    // Not known to be idle: wait for work, or for a quiet period.
    idle_seq_.reset();
    const uint64_t seq = last_seq_.load();
    const bool timed_out = work_cv_.WaitWithTimeout(
        &mu_, absl::Milliseconds(static_cast<int64_t>(idle_ms)));
    if (!timed_out || shutting_down_ || last_seq_.load() != seq) return;
    idle_seq_ = seq;
  }
  bool passed_over = false;
  const std::optional<uint32_t> s = PickIdleStripe(&passed_over);
  if (!s.has_value()) {
    idle_seq_.reset();
    if (passed_over) {
      // Another job holds a candidate; when it ends, its loop sets
      // idle_candidates_ again and searches.
      work_cv_.Wait(&mu_);
      return;
    }
    idle_candidates_ = false;
    mu_.Unlock();
    MaybeReleaseFreeMemory(/*all=*/true);  // converged: keep nothing spare
    mu_.Lock();
    done_cv_.SignalAll();  // TEST_WaitForIdleCompactionDone
    return;
  }
  busy_[*s] = true;
  mu_.Unlock();
  const absl::Status status = CompactStripe(*s, /*full=*/true);
  SetError(status);
  if (status.ok()) idle_compactions_.fetch_add(1);
  MaybeReleaseFreeMemory(/*all=*/false);
  mu_.Lock();
  busy_[*s] = false;
  gc_requested_ = true;
  done_cv_.SignalAll();
  // The next call goes on with the next stripe while last_seq_ stays put.
}

std::optional<uint32_t> EngineImpl::PickIdleStripe(bool* passed_over) {
  for (int i = 0; i < kStripeCount; ++i) {
    const uint32_t s = (idle_cursor_ + static_cast<uint32_t>(i)) % kStripeCount;
    // The view lock ranks below mu_ (engine_impl.h); only a pointer copy is
    // taken here, so it is read with mu_ dropped.
    mu_.Unlock();
    const size_t tables = stripes_[s].view()->tables.size();
    mu_.Lock();
    if (tables <= 1) continue;
    if (busy_[s] || queued_[s]) {
      *passed_over = true;
      continue;
    }
    idle_cursor_ = (s + 1) % kStripeCount;
    return s;
  }
  return std::nullopt;
}

void EngineImpl::SyncLoop() {
  const absl::Duration interval =
      absl::Milliseconds(static_cast<int64_t>(options_.sync_interval_ms));
  absl::MutexLock lock(&mu_);
  while (!shutting_down_) {
    sync_cv_.WaitWithTimeout(&mu_, interval);
    if (shutting_down_) break;
    mu_.Unlock();
    SetError(wal_->Sync());
    mu_.Lock();
  }
}

absl::Status EngineImpl::RunStripeJob(uint32_t s) {
  const std::shared_ptr<const StripeView> view = stripes_[s].view();
  if (!view->immutables.empty()) return FlushStripe(s);
  bool full;
  {
    absl::MutexLock lock(&mu_);
    full = force_full_[s];
  }
  absl::Status status;
  if (full || view->tables.size() >
                  static_cast<size_t>(options_.max_tables_per_stripe)) {
    status = CompactStripe(s, full);
  }
  if (full) {
    absl::MutexLock lock(&mu_);
    force_full_[s] = false;
    --force_full_pending_;
  }
  return status;
}

absl::Status EngineImpl::BuildAndOpenTable(
    uint64_t number, std::vector<std::unique_ptr<TableIterator>> runs,
    uint64_t input_bytes, bool drop_tombstones, std::optional<TableMeta>* meta,
    std::shared_ptr<const Table>* table,
    const std::function<void(const RecordView&)>* on_add) {
  KS_ASSIGN_OR_RETURN(
      *meta, BuildMergedTable(tables_, number, std::move(runs), drop_tombstones,
                              input_bytes, on_add));
  if (!meta->has_value()) return absl::OkStatus();  // everything was dropped
  absl::StatusOr<std::shared_ptr<const Table>> opened =
      tables_->OpenTable(number);
  if (!opened.ok()) {
    tables_->DeleteTable(number).IgnoreError();  // an orphan at worst
    return opened.status();
  }
  *table = std::move(*opened);
  return absl::OkStatus();
}

absl::Status EngineImpl::FlushStripe(uint32_t s) { return FlushStripes({s}); }

namespace {

// One stripe's part of a batched flush, between building its table and
// installing it.
struct PreparedFlush {
  uint32_t stripe = 0;
  std::shared_ptr<const StripeView> view;
  std::vector<std::shared_ptr<MemTable>> mems;
  size_t fold = 0;  // how many of the stripe's newest tables were merged in
  uint64_t flushed_seq = 0;
  uint64_t number = 0;
  std::optional<TableMeta> meta;
  std::shared_ptr<const Table> table;
  // Enough of the stripe's oldest table is overwritten: replace it by a
  // copy without the newer tables' keys once the flush is in (DropShadowed).
  bool drop = false;
};

}  // namespace

absl::Status EngineImpl::FlushStripes(const std::vector<uint32_t>& stripes) {
  // The stripes are busy: no other job changes their tables meanwhile.
  // Writers may add immutables in front of the ones taken here.
  std::vector<PreparedFlush> prepared(stripes.size());
  absl::Status status;
  for (size_t p = 0; p < stripes.size() && status.ok(); ++p) {
    PreparedFlush& f = prepared[p];
    f.stripe = stripes[p];
    f.view = stripes_[f.stripe].view();
    f.mems = f.view->immutables;
    const std::vector<std::shared_ptr<const Table>>& below = f.view->tables;
    std::vector<std::unique_ptr<TableIterator>> runs;
    uint64_t flushed_bytes = 0;
    for (const auto& mem : f.mems) {
      runs.push_back(mem->NewIterator());
      f.flushed_seq = std::max(f.flushed_seq, mem->max_seq());
      flushed_bytes += mem->memory_usage();
    }
    // When the new table would take the stripe past max_tables_per_stripe,
    // the flush folds the newest tables in (picked as a compaction would,
    // with the flushed memtables as the newest input), so a flush never
    // leaves more tables than the bound. A separate compaction would only
    // come later, and a background thread behind on its work would leave
    // point reads touching ever more tables in the meantime.
    std::vector<uint64_t> sizes = {flushed_bytes};
    for (const auto& t : below) sizes.push_back(t->meta().bytes);
    const size_t picked =
        PickCompactionInputs(sizes, options_.max_tables_per_stripe, false);
    f.fold = picked > 0 ? picked - 1 : 0;
    uint64_t input_bytes = flushed_bytes;
    for (size_t i = 0; i < f.fold; ++i) {
      runs.push_back(below[i]->NewIterator());
      input_bytes += below[i]->meta().bytes;
    }
    f.number = next_file_number_.fetch_add(1);
    // Counts the flushed records (not those of folded tables, which were
    // counted when they were flushed) that the oldest table also holds.
    const bool track = f.fold < below.size() && tables_->CanCopyTableWithout();
    const Table* base = track ? below.back().get() : nullptr;
    const uint64_t newest_table_seq =
        below.empty() ? 0 : below.front()->meta().max_seq;
    uint64_t sampled = 0;
    uint64_t shadowed = 0;
    const std::function<void(const RecordView&)> count =
        [&](const RecordView& r) {
          if (r.seq > newest_table_seq && sampled++ % kShadowSample == 0 &&
              base->MayContain(r.key)) {
            shadowed += kShadowSample;
          }
        };
    // With no table below the output, nothing older can hold a deleted key.
    status = BuildAndOpenTable(f.number, std::move(runs), input_bytes,
                               /*drop_tombstones=*/f.fold == below.size(),
                               &f.meta, &f.table, track ? &count : nullptr);
    if (status.ok() && track) {
      shadowed_[f.stripe] += shadowed;
      if (shadowed_[f.stripe] * 100 >=
          base->meta().entries * kShadowedPercent) {
        f.drop = true;
      }
    }
  }
  // One edit for all the stripes: a single manifest write (and sync).
  ManifestEdit edit;
  if (status.ok()) {
    for (const PreparedFlush& f : prepared) {
      for (size_t i = 0; i < f.fold; ++i) {
        edit.RemoveTable(f.stripe, f.view->tables[i]->meta().number);
      }
      if (f.meta) edit.AddTable(f.stripe, *f.meta);
      edit.SetFlushedSeq(f.stripe, f.flushed_seq);
    }
    edit.SetNextFileNumber(next_file_number_.load());
    edit.SetLastSequence(last_seq_.load());
    status = LogEdit(edit);
  }
  if (!status.ok()) {
    for (const PreparedFlush& f : prepared) {
      // Orphans at worst (removed by the next open).
      if (f.meta) tables_->DeleteTable(f.number).IgnoreError();
    }
    return status;
  }
  for (const PreparedFlush& f : prepared) {
    const size_t below_size = f.view->tables.size();
    size_t tables_now = 0;
    UpdateView(f.stripe, [&](const StripeView& v) {
      StripeView next;
      next.active = v.active;
      // The flushed memtables are the oldest immutables (the tail).
      assert(v.immutables.size() >= f.mems.size());
      next.immutables.assign(v.immutables.begin(),
                             v.immutables.end() - f.mems.size());
      // Only this job changes the stripe's tables, so they are still the
      // ones read above.
      assert(v.tables.size() == below_size);
      (void)below_size;
      if (f.table) next.tables.push_back(f.table);
      next.tables.insert(next.tables.end(), v.tables.begin() + f.fold,
                         v.tables.end());
      tables_now = next.tables.size();
      return next;
    });
    uint64_t seen = max_tables_seen_.load();
    while (tables_now > seen &&
           !max_tables_seen_.compare_exchange_weak(seen, tables_now)) {
    }
    flushes_.fetch_add(1);
    if (f.fold > 0) compactions_.fetch_add(1);
    ReleaseFlushed(f.mems);
    for (size_t i = 0; i < f.fold; ++i) {
      // As in CompactStripe: readers of older views keep their handles.
      tables_->DeleteTable(f.view->tables[i]->meta().number).IgnoreError();
      dropped_bytes_.fetch_add(f.view->tables[i]->meta().bytes);
    }
    // The oldest table was merged: nothing of it is overwritten yet.
    if (f.fold == below_size) shadowed_[f.stripe] = 0;
  }
  // One stripe at a time, so that at most one copy lives beside its
  // original (a batch's 16 copies at once were ~7 B/item of the peak).
  bool replaced = false;
  for (const PreparedFlush& f : prepared) {
    if (!f.drop) continue;
    KS_ASSIGN_OR_RETURN(const bool done, DropShadowed(f.stripe));
    // Copied, or all overwritten and left to the merges: count anew.
    shadowed_[f.stripe] = 0;
    replaced = replaced || done;
  }
  if (replaced && dropped_bytes_.load() >= kReleaseWhileWritingBytes) {
    MaybeReleaseFreeMemory(/*all=*/true);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> EngineImpl::DropShadowed(uint32_t s) {
  const std::shared_ptr<const StripeView> view = stripes_[s].view();
  const std::vector<std::shared_ptr<const Table>>& tables = view->tables;
  if (tables.size() < 2) return false;
  const Table& base = *tables.back();
  std::vector<std::string> keys;
  for (size_t i = 0; i + 1 < tables.size(); ++i) {
    const std::unique_ptr<TableIterator> it = tables[i]->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = it->record().key;
      if (base.MayContain(key)) keys.emplace_back(key);
    }
    KS_RETURN_IF_ERROR(it->status());
  }
  const uint64_t number = next_file_number_.fetch_add(1);
  KS_ASSIGN_OR_RETURN(
      const std::optional<TableMeta> meta,
      tables_->CopyTableWithout(base.meta().number, number, keys));
  // Every key overwritten: the table stays, for the merges, which also drop
  // the newer tables' tombstones once it is among their inputs (without it,
  // a newest table holding tombstones could be the stripe's only table).
  if (!meta.has_value()) return false;
  absl::StatusOr<std::shared_ptr<const Table>> copy =
      tables_->OpenTable(number);
  absl::Status status = copy.status();
  if (status.ok()) {
    ManifestEdit edit;
    edit.RemoveTable(s, base.meta().number);
    edit.AddTable(s, *meta);
    edit.SetNextFileNumber(next_file_number_.load());
    status = LogEdit(edit);
  }
  if (!status.ok()) {
    tables_->DeleteTable(number).IgnoreError();  // an orphan at worst
    return status;
  }
  UpdateView(s, [&](const StripeView& v) {
    StripeView next;
    next.active = v.active;
    next.immutables = v.immutables;
    // Only this job changes the stripe's tables, so they are still `tables`.
    assert(v.tables.size() == tables.size());
    next.tables = v.tables;
    next.tables.back() = *copy;
    return next;
  });
  // Readers holding an older view keep reading the open handle.
  tables_->DeleteTable(base.meta().number).IgnoreError();
  dropped_bytes_.fetch_add(base.meta().bytes);
  return true;
}

void EngineImpl::ReleaseFlushed(
    const std::vector<std::shared_ptr<MemTable>>& mems) {
  uint64_t bytes = 0;
  for (const auto& mem : mems) bytes += mem->memory_usage();
  dropped_bytes_.fetch_add(bytes);
  immutable_bytes_.fetch_sub(bytes);
  memtable_bytes_.fetch_sub(bytes);
  absl::MutexLock lock(&mu_);
  for (const auto& mem : mems) immutable_ids_.erase(mem->id());
  done_cv_.SignalAll();  // after the subtraction: see WaitForMemtableRoom
}

absl::Status EngineImpl::CompactStripe(uint32_t s, bool full) {
  const std::shared_ptr<const StripeView> view = stripes_[s].view();
  const std::vector<std::shared_ptr<const Table>>& tables = view->tables;
  std::vector<uint64_t> sizes;
  for (const auto& t : tables) sizes.push_back(t->meta().bytes);
  const size_t k =
      PickCompactionInputs(sizes, options_.max_tables_per_stripe, full);
  if (k == 0) return absl::OkStatus();
  std::vector<std::unique_ptr<TableIterator>> runs;
  uint64_t input_bytes = 0;
  for (size_t i = 0; i < k; ++i) {
    runs.push_back(tables[i]->NewIterator());
    input_bytes += tables[i]->meta().bytes;
  }
  const uint64_t number = next_file_number_.fetch_add(1);
  std::optional<TableMeta> meta;
  std::shared_ptr<const Table> output;
  // The inputs are the newest k tables; if they are all of them, nothing
  // older can hold a key, so tombstones go.
  KS_RETURN_IF_ERROR(BuildAndOpenTable(number, std::move(runs), input_bytes,
                                       /*drop_tombstones=*/k == tables.size(),
                                       &meta, &output));
  ManifestEdit edit;
  for (size_t i = 0; i < k; ++i) edit.RemoveTable(s, tables[i]->meta().number);
  if (meta) edit.AddTable(s, *meta);
  edit.SetNextFileNumber(next_file_number_.load());
  absl::Status status = LogEdit(edit);
  if (!status.ok()) {
    if (meta) tables_->DeleteTable(number).IgnoreError();  // orphan at worst
    return status;
  }
  UpdateView(s, [&](const StripeView& v) {
    StripeView next;
    next.active = v.active;
    next.immutables = v.immutables;
    // Only this job changes the stripe's tables, so they are still `tables`.
    assert(v.tables.size() == tables.size());
    if (output) next.tables.push_back(output);
    next.tables.insert(next.tables.end(), v.tables.begin() + k, v.tables.end());
    return next;
  });
  compactions_.fetch_add(1);
  if (k == tables.size()) shadowed_[s] = 0;  // the oldest table was merged
  for (size_t i = 0; i < k; ++i) {
    // Readers holding an older view keep reading the open handles. A failed
    // delete leaves an orphan, which the next open removes.
    tables_->DeleteTable(tables[i]->meta().number).IgnoreError();
  }
  dropped_bytes_.fetch_add(input_bytes);
  return absl::OkStatus();
}

void EngineImpl::MaybeReleaseFreeMemory(bool all) {
  const uint64_t dropped = dropped_bytes_.load();
  if (dropped == 0 || (!all && dropped < kReleaseFreeMemoryBytes)) return;
  dropped_bytes_.fetch_sub(dropped);
  ReleaseFreeMemory();
}

void EngineImpl::RunMaintenance(bool rotate, bool make_room) {
  if (rotate) SetError(RotateWal());
  if (make_room) MakeRoom();
  SetError(CollectWalSegments());
}

absl::Status EngineImpl::RotateWal() {
  MutexLock wal_lock(&wal_mu_);
  // No writer is between its append and its memtable inserts now, so every
  // batch of the segment being closed is in a memtable.
  KS_ASSIGN_OR_RETURN(const uint64_t segment, wal_->Rotate());
  const uint64_t epoch = wal_epoch_.load();
  {
    absl::MutexLock lock(&mu_);
    closed_epochs_[epoch] = segment;
  }
  wal_epoch_.store(epoch + 1);
  wal_bytes_since_rotate_.store(0);
  return absl::OkStatus();
}

absl::Status EngineImpl::CollectWalSegments() {
  // Epochs before `current` are closed, and every batch logged in them was
  // applied before the rotation that closed them; so if no memtable still
  // holds data of an epoch, that data is all in tables.
  const uint64_t current = wal_epoch_.load();
  uint64_t oldest = current;
  for (const Stripe& stripe : stripes_) {
    const std::shared_ptr<const StripeView> view = stripe.view();
    oldest = std::min(oldest, view->active->min_epoch());
    for (const auto& mem : view->immutables) {
      oldest = std::min(oldest, mem->min_epoch());
    }
  }
  bool remove = false;
  uint64_t through = 0;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = closed_epochs_.begin();
         it != closed_epochs_.end() && it->first < oldest;) {
      through = it->second;
      remove = true;
      it = closed_epochs_.erase(it);
    }
  }
  if (remove) KS_RETURN_IF_ERROR(wal_->RemoveSegmentsThrough(through));
  if (oldest < current && wal_->stats().bytes > wal_limit_bytes_) {
    // The WAL is too long (recovery would replay too much): flush the active
    // memtables that pin its oldest segments.
    for (uint32_t s = 0; s < static_cast<uint32_t>(kStripeCount); ++s) {
      if (stripes_[s].view()->active->min_epoch() > oldest) continue;
      MutexLock lock(&stripes_[s].write_mu);
      SwitchMemtableLocked(s);
    }
  }
  return absl::OkStatus();
}

void EngineImpl::MakeRoom() {
  const uint64_t target = options_.total_memtable_bytes / 4;
  while (Saturating(memtable_bytes_.load(), immutable_bytes_.load()) > target) {
    uint32_t victim = 0;
    uint64_t largest = 0;
    for (uint32_t s = 0; s < static_cast<uint32_t>(kStripeCount); ++s) {
      const uint64_t bytes = stripes_[s].active_bytes.load();
      if (bytes > largest) {
        largest = bytes;
        victim = s;
      }
    }
    if (largest == 0) break;
    MutexLock lock(&stripes_[victim].write_mu);
    SwitchMemtableLocked(victim);
  }
}

absl::Status EngineImpl::LogEdit(const ManifestEdit& edit) {
  absl::MutexLock lock(&manifest_mu_);
  absl::Status status = manifest_.Apply(edit);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("engine: inconsistent manifest edit: ", status.message()));
  }
  ManifestLog* log = tables_->manifest();
  if (++edits_since_rewrite_ >=
      std::max<uint64_t>(kManifestRewriteEdits, 2 * manifest_.table_count())) {
    // The snapshot is followed by an empty edit so that it is never the
    // log's last record: damage to it is then DataLoss, never mistaken for
    // a torn tail and dropped.
    KS_RETURN_IF_ERROR(
        log->Rewrite({manifest_.Snapshot().Encode(), ManifestEdit().Encode()}));
    edits_since_rewrite_ = 0;
    return absl::OkStatus();
  }
  return log->Append(edit.Encode());
}

absl::Status EngineImpl::Flush() {
  KS_RETURN_IF_ERROR(error());
  // Close the current WAL segment first, so that once the memtables are
  // flushed every closed segment can go.
  absl::Status status = RotateWal();
  SetError(status);
  KS_RETURN_IF_ERROR(status);
  for (uint32_t s = 0; s < static_cast<uint32_t>(kStripeCount); ++s) {
    MutexLock lock(&stripes_[s].write_mu);
    SwitchMemtableLocked(s);
  }
  const uint64_t target = next_memtable_id_.load();
  {
    absl::MutexLock lock(&mu_);
    ++flush_waiters_;
    while (!immutable_ids_.empty() && *immutable_ids_.begin() < target &&
           !has_error_.load() && !shutting_down_) {
      done_cv_.Wait(&mu_);
    }
    --flush_waiters_;
  }
  KS_RETURN_IF_ERROR(error());
  status = CollectWalSegments();
  SetError(status);
  return status;
}

void EngineImpl::TEST_WaitForIdle() {
  absl::MutexLock lock(&mu_);
  auto busy = [this] {
    mu_.AssertHeld();
    if (!queue_.empty() || maintenance_running_ || rotate_requested_ ||
        room_requested_ || gc_requested_) {
      return true;
    }
    for (bool b : busy_) {
      if (b) return true;
    }
    return false;
  };
  while (busy() && !has_error_.load() && !shutting_down_) {
    done_cv_.Wait(&mu_);
  }
}

void EngineImpl::TEST_WaitForIdleCompactionDone() {
  absl::MutexLock lock(&mu_);
  // A fresh search: the flag may still be clear from a search made before
  // the caller's last flush finished (a job sets it only after Flush() can
  // already have returned).
  idle_candidates_ = true;
  work_cv_.Signal();
  while (idle_candidates_ && !has_error_.load() && !shutting_down_) {
    done_cv_.Wait(&mu_);
  }
}

absl::Status EngineImpl::Compact() {
  KS_RETURN_IF_ERROR(Flush());
  std::vector<uint32_t> todo;
  for (uint32_t s = 0; s < static_cast<uint32_t>(kStripeCount); ++s) {
    if (stripes_[s].view()->tables.size() > 1) todo.push_back(s);
  }
  {
    absl::MutexLock lock(&mu_);
    for (uint32_t s : todo) {
      if (!force_full_[s]) {
        force_full_[s] = true;
        ++force_full_pending_;
      }
      ScheduleStripeLocked(s);
    }
    while (force_full_pending_ > 0 && !has_error_.load() && !shutting_down_) {
      done_cv_.Wait(&mu_);
    }
  }
  MaybeReleaseFreeMemory(/*all=*/true);  // what the last merges dropped
  return error();
}

}  // namespace kstone::core
