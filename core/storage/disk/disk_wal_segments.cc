// The disk WAL's segments left by earlier opens: replay, cutting a torn
// tail, making the previous open's newest segment durable; removal of
// segments whose data is in tables; stats; OpenDiskWal. The class and the
// write side are in disk_wal_impl.h and disk_wal.cc.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/disk_wal_impl.h"
#include "core/storage/disk/disk_wal_test_hooks.h"
#include "core/storage/disk/file_names.h"
#include "core/storage/disk/wal_format.h"
#include "core/storage/disk/wal_reader.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

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

}  // namespace

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
    bool appended_to_buffer;
    {
      MutexLock buffer_lock(&buffer_mu_);
      appended_to_buffer = appended_to_buffer_;
    }
    if (appended_ || appended_to_buffer) {
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
  // Buffered records, and those a leader is writing, are on their way to
  // the current segment, whose file they may be about to create.
  MutexLock buffer_lock(&buffer_mu_);
  const uint64_t unpublished = buffered_.size() + draining_bytes_;
  if (unpublished > 0) {
    stats.bytes += unpublished;
    if (segments_.count(current_) == 0) ++stats.segments;
  }
  return stats;
}

size_t TEST_DiskWalQueuedWriters(Wal* wal) {
  auto* disk_wal = dynamic_cast<DiskWal*>(wal);
  return disk_wal == nullptr ? 0 : disk_wal->TEST_QueuedWriters();
}

size_t TEST_DiskWalBufferedBytes(Wal* wal) {
  auto* disk_wal = dynamic_cast<DiskWal*>(wal);
  return disk_wal == nullptr ? 0 : disk_wal->TEST_BufferedBytes();
}

DiskWalGroupCounters TEST_DiskWalGroupCounters(Wal* wal) {
  auto* disk_wal = dynamic_cast<DiskWal*>(wal);
  return disk_wal == nullptr ? DiskWalGroupCounters{}
                             : disk_wal->TEST_GroupCounters();
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
