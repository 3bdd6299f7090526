#ifndef KSTONE_CORE_STORAGE_DISK_GROUP_COMMIT_GATHER_H_
#define KSTONE_CORE_STORAGE_DISK_GROUP_COMMIT_GATHER_H_

// When the leader of a synced group commit should wait for more writers
// before it syncs (docs/architecture.md "Group commit").
//
// With N writers that each wait for their own sync before writing again,
// a plain writer queue syncs about N/2 records at a time: while group k
// syncs, only the writers outside it can queue, and the ones it releases
// come back while group k+1 syncs, so they join group k+2. To put everyone
// in one group, the leader of a synced group waits until as many synced
// writers are queued as took part in recent groups (the ones in the last
// group plus the ones queued behind it when it finished), and never when
// recent groups show no concurrency: a lone writer never waits.
//
// How long: at most half the recent sync time. A gather that reaches its
// target restores the limit; one that runs into it while writers still
// trickle in (they come back slower than the limit) or that gains nobody
// halves it, down to 1/16, so that writers who do other work between
// commits are not waited for again and again. One that runs into it after
// arrivals had stopped (a stall: the missing writer is most often blocked
// on a lock that a queued member holds, so it cannot come before this
// group syncs) leaves it as it is. While backed off, one gather in 16
// probes with the full limit, so that the back-off ends when its cause
// does.

#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

namespace kstone::core {

// Thread safety: not thread-safe; the WAL calls it under its mutex.
class GroupCommitGather {
 public:
  // What the leader of a synced group should do. If `target` writers (the
  // leader included) are already queued, it does not wait.
  struct Plan {
    size_t target = 1;
    absl::Duration max_wait;  // zero: do not wait
    // A gather that ends on max_wait after no writer queued for this long
    // stalled (see Outcome).
    absl::Duration max_gap;
  };

  // How a gather ended.
  enum class Outcome {
    kReached,   // its target queued
    kStalled,   // writers queued, then none for max_gap until max_wait
    kNobody,    // nobody queued within max_wait
    kTimedOut,  // writers kept queueing until max_wait ran out
  };

  // The plan for a leader that sees `queued` synced appends queued (itself
  // included).
  Plan Next(size_t queued) const;

  // A synced group of `group` writers took `took` to write and sync; when it
  // finished, `waiting` synced appends were queued behind it.
  void GroupDone(size_t group, size_t waiting, absl::Duration took);

  // A leader waited for more writers, with this outcome.
  void GatherDone(Outcome outcome);

  // The recent sync time (an exponentially weighted moving average).
  absl::Duration sync_time() const { return sync_time_; }

  // Whether the next gather is a probe: backed off, but with full limits.
  bool Probing() const;

 private:
  // Writers seen by the last two synced groups (group plus waiting).
  size_t seen_[2] = {1, 1};
  absl::Duration sync_time_;  // zero until a sync was measured
  // Gathers that timed out or gained nobody since the last that reached its
  // target (at most 4); the limits are divided by 2^misses_.
  int misses_ = 0;
  int backed_off_gathers_ = 0;  // gathers since backing off or the last probe
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_GROUP_COMMIT_GATHER_H_
