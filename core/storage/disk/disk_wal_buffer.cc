// The disk WAL's buffered appends (SyncMode::kNone; Wal::BufferUnsyncedAppends,
// docs/decisions.md "kNone buffers the WAL" and "Disk writes (session 10)").
// The class is in disk_wal_impl.h; group commit is in disk_wal.cc.
//
// A syscall is expensive next to an in-memory write, so unsynced records
// are kept in a buffer of this process (buffered_) instead of being written
// one group at a time. An unsynced append encodes its record straight into
// the buffer under buffer_mu_ and returns: it neither queues nor takes the
// group-commit mutex mu_ (an absl::Mutex, whose deadlock detector alone
// cost more than the rest of the append). The buffer goes to the OS
// (written, not synced):
//  - when it holds kMaxBufferedBytes: the append that filled it queues a
//    kWriteOut writer and waits for it;
//  - before any sync, Rotate or clean close: every leader first takes the
//    whole buffer (WriteBuffered) and writes it before its group's records;
//  - from a flusher thread at most about max_delay after it stopped being
//    empty: the flusher waits max_delay, then queues a kWriteOut writer.
// Only leaders write the file, and each takes the buffer whole, so the file
// receives the records in the order they entered the buffer: a process
// crash loses a suffix of the log, never a middle part. A record buffered
// while a leader writes goes to the file after that leader's group (it was
// appended concurrently with it, so either order is a valid log order).
//
// The flusher idles while nothing is buffered; the writer that makes the
// buffer non-empty wakes it only then, so a steady stream of writes costs no
// wakeups from the writers. The flusher decides to idle holding mu_ and
// buffer_mu_, and the writer signals under mu_, so the signal cannot fall
// between the flusher's check and its wait.

#include <cstddef>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/storage/disk/disk_wal_impl.h"
#include "core/storage/disk/wal_format.h"

namespace kstone::core {
namespace {

// Buffered appends are written to the OS once this many bytes wait.
constexpr size_t kMaxBufferedBytes = 64 << 10;

}  // namespace

bool DiskWal::AppendToBuffer(const WriteBatch& batch, size_t payload_size,
                             bool* full) {
  bool wake_flusher;
  {
    MutexLock lock(&buffer_mu_);
    if (!buffering_ || buffer_failed_) return false;
    appended_to_buffer_ = true;
    wake_flusher = buffered_.empty() && flusher_idle_;
    wal::AppendWalBatchRecord(batch, payload_size, &buffered_);
    *full = buffered_.size() >= kMaxBufferedBytes;
  }
  if (wake_flusher) {
    absl::MutexLock lock(&mu_);
    flusher_cv_.Signal();
  }
  return true;
}

absl::Status DiskWal::WriteBuffered(bool* wrote) {
  {
    MutexLock lock(&buffer_mu_);
    // drained_ is empty: the buffer keeps the capacity of the last one.
    drained_.swap(buffered_);
    draining_bytes_ += drained_.size();
  }
  if (wrote != nullptr) *wrote = !drained_.empty();
  if (drained_.empty()) return absl::OkStatus();
  absl::Status status = absl::OkStatus();
  if (active_.file == nullptr) status = CreateActive();
  if (status.ok()) status = active_.file->Append(drained_);
  // On failure the error is sticky and these records are lost, as an
  // Append's record may be (wal.h); no later append may be buffered.
  drained_.clear();
  if (!status.ok()) CloseBuffer();
  return status;
}

void DiskWal::BufferUnsyncedAppends(absl::Duration max_delay) {
  absl::MutexLock lock(&mu_);
  max_delay_ = max_delay;
  {
    MutexLock buffer_lock(&buffer_mu_);
    if (buffering_) return;
    buffering_ = true;
  }
  flusher_ = std::thread([this] { FlusherLoop(); });
}

bool DiskWal::FlusherIdlesIfEmpty() {
  mu_.AssertHeld();
  MutexLock lock(&buffer_mu_);
  flusher_idle_ = buffered_.empty();
  return flusher_idle_;
}

void DiskWal::FlusherLoop() {
  absl::MutexLock lock(&mu_);
  bool wrote_last_time = false;
  while (!stopping_) {
    if (!wrote_last_time && FlusherIdlesIfEmpty()) {
      // Idle until a writer buffers something (it signals).
      flusher_cv_.Wait(&mu_);
      MutexLock buffer_lock(&buffer_mu_);
      flusher_idle_ = false;
      continue;
    }
    // Under a steady stream of writes the loop stays here, waking once per
    // max_delay, so that writers never need to wake it.
    flusher_cv_.WaitWithTimeout(&mu_, max_delay_);
    if (stopping_) break;
    {
      MutexLock buffer_lock(&buffer_mu_);
      wrote_last_time = !buffered_.empty();
    }
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

}  // namespace kstone::core
