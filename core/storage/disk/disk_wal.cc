// The disk WAL (disk_wal.h, docs/formats/wal.md): the write side. The class
// is in disk_wal_impl.h; replay and the segments of earlier opens are in
// disk_wal_segments.cc.
//
// Group commit. Every operation that touches the segment files (Append,
// Sync, Rotate) enqueues a Writer in writers_ and waits until it is either
// done or at the front of the queue. The writer at the front is the leader:
// it takes the records of the writers queued behind it (up to a byte limit,
// never past a Rotate), releases the mutex, writes them with one Append, one
// Flush and, if any of them asked for it, one Sync, then retakes the mutex,
// marks the whole group done and hands the lead to the next writer. While a
// leader does I/O, new writers queue up and form the next group, so under
// load one fdatasync covers many appends. This is leveldb's writer queue
// idea in our own code. Two additions (docs/architecture.md "Group commit
// (disk WAL)"): the leader of a synced group first gathers, waiting for as
// many synced writers as recent groups had (GroupCommitGather: at most
// half the recent sync time, never for a lone writer), because writers
// released by a group come back only after the next group has started its
// sync; and queued writers sleep on a futex word of their own (Writer::turn)
// rather than on the mutex, so that a finished group wakes all at once.
//
// Segment files are created lazily: a new segment NNNNNN.log comes into
// being when the first record is written to it. Before the first segment of
// this open is created, the newest segment left by the previous open is
// checked (its torn tail cut off, if Replay has not done that already) and
// synced, so that only the newest segment can ever have a torn tail.
// Closed segments are always synced.
//
// Buffered appends (SyncMode::kNone) do not queue: they add their records
// to a buffer of their own (disk_wal_buffer.cc, which describes it), which
// every leader writes to the file before its group's records.

#include "core/storage/disk/disk_wal.h"

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/storage/disk/disk_wal_impl.h"
#include "core/storage/disk/file_names.h"
#include "core/storage/disk/wal_format.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// A group holds at most this many bytes beyond its leader's record, so that
// a small synced append does not wait behind a huge write.
constexpr size_t kMaxGroupExtraBytes = 1 << 20;

// A queued writer sleeps on its Writer::turn word. Linux futexes are used
// directly rather than std::atomic::wait/notify_one because the waker
// calls wake after its store, when the waiter may already have returned
// and its Writer be gone: a futex wake takes just the word's address (a
// stale address wakes nobody, or makes a later wait on the same stack slot
// look again), while notify_one would be a call on a destroyed object.
void WaitWhileEqual(std::atomic<int>* word, int value) {
#ifdef __linux__
  static_assert(sizeof(std::atomic<int>) == sizeof(int));
  ::syscall(SYS_futex, reinterpret_cast<int*>(word), FUTEX_WAIT_PRIVATE, value,
            nullptr, nullptr, 0);
#else
  word->wait(value, std::memory_order_acquire);
#endif
}

void WakeOne(std::atomic<int>* word) {
#ifdef __linux__
  ::syscall(SYS_futex, reinterpret_cast<int*>(word), FUTEX_WAKE_PRIVATE, 1,
            nullptr, nullptr, 0);
#else
  word->notify_one();
#endif
}

}  // namespace

DiskWal::~DiskWal() {
  StopFlusher();
  // No writer may be running (the caller's contract). Make a clean close
  // durable; errors have nowhere to go. After a failed write the buffer's
  // place in the file is unknown, so it is not written.
  bool ok;
  {
    absl::MutexLock lock(&mu_);
    ok = error_.ok();
  }
  if (ok) WriteBuffered(nullptr).IgnoreError();
  if (active_.file != nullptr) {
    if (active_.file->size() != active_.synced_size) {
      active_.file->Sync().IgnoreError();
    }
    active_.file->Close().IgnoreError();
  }
}

absl::Status DiskWal::Append(const WriteBatch& batch, bool sync) {
  assert(!batch.mutations.empty());
  if (batch.mutations.empty()) {
    return absl::InvalidArgumentError("wal: Append of an empty batch");
  }
  const size_t payload_size = wal::EncodedWriteBatchSize(batch);
  if (payload_size > wal::kMaxRecordPayload) {
    return absl::InvalidArgumentError(absl::StrCat(
        "wal: batch of ", payload_size,
        " bytes exceeds the maximum record size ", wal::kMaxRecordPayload));
  }
  bool full = false;
  if (!sync && AppendToBuffer(batch, payload_size, &full)) {
    if (!full) return absl::OkStatus();
    // Hand the full buffer to the OS now, through the queue like the
    // flusher's write-out, so that the file sees the bytes in log order.
    Writer w(Op::kWriteOut, "", false);
    return Run(&w);
  }
  std::string record;
  record.reserve(wal::kRecordHeaderSize + payload_size);
  wal::AppendWalBatchRecord(batch, payload_size, &record);
  Writer w(Op::kAppend, std::move(record), sync);
  return Run(&w);
}

