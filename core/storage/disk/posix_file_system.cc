#include "core/storage/disk/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

constexpr size_t kWriteBufferSize = 64 << 10;

absl::Status PosixError(std::string_view op, const std::string& path,
                        int error_number) {
  return absl::ErrnoToStatus(
      error_number,
      absl::StrCat(absl::string_view(op.data(), op.size()), " ", path));
}

// Writes all of data to fd, retrying on EINTR and short writes.
absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return PosixError("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> SizeOfFd(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return PosixError("fstat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

// A file opened for reading and its size.
struct OpenedForReading {
  int fd;
  uint64_t size;
};

absl::StatusOr<OpenedForReading> OpenForReading(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return PosixError("open", path, errno);
  absl::StatusOr<uint64_t> size = SizeOfFd(fd, path);
  if (!size.ok()) {
    ::close(fd);
    return size.status();
  }
  return OpenedForReading{fd, *size};
}

// Not thread-safe (as every WritableFile).
class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {
    buffer_.reserve(kWriteBufferSize);
  }
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  ~PosixWritableFile() override {
    if (fd_ >= 0) {
      // Best effort: a caller that cares about errors calls Close().
      Close().IgnoreError();
    }
  }

  absl::Status Append(std::string_view data) override {
    if (fd_ < 0) return absl::FailedPreconditionError("append to closed file");
    size_ += data.size();
    if (buffer_.size() + data.size() <= kWriteBufferSize) {
      buffer_.append(data.data(), data.size());
      return absl::OkStatus();
    }
    KS_RETURN_IF_ERROR(FlushBuffer());
    if (data.size() <= kWriteBufferSize) {
      buffer_.append(data.data(), data.size());
      return absl::OkStatus();
    }
    return WriteAll(fd_, data, path_);  // large: skip the buffer
  }

  absl::Status Flush() override {
    if (fd_ < 0) return absl::FailedPreconditionError("flush of closed file");
    return FlushBuffer();
  }

  absl::Status Sync() override {
    if (fd_ < 0) return absl::FailedPreconditionError("sync of closed file");
    KS_RETURN_IF_ERROR(FlushBuffer());
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status StartSync() override {
    if (fd_ < 0) return absl::FailedPreconditionError("sync of closed file");
    KS_RETURN_IF_ERROR(FlushBuffer());
#ifdef __linux__
    // Starts writeback of the dirty pages; errors surface in Sync.
    ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (fd_ < 0) return absl::OkStatus();
    absl::Status status = FlushBuffer();
    if (::close(fd_) != 0 && status.ok()) {
      status = PosixError("close", path_, errno);
    }
    fd_ = -1;
    return status;
  }

  uint64_t size() const override { return size_; }

 private:
  absl::Status FlushBuffer() {
    if (buffer_.empty()) return absl::OkStatus();
    absl::Status status = WriteAll(fd_, buffer_, path_);
    buffer_.clear();
    return status;
  }

  const std::string path_;
  int fd_;
  uint64_t size_;  // bytes appended, buffered or not
  std::string buffer_;
};

// Safe for concurrent use: pread has no shared file position.
class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  PosixRandomAccessFile(const PosixRandomAccessFile&) = delete;
  PosixRandomAccessFile& operator=(const PosixRandomAccessFile&) = delete;
  ~PosixRandomAccessFile() override { ::close(fd_); }

  absl::Status Read(uint64_t offset, size_t n, std::string_view* result,
                    char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done,
                          static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        *result = std::string_view();
        return PosixError("pread", path_, errno);
      }
      if (r == 0) break;  // end of file
      done += static_cast<size_t>(r);
    }
    *result = std::string_view(scratch, done);
    return absl::OkStatus();
  }

  uint64_t size() const override { return size_; }

 private:
  const std::string path_;
  const int fd_;
  const uint64_t size_;
};

// A read-only shared mapping of a whole file; the descriptor is closed once
// mapped (the mapping keeps the file, even after an unlink). Reads copy
// nothing: *result points into the mapping. Safe for concurrent use.
class PosixMappedFile final : public RandomAccessFile {
 public:
  PosixMappedFile(const char* base, uint64_t size) : base_(base), size_(size) {}
  PosixMappedFile(const PosixMappedFile&) = delete;
  PosixMappedFile& operator=(const PosixMappedFile&) = delete;
  ~PosixMappedFile() override {
    ::munmap(const_cast<char*>(base_), static_cast<size_t>(size_));
  }

