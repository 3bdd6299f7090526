// The log and memory upkeep of EngineImpl's background thread: rotating the
// WAL and deleting the segments whose data is all in tables, switching
// memtables to make room under the memory cap, and logging manifest edits
// (rewritten as a snapshot now and then).

#include <algorithm>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/engine/engine_impl.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// The manifest is rewritten as one snapshot record after this many edits
// (or twice the number of tables, if more), so that reading it at open stays
// cheap.
constexpr uint64_t kManifestRewriteEdits = 1024;

uint64_t Saturating(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

}  // namespace

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

}  // namespace kstone::core
