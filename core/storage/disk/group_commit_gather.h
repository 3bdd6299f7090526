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
// How long. Gathering the N writers costs the time R they need to come
// back; two alternating half-groups cost a second sync S instead. So a
// gather pays while R < S, and its limit is one recent sync time. Within
// that, it ends as soon as arrivals stop: when no writer queued for a
// quarter of a sync, the missing ones are busy elsewhere (most often
// blocked on a lock that a queued member holds, so they cannot come before
// this group syncs) and waiting longer only idles the disk. A gather that
// reaches its target restores the limits; one that runs into its limit
// (R > S: the writers return slower than a sync) or gains nobody halves
// them, down to 1/16; one that gains writers and then sees arrivals stop
// leaves them as they are. While backed off, one gather in 16 probes with
// the full limits, so that the back-off ends when its cause does.

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
    // The gather also ends once no writer queued for this long.
    absl::Duration max_gap;
  };

  // How a gather ended.
  enum class Outcome {
    kReached,   // its target queued
    kStalled,   // writers queued, then none for max_gap
    kNobody,    // nobody queued within max_gap
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
