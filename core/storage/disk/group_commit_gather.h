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
// group plus the ones queued behind it when it finished), but no longer
// than a fraction of the recent sync time, and never when recent groups
// show no concurrency: a lone writer never waits. A gather that ends on its
// time limit halves the next one's limit, so that writers who come back
// later than a sync (they do other work between commits) are not waited
// for again and again; a gather that reaches its target restores it.

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
  };

  // The plan for a leader that sees `queued` synced appends queued (itself
  // included).
  Plan Next(size_t queued) const;

  // A synced group of `group` writers took `took` to write and sync; when it
  // finished, `waiting` synced appends were queued behind it.
  void GroupDone(size_t group, size_t waiting, absl::Duration took);

  // A leader waited for more writers; `reached` tells whether its target
  // queued before its time limit.
  void GatherDone(bool reached);

  // The recent sync time (an exponentially weighted moving average).
  absl::Duration sync_time() const { return sync_time_; }

 private:
  // Writers seen by the last two synced groups (group plus waiting).
  size_t seen_[2] = {1, 1};
  absl::Duration sync_time_;  // zero until a sync was measured
  int misses_ = 0;            // consecutive gathers that timed out
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_GROUP_COMMIT_GATHER_H_