absl::Status DiskWal::Sync() {
  Writer w(Op::kSync, "", true);
  return Run(&w);
}

absl::StatusOr<uint64_t> DiskWal::Rotate() {
  Writer w(Op::kRotate, "", false);
  KS_RETURN_IF_ERROR(Run(&w));
  return w.closed;
}

DiskWal::Turn DiskWal::AwaitTurn(Writer* w) {
  int turn = w->turn.load(std::memory_order_acquire);
  while (turn == kWait) {
    WaitWhileEqual(&w->turn, kWait);
    turn = w->turn.load(std::memory_order_acquire);
  }
  return static_cast<Turn>(turn);
}

void DiskWal::SetTurn(Writer* w, Turn turn) {
  std::atomic<int>* const word = &w->turn;
  word->store(turn, std::memory_order_release);
  // From here on *w may be gone (its writer saw the store and returned):
  // only the word's address is used.
  WakeOne(word);
}

size_t DiskWal::QueuedSyncedAppends(size_t skip) const {
  size_t n = 0;
  for (size_t i = skip; i < writers_.size(); ++i) {
    n += writers_[i]->op == Op::kAppend && writers_[i]->sync ? 1 : 0;
  }
  return n;
}

void DiskWal::Gather(Writer* w) {
  const size_t queued = QueuedSyncedAppends(0);
  const GroupCommitGather::Plan plan = gather_.Next(queued);
  if (plan.target <= queued || plan.max_wait <= absl::ZeroDuration()) return;
  // Arrivals count whatever they queue: all of it joins the group. Only the
  // one that completes the target (or a Rotate) signals; the others just
  // note when they came (gather_last_arrival_), so that a gather that ends
  // on its limit can tell a stall from a trickle without waking up early.
  const size_t first = writers_.size();
  gather_until_ = first + (plan.target - queued);
  gather_cut_ = false;
  ++counters_.gathers;
  const absl::Time start = absl::Now();
  const absl::Time limit = start + plan.max_wait;
  gather_last_arrival_ = start;
  GroupCommitGather::Outcome outcome = GroupCommitGather::Outcome::kReached;
  while (writers_.size() < gather_until_ && !gather_cut_) {
    if (!gather_cv_.WaitWithDeadline(&mu_, limit)) continue;  // signalled
    if (writers_.size() >= gather_until_ || gather_cut_) break;
    if (writers_.size() == first) {
      outcome = GroupCommitGather::Outcome::kNobody;
    } else if (absl::Now() - gather_last_arrival_ >= plan.max_gap) {
      outcome = GroupCommitGather::Outcome::kStalled;
    } else {
      outcome = GroupCommitGather::Outcome::kTimedOut;
    }
    break;
  }
  gather_until_ = 0;
  counters_.gather_time += absl::Now() - start;
  if (outcome == GroupCommitGather::Outcome::kReached) {
    ++counters_.gathers_reached;
  } else if (outcome == GroupCommitGather::Outcome::kStalled) {
    ++counters_.gathers_stalled;
  }
  gather_.GatherDone(outcome);
  assert(w == writers_.front());
  (void)w;
}

