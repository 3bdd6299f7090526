#include "core/storage/disk/fault_injection_file_system.h"

#include <cerrno>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/storage/disk/file_names.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

absl::Status InjectedError(const std::string& op, const std::string& path) {
  return absl::ErrnoToStatus(EIO,
                             absl::StrCat("fault injection: ", op, " ", path));
}

// Overwrites `path` with `bytes` on `fs`, durably.
absl::Status WriteWholeFile(FileSystem* fs, const std::string& path,
                            const std::string& bytes) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                      fs->NewWritableFile(path));
  KS_RETURN_IF_ERROR(file->Append(bytes));
  KS_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

}  // namespace

// A WritableFile that asks the file system before each append and sync.
// Not thread-safe (as every WritableFile).
class FaultInjectionFileSystem::File final : public WritableFile {
 public:
  File(FaultInjectionFileSystem* fs, std::string path,
       std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  absl::Status Append(std::string_view data) override {
    KS_RETURN_IF_ERROR(fs_->BeforeAppend(path_));
    return base_->Append(data);
  }
  absl::Status Flush() override {
    KS_RETURN_IF_ERROR(fs_->CheckActive("flush", path_));
    return base_->Flush();
  }
  absl::Status Sync() override {
    KS_RETURN_IF_ERROR(fs_->BeforeSync(path_));
    KS_RETURN_IF_ERROR(base_->Sync());
    fs_->AfterSync(path_, base_->size());
    return absl::OkStatus();
  }
  // Closing passes through even when inactive: what it writes is unsynced.
  absl::Status Close() override { return base_->Close(); }
  uint64_t size() const override { return base_->size(); }

 private:
  FaultInjectionFileSystem* const fs_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
};

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base)
    : base_(base) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

void FaultInjectionFileSystem::SetFailWriteAfter(int64_t n) {
  absl::MutexLock lock(&mu_);
  fail_write_after_ = n;
}

void FaultInjectionFileSystem::SetFailSyncAfter(int64_t n) {
  absl::MutexLock lock(&mu_);
  fail_sync_after_ = n;
}

void FaultInjectionFileSystem::SetFailDirSyncAfter(int64_t n) {
  absl::MutexLock lock(&mu_);
  fail_dir_sync_after_ = n;
}

void FaultInjectionFileSystem::SetActive(bool active) {
  absl::MutexLock lock(&mu_);
  active_ = active;
}

uint64_t FaultInjectionFileSystem::write_count() const {
  absl::MutexLock lock(&mu_);
  return write_count_;
}

uint64_t FaultInjectionFileSystem::sync_count() const {
  absl::MutexLock lock(&mu_);
  return sync_count_;
}

uint64_t FaultInjectionFileSystem::dir_sync_count() const {
  absl::MutexLock lock(&mu_);
  return dir_sync_count_;
}

