// The disk manifest log (disk_wal.h, docs/formats/manifest.md): records in
// MANIFEST-NNNNNN, framed as WAL records (docs/formats/wal.md), and a CURRENT
// file naming the live manifest.

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/file_names.h"
#include "core/storage/disk/wal_format.h"
#include "core/storage/disk/wal_reader.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

constexpr std::string_view kCurrentTempName = "CURRENT.tmp";

// Safe for concurrent use: one mutex serialises every operation, I/O
// included (manifest operations are rare and each is short).
//
// After a failed Append or Rewrite the log may be in an unknown state on
// disk; it then refuses every later write with that error (sticky).
class DiskManifestLog final : public ManifestLog {
 public:
  DiskManifestLog(FileSystem* fs, std::string dir, uint64_t current,
                  uint64_t next_number)
      : fs_(fs),
        dir_(std::move(dir)),
        current_(current),
        next_number_(next_number) {}
  DiskManifestLog(const DiskManifestLog&) = delete;
  DiskManifestLog& operator=(const DiskManifestLog&) = delete;

  ~DiskManifestLog() override {
    if (writer_ != nullptr) writer_->Close().IgnoreError();  // all synced
  }

  absl::StatusOr<std::vector<std::string>> ReadAll() override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> records;
    if (current_ == 0) return records;
    KS_RETURN_IF_ERROR(ReadLocked(&records));
    return records;
  }

  absl::Status Append(std::string_view record) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    KS_RETURN_IF_ERROR(error_);
    KS_RETURN_IF_ERROR(CheckSize(record));
    if (current_ == 0) return Sticky(RewriteLocked({std::string(record)}));
    if (writer_ == nullptr) {
      // Appending after a torn tail would bury it: cut it first.
      std::vector<std::string> ignored;
      KS_RETURN_IF_ERROR(ReadLocked(&ignored));
      absl::StatusOr<std::unique_ptr<WritableFile>> writer =
          fs_->NewAppendableFile(Path(current_));
      if (!writer.ok()) return Sticky(writer.status());
      writer_ = std::move(*writer);
      if (writer_->size() == 0) {  // the cut took the header too
        std::string header;
        wal::AppendFileHeader(wal::LogKind::kManifest, &header);
        KS_RETURN_IF_ERROR(Sticky(writer_->Append(header)));
      }
    }
    std::string framed;
    wal::AppendRecord(wal::kManifestEditRecord, record, &framed);
    KS_RETURN_IF_ERROR(Sticky(writer_->Append(framed)));
    return Sticky(writer_->Sync());
  }

  absl::Status Rewrite(const std::vector<std::string>& records) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    KS_RETURN_IF_ERROR(error_);
    for (const std::string& record : records) {
      KS_RETURN_IF_ERROR(CheckSize(record));
    }
    return Sticky(RewriteLocked(records));
  }

 private:
  std::string Path(uint64_t number) const {
    return JoinPath(dir_, ManifestName(number));
  }

  static absl::Status CheckSize(std::string_view record) {
    if (record.size() > wal::kMaxRecordPayload) {
      return absl::InvalidArgumentError(
          absl::StrCat("manifest: record of ", record.size(),
                       " bytes exceeds the maximum ", wal::kMaxRecordPayload));
    }
    return absl::OkStatus();
  }

  // Remembers the first failure of a write.
  absl::Status Sticky(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    if (!status.ok() && error_.ok()) error_ = status;
    return status;
  }

  // Reads the current manifest; cuts a torn tail (before anything is
  // appended in this open, which is the only time there can be one).
  absl::Status ReadLocked(std::vector<std::string>* records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    const std::string path = Path(current_);
    KS_ASSIGN_OR_RETURN(
        wal::LogFileEnd end,
        wal::ReadLogFile(fs_, path, wal::LogKind::kManifest,
                         [&](std::string_view payload, uint64_t) {
                           records->emplace_back(payload);
                           return absl::OkStatus();
                         }));
    if (end.clean) return absl::OkStatus();
    if (!wal::IsTornTail(end, /*newest=*/true) || writer_ != nullptr) {
      return wal::CorruptionError(wal::LogKind::kManifest, path, end);
    }
    // Only this open's appends could land after the cut; make it durable.
    KS_RETURN_IF_ERROR(fs_->TruncateFile(path, end.valid_bytes));
    KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                        fs_->NewAppendableFile(path));
    KS_RETURN_IF_ERROR(file->Sync());
    return file->Close();
  }

  // Writes a new manifest holding `records`, switches CURRENT to it
  // atomically, and deletes the old one.
  absl::Status RewriteLocked(const std::vector<std::string>& records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    const uint64_t number = next_number_++;
    std::string contents;
    wal::AppendFileHeader(wal::LogKind::kManifest, &contents);
    for (const std::string& record : records) {
      wal::AppendRecord(wal::kManifestEditRecord, record, &contents);
    }
    KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                        fs_->NewWritableFile(Path(number)));
    KS_RETURN_IF_ERROR(file->Append(contents));
    KS_RETURN_IF_ERROR(file->Sync());
    KS_RETURN_IF_ERROR(SetCurrent(number));
    // The switch is durable: the new manifest is the live one.
    const uint64_t old = current_;
    current_ = number;
    if (writer_ != nullptr) writer_->Close().IgnoreError();  // synced
    writer_ = std::move(file);
    if (old != 0) {
      // A failed delete leaves an orphan that the next open removes.
      fs_->DeleteFile(Path(old)).IgnoreError();
    }
    return absl::OkStatus();
  }

  // Points CURRENT at MANIFEST-number: write a temporary file, sync it,
  // rename it over CURRENT, sync the directory.
  absl::Status SetCurrent(uint64_t number) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    const std::string temp = JoinPath(dir_, kCurrentTempName);
    KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                        fs_->NewWritableFile(temp));
    KS_RETURN_IF_ERROR(file->Append(ManifestName(number) + "\n"));
    KS_RETURN_IF_ERROR(file->Sync());
    KS_RETURN_IF_ERROR(file->Close());
    KS_RETURN_IF_ERROR(fs_->RenameFile(temp, JoinPath(dir_, kCurrentName)));
    return fs_->SyncDir(dir_);
  }

  // Constant after construction.
  FileSystem* const fs_;
  const std::string dir_;

  absl::Mutex mu_;
  uint64_t current_ ABSL_GUARDED_BY(mu_);  // live manifest; 0 = none yet
  uint64_t next_number_ ABSL_GUARDED_BY(mu_);
  // The live manifest, open for appends once this open has written to it.
  std::unique_ptr<WritableFile> writer_ ABSL_GUARDED_BY(mu_);
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

