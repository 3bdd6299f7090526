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

// After this many consecutive timed-out gathers the limit is negligible
// (1/16 of the fraction); it stays there until a gather reaches its target.
constexpr int kMaxMisses = 4;

}  // namespace

GroupCommitGather::Plan GroupCommitGather::Next(size_t queued) const {
  Plan plan;
  plan.target = std::max(seen_[0], seen_[1]);
  if (plan.target <= queued) {
    plan.target = queued;
    return plan;
  }
  plan.max_wait = sync_time_ * kGatherFraction / (1 << misses_);
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

void GroupCommitGather::GatherDone(bool reached) {
  if (reached) {
    misses_ = 0;
  } else {
    misses_ = std::min(misses_ + 1, kMaxMisses);
  }
}

}  // namespace kstone::core