absl::Status FaultInjectionFileSystem::CheckActive(const std::string& op,
                                                   const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!active_) return InjectedError(op + " (inactive)", path);
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::BeforeAppend(const std::string& path) {
  absl::MutexLock lock(&mu_);
  ++write_count_;
  if (!active_) return InjectedError("write (inactive)", path);
  if (fail_write_after_ >= 0 && fail_write_after_-- == 0) {
    return InjectedError("write", path);
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::BeforeSync(const std::string& path) {
  absl::MutexLock lock(&mu_);
  ++sync_count_;
  if (!active_) return InjectedError("sync (inactive)", path);
  if (fail_sync_after_ >= 0 && fail_sync_after_-- == 0) {
    return InjectedError("sync", path);
  }
  return absl::OkStatus();
}

void FaultInjectionFileSystem::AfterSync(const std::string& path,
                                         uint64_t size) {
  absl::MutexLock lock(&mu_);
  files_[path].synced_size = size;
}

absl::StatusOr<std::unique_ptr<WritableFile>>
FaultInjectionFileSystem::NewWritableFile(const std::string& path) {
  KS_RETURN_IF_ERROR(CheckActive("open", path));
  const bool existed = base_->FileExists(path);
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                      base_->NewWritableFile(path));
  {
    absl::MutexLock lock(&mu_);
    FileState& state = files_[path];
    state.synced_size = 0;  // the truncation is not durable data
    if (!existed) state.created_since_dir_sync = true;
  }
  return std::make_unique<File>(this, path, std::move(file));
}

absl::StatusOr<std::unique_ptr<WritableFile>>
FaultInjectionFileSystem::NewAppendableFile(const std::string& path) {
  KS_RETURN_IF_ERROR(CheckActive("open", path));
  const bool existed = base_->FileExists(path);
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                      base_->NewAppendableFile(path));
  {
    absl::MutexLock lock(&mu_);
    if (files_.count(path) == 0) {
      // Bytes written before this wrapper saw the file count as durable.
      FileState& state = files_[path];
      state.synced_size = file->size();
      state.created_since_dir_sync = !existed;
    }
  }
  return std::make_unique<File>(this, path, std::move(file));
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>>
FaultInjectionFileSystem::NewRandomAccessFile(const std::string& path) {
  return base_->NewRandomAccessFile(path);
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>>
FaultInjectionFileSystem::NewMappedFile(const std::string& path) {
  return base_->NewMappedFile(path);
}

absl::StatusOr<std::string> FaultInjectionFileSystem::ReadFile(
    const std::string& path) {
  return base_->ReadFile(path);
}

bool FaultInjectionFileSystem::FileExists(const std::string& path) {
  return base_->FileExists(path);
}

absl::StatusOr<std::vector<std::string>> FaultInjectionFileSystem::ListDir(
    const std::string& dir) {
  return base_->ListDir(dir);
}

absl::StatusOr<uint64_t> FaultInjectionFileSystem::FileSize(
    const std::string& path) {
  return base_->FileSize(path);
}

absl::Status FaultInjectionFileSystem::DeleteFile(const std::string& path) {
  KS_RETURN_IF_ERROR(CheckActive("unlink", path));
  KS_RETURN_IF_ERROR(base_->DeleteFile(path));
  absl::MutexLock lock(&mu_);
  files_.erase(path);
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::RenameFile(const std::string& from,
                                                  const std::string& to) {
  KS_RETURN_IF_ERROR(CheckActive("rename", from));
  PendingRename rename{from, to, false, ""};
  if (base_->FileExists(to)) {
    KS_ASSIGN_OR_RETURN(rename.replaced_bytes, base_->ReadFile(to));
    rename.replaced = true;
  }
  KS_ASSIGN_OR_RETURN(const uint64_t size, base_->FileSize(from));
  KS_RETURN_IF_ERROR(base_->RenameFile(from, to));
  absl::MutexLock lock(&mu_);
  auto it = files_.find(from);
  FileState state;
  state.synced_size = size;  // a file never written here counts as durable
  if (it != files_.end()) {
    state = it->second;
    files_.erase(it);
  }
  files_[to] = state;
  renames_.push_back(std::move(rename));
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::TruncateFile(const std::string& path,
                                                    uint64_t size) {
  KS_RETURN_IF_ERROR(CheckActive("truncate", path));
  KS_RETURN_IF_ERROR(base_->TruncateFile(path, size));
  absl::MutexLock lock(&mu_);
  auto it = files_.find(path);
  if (it != files_.end() && it->second.synced_size > size) {
    it->second.synced_size = size;
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::CreateDir(const std::string& dir) {
  KS_RETURN_IF_ERROR(CheckActive("mkdir", dir));
  return base_->CreateDir(dir);
}

absl::Status FaultInjectionFileSystem::SyncDir(const std::string& dir) {
  {
    absl::MutexLock lock(&mu_);
    ++dir_sync_count_;
    if (!active_) return InjectedError("fsync (inactive)", dir);
    if (fail_dir_sync_after_ >= 0 && fail_dir_sync_after_-- == 0) {
      return InjectedError("fsync", dir);
    }
  }
  KS_RETURN_IF_ERROR(base_->SyncDir(dir));
  const std::string normalized = JoinPath(dir, "x");
  const std::string parent = ParentDir(normalized);
  absl::MutexLock lock(&mu_);
  for (auto& [path, state] : files_) {
    if (ParentDir(path) == parent) state.created_since_dir_sync = false;
  }
  std::vector<PendingRename> still_pending;
  for (PendingRename& rename : renames_) {
    if (ParentDir(rename.to) != parent) {
      still_pending.push_back(std::move(rename));
    }
  }
  renames_ = std::move(still_pending);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileLock>> FaultInjectionFileSystem::LockFile(
    const std::string& path) {
  return base_->LockFile(path);
}

absl::Status FaultInjectionFileSystem::DropUnsyncedData() {
  absl::MutexLock lock(&mu_);
  // Undo renames newest first, so a chain of renames unwinds in order.
  for (auto it = renames_.rbegin(); it != renames_.rend(); ++it) {
    KS_RETURN_IF_ERROR(base_->RenameFile(it->to, it->from));
    auto state = files_.find(it->to);
    if (state != files_.end()) {
      files_[it->from] = state->second;
      files_.erase(state);
    }
    if (it->replaced) {
      KS_RETURN_IF_ERROR(WriteWholeFile(base_, it->to, it->replaced_bytes));
    }
  }
  renames_.clear();
  for (auto it = files_.begin(); it != files_.end();) {
    const std::string& path = it->first;
    FileState& state = it->second;
    if (!base_->FileExists(path)) {
      it = files_.erase(it);
      continue;
    }
    if (state.created_since_dir_sync) {
      KS_RETURN_IF_ERROR(base_->DeleteFile(path));
      it = files_.erase(it);
      continue;
    }
    KS_ASSIGN_OR_RETURN(const uint64_t size, base_->FileSize(path));
    if (size > state.synced_size) {
      KS_RETURN_IF_ERROR(base_->TruncateFile(path, state.synced_size));
    }
    // What is left is, by definition, durable. Keeping the entry makes
    // later unsynced appends through a still-open handle droppable too.
    ++it;
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionFileSystem::FlipByte(const std::string& path,
                                                uint64_t offset, uint8_t mask) {
  KS_ASSIGN_OR_RETURN(std::string bytes, base_->ReadFile(path));
  if (offset >= bytes.size()) {
    return absl::OutOfRangeError(absl::StrCat("fault injection: offset ",
                                              offset, " past the end of ", path,
                                              " (size ", bytes.size(), ")"));
  }
  bytes[offset] = static_cast<char>(bytes[offset] ^ mask);
  return WriteWholeFile(base_, path, bytes);
}

}  // namespace kstone::core
