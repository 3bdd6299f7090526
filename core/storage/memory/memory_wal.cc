#include "core/storage/memory/memory_wal.h"

#include <cassert>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// Approximate bytes a batch would take in the disk WAL's record format, so
// that stats() of both backends are comparable: a record header, the batch
// header, and per mutation a type byte, two length prefixes and the bytes.
uint64_t ApproximateBytes(const WriteBatch& batch) {
  uint64_t bytes = 9 + 10 + 5;
  for (const Mutation& m : batch.mutations) {
    bytes += 1 + 5 + m.key.size() + 5 + m.value.size();
  }
  return bytes;
}

// The memory WAL. Segments mirror the disk WAL's: the current segment comes
// into existence with its first batch (like the disk WAL's lazily created
// segment file), Rotate closes it, and RemoveSegmentsThrough drops closed
// ones. Replay delivers every live batch; it may be called at any time (there
// is no reopen in memory, so nothing is torn). Safe for concurrent use: one
// mutex guards everything; Replay copies nothing but holds the mutex while
// it calls `fn`, so `fn` must not call back into this WAL.
class MemoryWal final : public Wal {
 public:
  MemoryWal() = default;
  MemoryWal(const MemoryWal&) = delete;
  MemoryWal& operator=(const MemoryWal&) = delete;

  absl::Status Append(const WriteBatch& batch, bool /*sync*/) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    assert(!batch.mutations.empty());
    if (batch.mutations.empty()) {
      return absl::InvalidArgumentError("wal: Append of an empty batch");
    }
    absl::MutexLock lock(&mu_);
    if (segments_.empty() || segments_.back().number != current_) {
      segments_.push_back(Segment{current_, {}, 0});
    }
    Segment& segment = segments_.back();
    const uint64_t bytes = ApproximateBytes(batch);
    segment.batches.push_back(batch);
    segment.bytes += bytes;
    bytes_ += bytes;
    return absl::OkStatus();
  }

  absl::Status Sync() override { return absl::OkStatus(); }

  absl::StatusOr<WalReplayReport> Replay(
      const std::function<absl::Status(const WriteBatch&)>& fn) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    WalReplayReport report;
    for (const Segment& segment : segments_) {
      for (const WriteBatch& batch : segment.batches) {
        KS_RETURN_IF_ERROR(fn(batch));
        ++report.batches;
        const uint64_t last = batch.first_seq + batch.mutations.size() - 1;
        if (last > report.max_seq) report.max_seq = last;
      }
    }
    return report;
  }

  absl::StatusOr<uint64_t> Rotate() override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return current_++;
  }

  absl::Status RemoveSegmentsThrough(uint64_t segment) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    // Only closed segments go: the current one is never removed.
    while (!segments_.empty() && segments_.front().number <= segment &&
           segments_.front().number < current_) {
      bytes_ -= segments_.front().bytes;
      segments_.pop_front();
    }
    return absl::OkStatus();
  }

  WalStats stats() const override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    WalStats stats;
    stats.bytes = bytes_;
    stats.segments = segments_.size();
    return stats;
  }

 private:
  struct Segment {
    uint64_t number;
    std::vector<WriteBatch> batches;
    uint64_t bytes;
  };

  mutable absl::Mutex mu_;
  // Live segments with at least one batch, oldest first.
  std::deque<Segment> segments_ ABSL_GUARDED_BY(mu_);
  // Number of the segment appends go to; segments start at 1.
  uint64_t current_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::unique_ptr<Wal> NewMemoryWal() { return std::make_unique<MemoryWal>(); }

}  // namespace kstone::core
