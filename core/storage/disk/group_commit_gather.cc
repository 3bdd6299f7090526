#include "core/storage/disk/group_commit_gather.h"

#include <algorithm>
#include <cstddef>

#include "absl/time/time.h"

namespace kstone::core {
namespace {

// A gather waits at most this fraction of the recent sync time: the
// writers of the last group need about as long as one op of their own
// (wake up, apply, prepare the next commit) to queue again, far less than a
// sync, and a gather that finds nobody costs at most half a sync.
constexpr double kGatherFraction = 0.5;

// A gather that ran into its limit after no writer had queued for this
// fraction of the sync time (half the limit) stalled: the writers came
// back, but some were held up elsewhere. The writers released by a group
// queue one after another as the cores run them, 10-15 us apart with 8
// writers on 2 cores, against syncs of 130 us and up.
constexpr double kStallFraction = 0.25;

// After this many missed gathers (timed out, or nobody came) with none
// reaching its target in between, the limits are negligible (1/16 of the
// fractions); they stay there until a gather reaches its target.
constexpr int kMaxMisses = 4;

// While backed off, every this many gathers one gets the full limits: a
// short gather rarely reaches its target even when the writers are back
// well within a sync (after a burst of other work, say, or at startup), so
// without a probe the back-off could outlive its cause for good.
constexpr int kProbeInterval = 16;

}  // namespace

GroupCommitGather::Plan GroupCommitGather::Next(size_t queued) const {
  Plan plan;
  plan.target = std::max(seen_[0], seen_[1]);
  if (plan.target <= queued) {
    plan.target = queued;
    return plan;
  }
  const int shift = Probing() ? 0 : misses_;
  plan.max_wait = sync_time_ * kGatherFraction / (1 << shift);
  plan.max_gap = sync_time_ * kStallFraction / (1 << shift);
  return plan;
}

void GroupCommitGather::GroupDone(size_t group, size_t waiting,
                                  absl::Duration took) {
  seen_[1] = seen_[0];
  seen_[0] = group + waiting;
  // An average over about the last eight syncs.
  sync_time_ = sync_time_ == absl::ZeroDuration()
                   ? took
                   : sync_time_ + (took - sync_time_) / 8;
}

bool GroupCommitGather::Probing() const {
  return misses_ > 0 && backed_off_gathers_ >= kProbeInterval - 1;
}

void GroupCommitGather::GatherDone(Outcome outcome) {
  const bool probe = Probing();
  if (outcome == Outcome::kReached) {
    misses_ = 0;
    backed_off_gathers_ = 0;
    return;
  }
  // A stalled gather saw the writers come back in time, except some held
  // up elsewhere (a lock, other work): nothing to learn about the limits.
  // A failed probe leaves them backed off as they were.
  if (outcome != Outcome::kStalled && !probe) {
    misses_ = std::min(misses_ + 1, kMaxMisses);
  }
  backed_off_gathers_ = probe || misses_ == 0 ? 0 : backed_off_gathers_ + 1;
}

}  // namespace kstone::core