// The manifest number CURRENT names; DataLoss if it names nothing valid.
absl::StatusOr<uint64_t> ReadCurrent(FileSystem* fs, const std::string& dir) {
  const std::string path = JoinPath(dir, kCurrentName);
  KS_ASSIGN_OR_RETURN(std::string contents, fs->ReadFile(path));
  std::string_view name = contents;
  if (!name.empty() && name.back() == '\n') name.remove_suffix(1);
  uint64_t number = 0;
  if (!ParseManifestName(name, &number) || number == 0) {
    return absl::DataLossError(absl::StrCat(
        "manifest: ", path, " does not name a manifest file (it holds ",
        contents.size(), " bytes)"));
  }
  if (!fs->FileExists(JoinPath(dir, ManifestName(number)))) {
    return absl::DataLossError(absl::StrCat("manifest: ", path, " names ",
                                            ManifestName(number),
                                            ", which is missing"));
  }
  return number;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ManifestLog>> OpenDiskManifestLog(
    FileSystem* fs, const std::string& dir) {
  uint64_t current = 0;
  if (fs->FileExists(JoinPath(dir, kCurrentName))) {
    KS_ASSIGN_OR_RETURN(current, ReadCurrent(fs, dir));
  }
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  uint64_t highest = current;
  for (const std::string& name : names) {
    uint64_t number = 0;
    if (!ParseManifestName(name, &number)) continue;
    highest = std::max(highest, number);
    // Left by a Rewrite that crashed or failed to delete: CURRENT decides.
    if (number != current) fs->DeleteFile(JoinPath(dir, name)).IgnoreError();
  }
  if (fs->FileExists(JoinPath(dir, kCurrentTempName))) {
    fs->DeleteFile(JoinPath(dir, kCurrentTempName)).IgnoreError();
  }
  return std::make_unique<DiskManifestLog>(fs, dir, current, highest + 1);
}

}  // namespace kstone::core
