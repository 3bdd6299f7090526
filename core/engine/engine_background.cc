// The background threads of EngineImpl and what they run when: stripe jobs
// (flushes and merges, engine_table_jobs.cc) taken from the queue in
// batches, log and memory upkeep (engine_maintenance.cc) on request, merges
// of idle stripes once writes stop, and the interval sync. Also Flush() and
// Compact(), which wait for that work.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/engine/engine_impl.h"
#include "core/util/release_memory.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

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
      // idle_candidates_ again and searches. PickIdleStripe dropped mu_
      // while it looked, so the destructor may have set shutting_down_ and
      // sent its signal meanwhile: waiting then would never end (the
      // destructor's join hung so, once, in CI).
      if (!shutting_down_) work_cv_.Wait(&mu_);
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

void EngineImpl::MaybeReleaseFreeMemory(bool all) {
  const uint64_t dropped = dropped_bytes_.load();
  if (dropped == 0 || (!all && dropped < kReleaseFreeMemoryBytes)) return;
  dropped_bytes_.fetch_sub(dropped);
  ReleaseFreeMemory();
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
