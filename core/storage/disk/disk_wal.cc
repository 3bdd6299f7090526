// The disk WAL (disk_wal.h, docs/formats/wal.md).
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
// idea in our own code.
//
// Segment files are created lazily: a new segment NNNNNN.log comes into
// being when the first record is written to it. Before the first segment of
// this open is created, the newest segment left by the previous open is
// checked (its torn tail cut off, if Replay has not done that already) and
// synced, so that only the newest segment can ever have a torn tail.
// Closed segments are always synced.
//
// Buffered appends (SyncMode::kNone, BufferUnsyncedAppends). A syscall is
// expensive next to an in-memory write, so unsynced records are kept in a
// buffer of this process (buffered_, leader-only) instead of being written
// one group at a time. The buffer goes to the OS when it holds
// kMaxBufferedBytes, before any sync, Rotate or clean close, and from a
// flusher thread at most about max_delay after it stopped being empty: the
// flusher waits max_delay, then queues a kWriteOut writer, which leads a
// group like any other, so that the file sees its bytes in log order. The
// flusher idles while nothing is buffered; the writer that makes the buffer
// non-empty wakes it only then, so a steady stream of writes costs no
// wakeups from the writers.

#include "core/storage/disk/disk_wal.h"

#include <cassert>
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
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/file_names.h"
#include "core/storage/disk/wal_format.h"
#include "core/storage/disk/wal_reader.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// A group holds at most this many bytes beyond its leader's record, so that
// a small synced append does not wait behind a huge write.
constexpr size_t kMaxGroupExtraBytes = 1 << 20;

// Buffered appends are written to the OS once this many bytes wait.
constexpr size_t kMaxBufferedBytes = 64 << 10;

// Cuts the torn tail of `end` off the file at `path` and makes the cut
// durable, so that the file can later stop being the newest one.
absl::Status CutTail(FileSystem* fs, const std::string& path,
                     const wal::LogFileEnd& end) {
  KS_RETURN_IF_ERROR(fs->TruncateFile(path, end.valid_bytes));
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                      fs->NewAppendableFile(path));
  KS_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

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

  ~DiskWal() override {
    StopFlusher();
    // No writer may be running (the caller's contract). Make a clean close
    // durable; errors have nowhere to go. After a failed write the buffer's
    // place in the file is unknown, so it is not written.
    bool ok;
    {
      absl::MutexLock lock(&mu_);
      ok = error_.ok();
    }
    if (ok) WriteBuffered().IgnoreError();
    if (active_.file != nullptr) {
      if (active_.file->size() != active_.synced_size) {
        active_.file->Sync().IgnoreError();
      }
      active_.file->Close().IgnoreError();
    }
  }

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
  size_t TEST_BufferedBytes() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return buffered_bytes_;
  }
  void TEST_WaitUntilWrittenOut() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    // A CondVar rather than Mutex::Await, whose condition checks TSan's
    // absl::Mutex interposer (tests/testing/tsan) cannot see.
    ++written_out_waiters_;
    while (!NothingBuffered()) written_out_cv_.Wait(&mu_);
    --written_out_waiters_;
  }

 private:
  // kWriteOut hands buffered appends to the OS (the flusher's operation).
  enum class Op { kAppend, kSync, kRotate, kWriteOut };

  // One queued operation. Lives on its caller's stack.
  struct Writer {
    Writer(Op o, std::string r, bool s)
        : op(o), record(std::move(r)), sync(s) {}
    const Op op;
    const std::string record;  // a framed record (kAppend only)
    const bool sync;
    bool done = false;    // protected by mu_
    absl::Status status;  // protected by mu_
    uint64_t closed = 0;  // kRotate: the segment closed
    absl::CondVar cv;
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
  // The leader's I/O, run without mu_. WriteGroup writes the buffer, then
  // `data`; BufferGroup adds the records to the buffer (writing it once
  // full); WriteBuffered writes the buffer without flushing the file.
  absl::Status WriteGroup(const std::string& data, bool sync, bool* rotated);
  absl::Status BufferGroup(const std::vector<const std::string*>& records,
                           bool* rotated);
  absl::Status WriteBuffered();
  void FlusherLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void StopFlusher() ABSL_LOCKS_EXCLUDED(mu_);
  bool NothingBuffered() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return buffered_bytes_ == 0 && writers_.empty();
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
  std::string buffered_;  // unsynced records not yet handed to the OS
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

  // Buffered appends (see the file comment).
  bool buffering_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration max_delay_ ABSL_GUARDED_BY(mu_);
  size_t buffered_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // buffered_.size()
  bool flusher_idle_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar flusher_cv_;
  int written_out_waiters_ ABSL_GUARDED_BY(mu_) =
      0;  // TEST_WaitUntilWrittenOut
  absl::CondVar written_out_cv_;
  std::thread flusher_;  // started once, by BufferUnsyncedAppends
};

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
  std::string record;
  record.reserve(wal::kRecordHeaderSize + payload_size);
  record.resize(wal::kRecordHeaderSize);
  wal::EncodeWriteBatch(batch, &record);
  assert(record.size() == wal::kRecordHeaderSize + payload_size);
  wal::FinishRecord(wal::kWalBatchRecord, &record);
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