  absl::Status Read(uint64_t offset, size_t n, std::string_view* result,
                    char* /*scratch*/) const override {
    if (offset >= size_) {
      *result = std::string_view();
    } else {
      *result = std::string_view(
          base_ + offset,
          static_cast<size_t>(std::min<uint64_t>(n, size_ - offset)));
    }
    return absl::OkStatus();
  }
  uint64_t size() const override { return size_; }
  std::string_view mapped() const override {
    return std::string_view(base_, static_cast<size_t>(size_));
  }

 private:
  const char* const base_;
  const uint64_t size_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  PosixFileLock(const PosixFileLock&) = delete;
  PosixFileLock& operator=(const PosixFileLock&) = delete;
  // Closing the only descriptor of the open file description releases the
  // flock.
  ~PosixFileLock() override { ::close(fd_); }

 private:
  const int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("open", path, errno);
    return std::make_unique<PosixWritableFile>(path, fd, 0);
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("open", path, errno);
    absl::StatusOr<uint64_t> size = SizeOfFd(fd, path);
    if (!size.ok()) {
      ::close(fd);
      return size.status();
    }
    return std::make_unique<PosixWritableFile>(path, fd, *size);
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    absl::StatusOr<OpenedForReading> file = OpenForReading(path);
    if (!file.ok()) return file.status();
    return std::make_unique<PosixRandomAccessFile>(path, file->fd, file->size);
  }

  // Maps the file; an empty file or a failed mmap (address space, a file
  // system without mmap) falls back to pread.
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewMappedFile(
      const std::string& path) override {
    absl::StatusOr<OpenedForReading> file = OpenForReading(path);
    if (!file.ok()) return file.status();
    if (file->size > 0 && file->size <= SIZE_MAX) {
      void* base = ::mmap(nullptr, static_cast<size_t>(file->size), PROT_READ,
                          MAP_SHARED, file->fd, 0);
      if (base != MAP_FAILED) {
        ::close(file->fd);
        return std::make_unique<PosixMappedFile>(static_cast<const char*>(base),
                                                 file->size);
      }
    }
    return std::make_unique<PosixRandomAccessFile>(path, file->fd, file->size);
  }

  absl::StatusOr<std::string> ReadFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", path, errno);
    std::string contents;
    char buf[64 << 10];
    absl::Status status;
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        status = PosixError("read", path, errno);
        break;
      }
      if (n == 0) break;
      contents.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    if (!status.ok()) return status;
    return contents;
  }

  bool FileExists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0;
  }

  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError("opendir", dir, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    const int error_number = errno;
    ::closedir(d);
    if (error_number != 0) return PosixError("readdir", dir, error_number);
    return names;
  }

  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("unlink", path, errno);
    return absl::OkStatus();
  }

  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return PosixError("rename", absl::StrCat(from, " to ", to), errno);
    }
    return absl::OkStatus();
  }

  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return PosixError("truncate", path, errno);
    }
    return absl::OkStatus();
  }

  absl::Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return absl::OkStatus();
    const int error_number = errno;
    struct stat st;
    if (error_number == EEXIST && ::stat(dir.c_str(), &st) == 0 &&
        S_ISDIR(st.st_mode)) {
      return absl::OkStatus();
    }
    return PosixError("mkdir", dir, error_number);
  }

  absl::Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError("open", dir, errno);
    absl::Status status;
    if (::fsync(fd) != 0) status = PosixError("fsync", dir, errno);
    ::close(fd);
    return status;
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError("open", path, errno);
    // flock locks belong to the open file description, so this also fails
    // when this process already holds the lock through another LockFile.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error_number = errno;
      ::close(fd);
      if (error_number == EWOULDBLOCK) {
        return absl::FailedPreconditionError(
            absl::StrCat("lock ", path, ": held by another process or handle"));
      }
      return PosixError("flock", path, error_number);
    }
    return std::make_unique<PosixFileLock>(fd);
  }
};

}  // namespace

std::unique_ptr<FileSystem> NewPosixFileSystem() {
  return std::make_unique<PosixFileSystem>();
}

FileSystem* DefaultFileSystem() {
  static FileSystem* const fs = new PosixFileSystem();
  return fs;
}

}  // namespace kstone::core
