#ifndef KSTONE_CORE_STORAGE_DISK_DISK_WAL_IMPL_H_
#define KSTONE_CORE_STORAGE_DISK_DISK_WAL_IMPL_H_

// The disk WAL's class, shared by its three source files: disk_wal.cc (group
// commit, segment rotation; the design is described there),
// disk_wal_buffer.cc (the buffer of unsynced appends under SyncMode::kNone
// and its flusher) and disk_wal_segments.cc (replay, the previous open's
// segments, removal, stats, OpenDiskWal). Internal: everything else goes
// through OpenDiskWal (disk_wal.h) and the Wal interface.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/storage/disk/disk_wal_test_hooks.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/disk/group_commit_gather.h"
#include "core/storage/wal.h"
#include "core/util/mutex.h"

namespace kstone::core {

// Thread safety: as every Wal (safe for concurrent use); see disk_wal.cc.
class DiskWal final : public Wal {
 public:
  DiskWal(FileSystem* fs, std::string dir, uint64_t segment_bytes,
          std::map<uint64_t, uint64_t> segments)
      : fs_(fs),
        dir_(std::move(dir)),
        segment_bytes_(segment_bytes),
        segments_(std::move(segments)),
        current_(segments_.empty() ? 1 : segments_.rbegin()->first + 1) {
    active_.number = current_;
  }
  DiskWal(const DiskWal&) = delete;
  DiskWal& operator=(const DiskWal&) = delete;

  ~DiskWal() override;

  absl::Status Append(const WriteBatch& batch, bool sync) override;
  absl::Status Sync() override;
  absl::StatusOr<WalReplayReport> Replay(
      const std::function<absl::Status(const WriteBatch&)>& fn) override;
  absl::StatusOr<uint64_t> Rotate() override;
  absl::Status RemoveSegmentsThrough(uint64_t segment) override;
  WalStats stats() const override;
  void BufferUnsyncedAppends(absl::Duration max_delay) override;