absl::Status DiskWal::Run(Writer* w) {
  absl::MutexLock lock(&mu_);
  if (!error_.ok()) return error_;
  appended_ = true;
  writers_.push_back(w);
  while (!w->done && w != writers_.front()) w->cv.Wait(&mu_);
  if (w->done) return w->status;

  // w leads. Gather the group: a Rotate goes alone.
  std::vector<Writer*> group;
  bool sync = false;
  bool write_out = false;
  size_t bytes = 0;
  for (Writer* next : writers_) {
    if (next->op == Op::kRotate && !group.empty()) break;
    if (!group.empty() && bytes > w->record.size() + kMaxGroupExtraBytes) break;
    group.push_back(next);
    sync = sync || next->sync;
    write_out = write_out || next->op == Op::kWriteOut;
    bytes += next->record.size();
    if (next->op == Op::kRotate) break;
  }
  absl::Status status = error_;
  uint64_t closed = 0;
  bool rotated = false;
  if (status.ok()) {
    std::vector<const std::string*> records;
    for (Writer* g : group) {
      if (!g->record.empty()) records.push_back(&g->record);
    }
    closed = active_.number;
    const bool buffer = buffering_ && !sync && !write_out;
    mu_.Unlock();
    if (w->op == Op::kRotate) {
      status = RotateActive();
      rotated = status.ok();
    } else if (buffer) {
      status = BufferGroup(records, &rotated);
    } else {
      // Copy records into one buffer only when there are several.
      group_buffer_.clear();
      if (records.size() > 1) {
        group_buffer_.reserve(bytes);
        for (const std::string* r : records) group_buffer_.append(*r);
      }
      const std::string& data =
          records.size() == 1 ? *records.front() : group_buffer_;
      status = WriteGroup(data, sync, &rotated);
    }
    mu_.Lock();
    if (!status.ok() && error_.ok()) error_ = status;
    const bool was_empty = buffered_bytes_ == 0;
    buffered_bytes_ = buffered_.size();
    if (was_empty && buffered_bytes_ > 0 && flusher_idle_) {
      flusher_cv_.Signal();
    }
  }
  for (const auto& [number, size] : closed_sizes_) segments_[number] = size;
  closed_sizes_.clear();
  if (active_.file != nullptr || !buffered_.empty()) {
    // Buffered bytes count: they are on their way to this segment.
    segments_[active_.number] =
        (active_.file != nullptr ? active_.file->size() : 0) + buffered_.size();
  }
  if (rotated) current_ = active_.number;
  for (Writer* g : group) {
    assert(g == writers_.front());
    writers_.pop_front();
    g->status = status;
    g->closed = closed;
    g->done = true;
    if (g != w) g->cv.Signal();
  }
  if (!writers_.empty()) {
    writers_.front()->cv.Signal();
  } else if (written_out_waiters_ > 0 && NothingBuffered()) {
    written_out_cv_.SignalAll();
  }
  return status;
}

