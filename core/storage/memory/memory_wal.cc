#include "core/storage/memory/memory_wal.h"

#include <atomic>
#include <cassert>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

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

// See memory_wal.h. The current segment exists once a batch went into it
// (like the disk WAL's lazily created segment file); its bytes are an atomic
// counter, so Append only adds to it. Rotate moves the counter into the list
// of closed segments under mu_. An Append racing with Rotate lands in one
// segment or the other, as it would on disk.
class MemoryWal final : public Wal {
 public:
  MemoryWal() = default;
  MemoryWal(const MemoryWal&) = delete;
  MemoryWal& operator=(const MemoryWal&) = delete;

  absl::Status Append(const WriteBatch& batch, bool /*sync*/) override {
    assert(!batch.mutations.empty());
    if (batch.mutations.empty()) {
      return absl::InvalidArgumentError("wal: Append of an empty batch");
    }
    current_bytes_.fetch_add(ApproximateBytes(batch),
                             std::memory_order_relaxed);
    return absl::OkStatus();
  }

  absl::Status Sync() override { return absl::OkStatus(); }

  absl::StatusOr<WalReplayReport> Replay(
      const std::function<absl::Status(const WriteBatch&)>& /*fn*/) override {
    return WalReplayReport();  // nothing is kept, so nothing replays
  }

  absl::StatusOr<uint64_t> Rotate() override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    const uint64_t bytes = current_bytes_.exchange(0);
    if (bytes > 0) {
      closed_.push_back(Segment{current_, bytes});
      closed_bytes_ += bytes;
    }
    return current_++;
  }

  absl::Status RemoveSegmentsThrough(uint64_t segment) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    // Only closed segments go: the current one is never removed.
    while (!closed_.empty() && closed_.front().number <= segment) {
      closed_bytes_ -= closed_.front().bytes;
      closed_.pop_front();
    }
    return absl::OkStatus();
  }

  WalStats stats() const override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    const uint64_t current = current_bytes_.load();
    WalStats stats;
    stats.bytes = closed_bytes_ + current;
    stats.segments = closed_.size() + (current > 0 ? 1 : 0);
    return stats;
  }

 private:
  struct Segment {
    uint64_t number;
    uint64_t bytes;
  };

  mutable absl::Mutex mu_;
  // Closed segments that held at least one batch, oldest first.
  std::deque<Segment> closed_ ABSL_GUARDED_BY(mu_);
  uint64_t closed_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Number of the segment appends go to; segments start at 1.
  uint64_t current_ ABSL_GUARDED_BY(mu_) = 1;
  // Bytes appended to the current segment (0: it does not exist yet).
  std::atomic<uint64_t> current_bytes_{0};
};

}  // namespace

std::unique_ptr<Wal> NewMemoryWal() { return std::make_unique<MemoryWal>(); }

}  // namespace kstone::core