  size_t TEST_QueuedWriters() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return writers_.size();
  }
  size_t TEST_BufferedBytes() const ABSL_LOCKS_EXCLUDED(buffer_mu_) {
    MutexLock lock(&buffer_mu_);
    return buffered_.size();
  }
  void TEST_WaitUntilWrittenOut() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    // A CondVar rather than Mutex::Await, whose condition checks TSan's
    // absl::Mutex interposer (tests/testing/tsan) cannot see.
    ++written_out_waiters_;
    while (!NothingBuffered()) written_out_cv_.Wait(&mu_);
    --written_out_waiters_;
  }
  DiskWalGroupCounters TEST_GroupCounters() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return counters_;
  }

 private:
  // kWriteOut hands buffered appends to the OS (the flusher's operation).
  enum class Op { kAppend, kSync, kRotate, kWriteOut };

  // A queued writer's turn (Writer::turn).
  enum Turn : int { kWait, kLead, kDone };

  // One queued operation. Lives on its caller's stack.
  struct Writer {
    Writer(Op o, std::string r, bool s)
        : op(o), record(std::move(r)), sync(s) {}
    const Op op;
    const std::string record;  // a framed record (kAppend only)
    const bool sync;
    // Set by the leader that finished this writer's group, before `turn`
    // becomes kDone; read by the writer after it sees kDone.
    absl::Status status;
    uint64_t closed = 0;  // kRotate: the segment closed
    // kWait until the leader before it hands over: kLead (lead the next
    // group) or kDone (its group is written). The writer waits on it
    // without mu_, so that a finished group wakes all at once instead of
    // one after another through the mutex.
    std::atomic<int> turn{kWait};
  };

  // The segment being written. Touched only by the leader (the writer at the
  // front of writers_), without holding mu_: leadership is the lock.
  struct Active {
    uint64_t number = 0;
    std::unique_ptr<WritableFile> file;  // null until the first write
    uint64_t synced_size = 0;
  };

  // Queues `w`, waits for it, leads a group if it reaches the front.
  absl::Status Run(Writer* w) ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until `w` (queued, not at the front) leads or is done.
  static Turn AwaitTurn(Writer* w);
  // Hands `w` its turn and wakes it; `w` may be gone when this returns.
  static void SetTurn(Writer* w, Turn turn);
  // The leader `w` of a synced group waits, if recent groups say so, for
  // more synced writers to queue before it takes its group.
  void Gather(Writer* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records the active segment file's size in segments_ (stats() adds the
  // buffered bytes, which are on their way to it). REQUIRES: the caller
  // leads.
  void NoteActiveSegmentSize() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    segments_[active_.number] = active_.file->size();
  }
  // Synced appends queued behind the first `skip` writers.
  size_t QueuedSyncedAppends(size_t skip) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The leader's I/O, run without mu_. WriteGroup writes the buffer, then
  // `data`; WriteBuffered takes the buffer's records and writes them
  // without flushing the file (`*wrote`, if given: whether there were any).
  absl::Status WriteGroup(const std::string& data, bool sync, bool* rotated);
  absl::Status WriteBuffered(bool* wrote) ABSL_LOCKS_EXCLUDED(buffer_mu_);

  // Buffered appends (disk_wal_buffer.cc). AppendToBuffer adds the record
  // of an unsynced append to the buffer and returns true, or returns false
  // (and does nothing) if appends are not buffered or the WAL failed;
  // `*full`: the buffer is due to be written now.
  bool AppendToBuffer(const WriteBatch& batch, size_t payload_size, bool* full)
      ABSL_LOCKS_EXCLUDED(mu_, buffer_mu_);
  // A failed write ends buffering: later appends go through Run, which
  // returns the sticky error.
  void CloseBuffer() ABSL_LOCKS_EXCLUDED(buffer_mu_) {
    MutexLock lock(&buffer_mu_);
    buffer_failed_ = true;
  }
  void FlusherLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void StopFlusher() ABSL_LOCKS_EXCLUDED(mu_);
  // Marks the flusher idle if nothing is buffered; whether it did.
  bool FlusherIdlesIfEmpty() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_)
      ABSL_LOCKS_EXCLUDED(buffer_mu_);
  bool NothingBuffered() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_)
      ABSL_LOCKS_EXCLUDED(buffer_mu_) {
    MutexLock lock(&buffer_mu_);
    return buffered_.empty() && writers_.empty();
  }
  absl::Status RotateActive();
  absl::Status CreateActive();
  absl::Status PrepareNewestOldSegment();

  // Constant after construction.
  FileSystem* const fs_;
  const std::string dir_;
  const uint64_t segment_bytes_;

  // Leader-only state (see Active).
  Active active_;
  std::string group_buffer_;
  std::string drained_;  // the buffer's records being written (WriteBuffered)
  // Final sizes of segments closed by the leader, for Run to publish.
  std::vector<std::pair<uint64_t, uint64_t>> closed_sizes_;
  bool old_tail_checked_ = false;  // also set by Replay, before any leader
  bool old_prepared_ = false;      // PrepareNewestOldSegment ran

  mutable absl::Mutex mu_;
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(mu_);
  // The first failed write or sync; every later operation returns it.
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  // Live segment files: number -> bytes.
  std::map<uint64_t, uint64_t> segments_ ABSL_GUARDED_BY(mu_);
  // The segment appends go to (its file may not exist yet).
  uint64_t current_ ABSL_GUARDED_BY(mu_);
  bool appended_ ABSL_GUARDED_BY(mu_) = false;  // Replay is no longer allowed

  // Group commit's gather (see Gather). While a leader gathers, a writer
  // that makes the queue gather_until_ long (or queues a Rotate, which
  // ends any group) signals gather_cv_; 0 when no leader gathers. Every
  // writer that queues during a gather sets gather_last_arrival_.
  GroupCommitGather gather_ ABSL_GUARDED_BY(mu_);
  size_t gather_until_ ABSL_GUARDED_BY(mu_) = 0;
  bool gather_cut_ ABSL_GUARDED_BY(mu_) = false;         // a Rotate queued
  absl::Time gather_last_arrival_ ABSL_GUARDED_BY(mu_);  // or gather start
  absl::CondVar gather_cv_;
  DiskWalGroupCounters counters_ ABSL_GUARDED_BY(mu_);

  // Buffered appends (disk_wal_buffer.cc). buffer_mu_ is a core::Mutex, not
  // absl::Mutex: every unsynced commit takes it, and Debian's Abseil runs
  // its deadlock detector on every absl::Mutex lock (core/util/mutex.h).
  mutable Mutex buffer_mu_ ABSL_ACQUIRED_AFTER(mu_);
  // Unsynced records not yet handed to the OS, in log order.
  std::string buffered_ ABSL_GUARDED_BY(buffer_mu_);
  bool buffering_ ABSL_GUARDED_BY(buffer_mu_) = false;
  bool buffer_failed_ ABSL_GUARDED_BY(buffer_mu_) = false;  // see CloseBuffer
  bool appended_to_buffer_ ABSL_GUARDED_BY(buffer_mu_) = false;
  // The flusher waits for a writer's signal (set and cleared by the flusher
  // holding mu_ too, so that the writer's signal under mu_ finds it waiting).
  bool flusher_idle_ ABSL_GUARDED_BY(buffer_mu_) = false;
  // Bytes a leader took from buffered_ (into drained_) whose segment sizes
  // it has not yet published: stats() counts them meanwhile, so that the
  // WAL's size does not dip while they are being written. Run clears it
  // where it publishes the sizes (under mu_ too).
  uint64_t draining_bytes_ ABSL_GUARDED_BY(buffer_mu_) = 0;
  absl::Duration max_delay_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar flusher_cv_;
  int written_out_waiters_ ABSL_GUARDED_BY(mu_) =
      0;  // TEST_WaitUntilWrittenOut
  absl::CondVar written_out_cv_;
  std::thread flusher_;  // started once, by BufferUnsyncedAppends
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_DISK_WAL_IMPL_H_