absl::Status DiskWal::WriteGroup(const std::string& data, bool sync,
                                 bool* rotated) {
  const bool wrote = !data.empty() || !buffered_.empty();
  KS_RETURN_IF_ERROR(WriteBuffered());
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

absl::Status DiskWal::BufferGroup(
    const std::vector<const std::string*>& records, bool* rotated) {
  for (const std::string* r : records) buffered_.append(*r);
  if (buffered_.size() < kMaxBufferedBytes) return absl::OkStatus();
  return WriteGroup("", /*sync=*/false, rotated);
}

absl::Status DiskWal::WriteBuffered() {
  if (buffered_.empty()) return absl::OkStatus();
  absl::Status status = absl::OkStatus();
  if (active_.file == nullptr) status = CreateActive();
  if (status.ok()) status = active_.file->Append(buffered_);
  // On failure the error is sticky and the buffer's records are lost, as an
  // Append's record may be (wal.h).
  buffered_.clear();
  return status;
}

void DiskWal::BufferUnsyncedAppends(absl::Duration max_delay) {
  absl::MutexLock lock(&mu_);
  max_delay_ = max_delay;
  if (buffering_) return;
  buffering_ = true;
  flusher_ = std::thread([this] { FlusherLoop(); });
}

void DiskWal::FlusherLoop() {
  absl::MutexLock lock(&mu_);
  bool wrote_last_time = false;
  while (!stopping_) {
    if (buffered_bytes_ == 0 && !wrote_last_time) {
      // Idle until a writer buffers something (it signals).
      flusher_idle_ = true;
      flusher_cv_.Wait(&mu_);
      flusher_idle_ = false;
      continue;
    }
    // Under a steady stream of writes the loop stays here, waking once per
    // max_delay, so that writers never need to wake it.
    flusher_cv_.WaitWithTimeout(&mu_, max_delay_);
    if (stopping_) break;
    wrote_last_time = buffered_bytes_ > 0;
    if (!wrote_last_time) continue;
    mu_.Unlock();
    Writer w(Op::kWriteOut, "", false);
    // A failure is sticky; the next operation reports it.
    Run(&w).IgnoreError();
    mu_.Lock();
  }
}

void DiskWal::StopFlusher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    flusher_cv_.Signal();
  }
  if (flusher_.joinable()) flusher_.join();
}

// Closes the active segment (synced) and moves on to the next number; the
// next segment's file is created by its first write.
absl::Status DiskWal::RotateActive() {
  KS_RETURN_IF_ERROR(WriteBuffered());
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

// The newest segment of the previous open is about to stop being the newest:
// cut its torn tail (if Replay did not) and make it durable (the previous
// process may have died before syncing it, leaving its tail in the page
// cache only).
absl::Status DiskWal::PrepareNewestOldSegment() {
  uint64_t newest = 0;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [number, bytes] : segments_) {
      if (number < active_.number) newest = number;
    }
  }
  if (newest != 0) {
    const std::string path = JoinPath(dir_, WalSegmentName(newest));
    if (!old_tail_checked_) {
      KS_ASSIGN_OR_RETURN(wal::LogFileEnd end,
                          wal::ReadLogFile(fs_, path, wal::LogKind::kWal,
                                           [](std::string_view, uint64_t) {
                                             return absl::OkStatus();
                                           }));
      if (!end.clean && !wal::IsTornTail(end, /*newest=*/true)) {
        return wal::CorruptionError(wal::LogKind::kWal, path, end);
      }
      if (!end.clean)
        KS_RETURN_IF_ERROR(fs_->TruncateFile(path, end.valid_bytes));
    }
    KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                        fs_->NewAppendableFile(path));
    KS_RETURN_IF_ERROR(file->Sync());
    KS_RETURN_IF_ERROR(file->Close());
  }
  old_tail_checked_ = true;
  old_prepared_ = true;
  return absl::OkStatus();
}