absl::Status DiskWal::Run(Writer* w) {
  mu_.Lock();
  if (!error_.ok()) {
    absl::Status status = error_;
    mu_.Unlock();
    return status;
  }
  appended_ = true;
  writers_.push_back(w);
  if (writers_.size() > 1) {
    if (gather_until_ > 0) {
      gather_last_arrival_ = absl::Now();
      if (w->op == Op::kRotate) gather_cut_ = true;
      if (writers_.size() >= gather_until_ || gather_cut_) {
        gather_cv_.Signal();
      }
    }
    mu_.Unlock();
    if (AwaitTurn(w) == kDone) return w->status;
    mu_.Lock();
  }

  // w leads. A synced group first gathers the writers recent groups had.
  if (w->op == Op::kAppend && w->sync) Gather(w);
  // Take the group: a Rotate goes alone.
  std::vector<Writer*> group;
  bool sync = false;
  size_t bytes = 0;
  for (Writer* next : writers_) {
    if (next->op == Op::kRotate && !group.empty()) break;
    if (!group.empty() && bytes > w->record.size() + kMaxGroupExtraBytes) break;
    group.push_back(next);
    sync = sync || next->sync;
    bytes += next->record.size();
    if (next->op == Op::kRotate) break;
  }
  absl::Status status = error_;
  uint64_t closed = 0;
  bool rotated = false;
  absl::Duration took;
  if (status.ok()) {
    std::vector<const std::string*> records;
    for (Writer* g : group) {
      if (!g->record.empty()) records.push_back(&g->record);
    }
    closed = active_.number;
    mu_.Unlock();
    if (w->op == Op::kRotate) {
      status = RotateActive();
      rotated = status.ok();
    } else {
      // Copy records into one buffer only when there are several.
      group_buffer_.clear();
      if (records.size() > 1) {
        group_buffer_.reserve(bytes);
        for (const std::string* r : records) group_buffer_.append(*r);
      }
      const std::string& data =
          records.size() == 1 ? *records.front() : group_buffer_;
      const absl::Time start = absl::Now();
      status = WriteGroup(data, sync, &rotated);
      took = absl::Now() - start;
    }
    mu_.Lock();
    if (!status.ok() && error_.ok()) {
      error_ = status;
      CloseBuffer();
    }
  }
  for (const auto& [number, size] : closed_sizes_) segments_[number] = size;
  closed_sizes_.clear();
  if (active_.file != nullptr) NoteActiveSegmentSize();
  {
    // The sizes just published include what the group drained.
    MutexLock buffer_lock(&buffer_mu_);
    draining_bytes_ = 0;
  }
  if (rotated) current_ = active_.number;
  if (sync && w->op != Op::kRotate) {
    size_t appends = 0;
    for (Writer* g : group) appends += g->op == Op::kAppend ? 1 : 0;
    ++counters_.synced_groups;
    counters_.synced_appends += appends;
    counters_.sync_time += took;
    if (status.ok()) {
      gather_.GroupDone(appends, QueuedSyncedAppends(group.size()), took);
    }
  }
  for (Writer* g : group) {
    assert(g == writers_.front());
    (void)g;
    writers_.pop_front();
  }
  Writer* const next = writers_.empty() ? nullptr : writers_.front();
  if (next == nullptr && written_out_waiters_ > 0 && NothingBuffered()) {
    written_out_cv_.SignalAll();
  }
  mu_.Unlock();
  // Each writer of the group, and the next leader, wakes on its own.
  for (Writer* g : group) {
    if (g == w) continue;
    g->status = status;
    g->closed = closed;
    SetTurn(g, kDone);
  }
  w->closed = closed;
  if (next != nullptr) SetTurn(next, kLead);
  return status;
}

absl::Status DiskWal::WriteGroup(const std::string& data, bool sync,
                                 bool* rotated) {
  bool drained = false;
  KS_RETURN_IF_ERROR(WriteBuffered(&drained));
  const bool wrote = !data.empty() || drained;
  if (!data.empty()) {
    if (active_.file == nullptr) KS_RETURN_IF_ERROR(CreateActive());
    KS_RETURN_IF_ERROR(active_.file->Append(data));
  }
  if (active_.file == nullptr) return absl::OkStatus();  // nothing to sync
  if (sync) {
    if (active_.file->size() != active_.synced_size) {
      KS_RETURN_IF_ERROR(active_.file->Sync());
      active_.synced_size = active_.file->size();
    }
  } else if (wrote) {
    // Hand the bytes to the OS so that they survive a crash of this process.
    KS_RETURN_IF_ERROR(active_.file->Flush());
  }
  if (active_.file->size() >= segment_bytes_) {
    KS_RETURN_IF_ERROR(RotateActive());
    *rotated = true;
  }
  return absl::OkStatus();
}

// Closes the active segment (synced) and moves on to the next number; the
// next segment's file is created by its first write.
absl::Status DiskWal::RotateActive() {
  KS_RETURN_IF_ERROR(WriteBuffered(nullptr));
  if (active_.file != nullptr) {
    if (active_.file->size() != active_.synced_size) {
      KS_RETURN_IF_ERROR(active_.file->Sync());
    }
    KS_RETURN_IF_ERROR(active_.file->Close());
    closed_sizes_.emplace_back(active_.number, active_.file->size());
    active_.file.reset();
  }
  ++active_.number;
  active_.synced_size = 0;
  return absl::OkStatus();
}

absl::Status DiskWal::CreateActive() {
  if (!old_prepared_) KS_RETURN_IF_ERROR(PrepareNewestOldSegment());
  const std::string path = JoinPath(dir_, WalSegmentName(active_.number));
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                      fs_->NewWritableFile(path));
  std::string header;
  wal::AppendFileHeader(wal::LogKind::kWal, &header);
  KS_RETURN_IF_ERROR(file->Append(header));
  // The directory entry must be durable before any record in the file is
  // acknowledged as synced.
  KS_RETURN_IF_ERROR(fs_->SyncDir(dir_));
  active_.file = std::move(file);
  active_.synced_size = 0;
  return absl::OkStatus();
}

}  // namespace kstone::core
