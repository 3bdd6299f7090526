#include "core/storage/disk/mem_file_system.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace kstone::core {
namespace {

// The bytes of one file, shared by the file system and open handles.
struct FileData {
  mutable absl::Mutex mu;
  std::string bytes ABSL_GUARDED_BY(mu);

  uint64_t size() const {
    absl::MutexLock lock(&mu);
    return bytes.size();
  }
};

// Strips trailing slashes; "/" becomes "" (both mean the root).
std::string NormalizeDir(std::string dir) {
  while (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir;
}

std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

absl::Status NoSuchFile(std::string_view op, const std::string& path) {
  return absl::NotFoundError(
      absl::StrCat(absl::string_view(op.data(), op.size()), " ", path,
                   ": No such file or directory"));
}

// Not thread-safe (as every WritableFile); the bytes it shares are locked.
class MemWritableFile final : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<FileData> data)
      : data_(std::move(data)) {}
  MemWritableFile(const MemWritableFile&) = delete;
  MemWritableFile& operator=(const MemWritableFile&) = delete;

  absl::Status Append(std::string_view bytes) override {
    absl::MutexLock lock(&data_->mu);
    data_->bytes.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  absl::Status Sync() override { return absl::OkStatus(); }
  absl::Status Close() override { return absl::OkStatus(); }
  uint64_t size() const override { return data_->size(); }

 private:
  const std::shared_ptr<FileData> data_;
};

// Safe for concurrent use.
class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<FileData> data)
      : data_(std::move(data)), size_(data_->size()) {}

  absl::Status Read(uint64_t offset, size_t n, std::string_view* result,
                    char* scratch) const override {
    FileData* data = data_.get();
    absl::MutexLock lock(&data->mu);
    if (offset >= data->bytes.size()) {
      *result = std::string_view();
      return absl::OkStatus();
    }
    const size_t count =
        std::min<uint64_t>(n, data->bytes.size() - static_cast<size_t>(offset));
    std::memcpy(scratch, data->bytes.data() + offset, count);
    *result = std::string_view(scratch, count);
    return absl::OkStatus();
  }

  uint64_t size() const override { return size_; }

 private:
  const std::shared_ptr<FileData> data_;
  const uint64_t size_;  // at open, like a POSIX fstat
};

// State shared with outstanding locks, so a lock may outlive the file system.
struct LockTable {
  absl::Mutex mu;
  std::set<std::string> held ABSL_GUARDED_BY(mu);
};

class MemFileLock final : public FileLock {
 public:
  MemFileLock(std::shared_ptr<LockTable> table, std::string path)
      : table_(std::move(table)), path_(std::move(path)) {}
  ~MemFileLock() override {
    absl::MutexLock lock(&table_->mu);
    table_->held.erase(path_);
  }

 private:
  const std::shared_ptr<LockTable> table_;
  const std::string path_;
};

class MemFileSystem final : public FileSystem {
 public:
  MemFileSystem() : locks_(std::make_shared<LockTable>()) {}

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!DirExistsLocked(ParentOf(path))) return NoSuchFile("open", path);
    if (dirs_.count(path) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("open ", path, ": Is a directory"));
    }
    auto data = std::make_shared<FileData>();
    files_[path] = data;
    return std::make_unique<MemWritableFile>(std::move(data));
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it != files_.end())
      return std::make_unique<MemWritableFile>(it->second);
    if (!DirExistsLocked(ParentOf(path))) return NoSuchFile("open", path);
    auto data = std::make_shared<FileData>();
    files_[path] = data;
    return std::make_unique<MemWritableFile>(std::move(data));
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NoSuchFile("open", path);
    return std::make_unique<MemRandomAccessFile>(it->second);
  }

  absl::StatusOr<std::string> ReadFile(const std::string& path) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<FileData> data;
    {
      absl::MutexLock lock(&mu_);
      auto it = files_.find(path);
      if (it == files_.end()) return NoSuchFile("open", path);
      data = it->second;
    }
    absl::MutexLock lock(&data->mu);
    return data->bytes;
  }

  bool FileExists(const std::string& path) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return files_.count(path) != 0 || DirExistsLocked(NormalizeDir(path));
  }

  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir_in) override ABSL_LOCKS_EXCLUDED(mu_) {
    const std::string dir = NormalizeDir(dir_in);
    absl::MutexLock lock(&mu_);
    if (!DirExistsLocked(dir)) return NoSuchFile("opendir", dir_in);
    std::vector<std::string> names;
    for (const auto& [path, data] : files_) {
      if (ParentOf(path) == dir) names.push_back(BaseName(path));
    }
    for (const std::string& sub : dirs_) {
      if (ParentOf(sub) == dir) names.push_back(BaseName(sub));
    }
    return names;
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NoSuchFile("stat", path);
    return it->second->size();
  }

  absl::Status DeleteFile(const std::string& path) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (files_.erase(path) == 0) return NoSuchFile("unlink", path);
    return absl::OkStatus();
  }

  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it == files_.end()) {
      return NoSuchFile("rename", absl::StrCat(from, " to ", to));
    }
    if (!DirExistsLocked(ParentOf(to))) {
      return NoSuchFile("rename", absl::StrCat(from, " to ", to));
    }
    std::shared_ptr<FileData> data = std::move(it->second);
    files_.erase(it);
    files_[to] = std::move(data);
    return absl::OkStatus();
  }

  absl::Status TruncateFile(const std::string& path, uint64_t size) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<FileData> data;
    {
      absl::MutexLock lock(&mu_);
      auto it = files_.find(path);
      if (it == files_.end()) return NoSuchFile("truncate", path);
      data = it->second;
    }
    absl::MutexLock lock(&data->mu);
    data->bytes.resize(size, '\0');
    return absl::OkStatus();
  }

  absl::Status CreateDir(const std::string& dir_in) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    const std::string dir = NormalizeDir(dir_in);
    absl::MutexLock lock(&mu_);
    if (DirExistsLocked(dir)) return absl::OkStatus();
    if (files_.count(dir) != 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("mkdir ", dir_in, ": File exists"));
    }
    if (!DirExistsLocked(ParentOf(dir))) return NoSuchFile("mkdir", dir_in);
    dirs_.insert(dir);
    return absl::OkStatus();
  }

  absl::Status SyncDir(const std::string& dir) override
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!DirExistsLocked(NormalizeDir(dir))) return NoSuchFile("open", dir);
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      if (files_.count(path) == 0) {
        if (!DirExistsLocked(ParentOf(path))) return NoSuchFile("open", path);
        files_[path] = std::make_shared<FileData>();
      }
    }
    absl::MutexLock lock(&locks_->mu);
    if (!locks_->held.insert(path).second) {
      return absl::FailedPreconditionError(
          absl::StrCat("lock ", path, ": held by another process or handle"));
    }
    return std::make_unique<MemFileLock>(locks_, path);
  }

 private:
  bool DirExistsLocked(const std::string& dir) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    mu_.AssertHeld();
    return dir.empty() || dir == "." || dirs_.count(dir) != 0;
  }

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<FileData>> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirs_ ABSL_GUARDED_BY(mu_);
  // Constant after construction (the table locks itself).
  const std::shared_ptr<LockTable> locks_;
};

}  // namespace

std::unique_ptr<FileSystem> NewMemFileSystem() {
  return std::make_unique<MemFileSystem>();
}

}  // namespace kstone::core