absl::StatusOr<WalReplayReport> DiskWal::Replay(
    const std::function<absl::Status(const WriteBatch&)>& fn) {
  std::vector<uint64_t> numbers;
  {
    absl::MutexLock lock(&mu_);
    if (appended_) {
      return absl::FailedPreconditionError(
          absl::StrCat("wal: Replay after Append in ", dir_));
    }
    for (const auto& [number, bytes] : segments_) numbers.push_back(number);
  }
  WalReplayReport report;
  WriteBatch batch;
  for (size_t i = 0; i < numbers.size(); ++i) {
    const std::string path = JoinPath(dir_, WalSegmentName(numbers[i]));
    KS_ASSIGN_OR_RETURN(
        wal::LogFileEnd end,
        wal::ReadLogFile(
            fs_, path, wal::LogKind::kWal,
            [&](std::string_view payload, uint64_t offset) -> absl::Status {
              absl::Status s = wal::DecodeWriteBatch(payload, &batch);
              if (!s.ok()) {
                return absl::DataLossError(
                    absl::StrCat("wal: bad batch at offset ", offset, " in ",
                                 path, ": ", s.message()));
              }
              KS_RETURN_IF_ERROR(fn(batch));
              ++report.batches;
              const uint64_t last =
                  batch.first_seq + batch.mutations.size() - 1;
              if (last > report.max_seq) report.max_seq = last;
              return absl::OkStatus();
            }));
    if (end.clean) continue;
    const bool newest = i + 1 == numbers.size();
    if (!wal::IsTornTail(end, newest)) {
      return wal::CorruptionError(wal::LogKind::kWal, path, end);
    }
    KS_RETURN_IF_ERROR(CutTail(fs_, path, end));
    report.truncated_tail = true;
    report.dropped_bytes = end.file_size - end.valid_bytes;
    report.message =
        absl::StrCat("wal: cut off a torn or corrupt tail of ",
                     report.dropped_bytes, " bytes at offset ", end.valid_bytes,
                     " in ", path, " (", end.reason, ")");
    absl::MutexLock lock(&mu_);
    segments_[numbers[i]] = end.valid_bytes;
  }
  old_tail_checked_ = true;
  return report;
}

absl::Status DiskWal::RemoveSegmentsThrough(uint64_t segment) {
  std::vector<uint64_t> doomed;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = segments_.begin();
         it != segments_.end() && it->first <= segment && it->first < current_;
         it = segments_.erase(it)) {
      doomed.push_back(it->first);
    }
  }
  if (doomed.empty()) return absl::OkStatus();
  for (uint64_t number : doomed) {
    absl::Status s = fs_->DeleteFile(JoinPath(dir_, WalSegmentName(number)));
    // Already gone is what we want.
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return fs_->SyncDir(dir_);
}

WalStats DiskWal::stats() const {
  absl::MutexLock lock(&mu_);
  WalStats stats;
  for (const auto& [number, bytes] : segments_) stats.bytes += bytes;
  stats.segments = segments_.size();
  return stats;
}

}  // namespace

size_t TEST_DiskWalQueuedWriters(Wal* wal) {
  auto* disk_wal = dynamic_cast<DiskWal*>(wal);
  return disk_wal == nullptr ? 0 : disk_wal->TEST_QueuedWriters();
}

size_t TEST_DiskWalBufferedBytes(Wal* wal) {
  auto* disk_wal = dynamic_cast<DiskWal*>(wal);
  return disk_wal == nullptr ? 0 : disk_wal->TEST_BufferedBytes();
}

void TEST_DiskWalWaitUntilWrittenOut(Wal* wal) {
  auto* disk_wal = dynamic_cast<DiskWal*>(wal);
  if (disk_wal != nullptr) disk_wal->TEST_WaitUntilWrittenOut();
}

absl::StatusOr<std::unique_ptr<Wal>> OpenDiskWal(FileSystem* fs,
                                                 const std::string& dir,
                                                 uint64_t segment_bytes) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::map<uint64_t, uint64_t> segments;
  for (const std::string& name : names) {
    uint64_t number = 0;
    if (!ParseWalSegmentName(name, &number)) continue;
    KS_ASSIGN_OR_RETURN(segments[number], fs->FileSize(JoinPath(dir, name)));
  }
  return std::make_unique<DiskWal>(fs, dir, segment_bytes, std::move(segments));
}

}  // namespace kstone::core
