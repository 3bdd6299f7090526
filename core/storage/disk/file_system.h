#ifndef KSTONE_CORE_STORAGE_DISK_FILE_SYSTEM_H_
#define KSTONE_CORE_STORAGE_DISK_FILE_SYSTEM_H_

// FileSystem: the small slice of an operating system the disk backend uses.
// Implementations: PosixFileSystem (posix_file_system.h), MemFileSystem
// (mem_file_system.h, for fast format tests) and FaultInjectionFileSystem
// (fault_injection_file_system.h, wraps another one: fail the Nth write or
// sync, drop unsynced bytes, flip bytes).
//
// Thread safety: a FileSystem is safe for concurrent use. A WritableFile is
// not thread-safe; a RandomAccessFile is (pread semantics).
//
// Errors: OS failures are absl::ErrnoToStatus(errno, "<op> <path>").

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kstone::core {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual absl::Status Append(std::string_view data) = 0;
  // Writes buffered data to the OS (not durable).
  virtual absl::Status Flush() = 0;
  // Makes everything appended durable (fdatasync).
  virtual absl::Status Sync() = 0;
  // Writes buffered data to the OS and asks it to start writing the file
  // to the device without waiting, so that a later Sync waits less (a hint:
  // durable only after Sync). The default only flushes.
  virtual absl::Status StartSync() { return Flush(); }
  virtual absl::Status Close() = 0;
  virtual uint64_t size() const = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into scratch; *result points at the bytes
  // read (maybe fewer than n at end of file).
  virtual absl::Status Read(uint64_t offset, size_t n, std::string_view* result,
                            char* scratch) const = 0;
  virtual uint64_t size() const = 0;
  // The whole file in memory, when this file is a read-only mapping
  // (FileSystem::NewMappedFile); empty otherwise. The bytes stay valid and
  // unchanged for the life of this object, as long as nothing truncates or
  // rewrites the file underneath (which would fault the process, SIGBUS).
  virtual std::string_view mapped() const { return {}; }
};

// A held exclusive lock on a file (released when destroyed).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Truncates an existing file.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  // Keeps existing contents; appends after them.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // Opens an immutable file for reading as a read-only memory mapping when
  // the implementation can (then mapped() holds the whole file); otherwise,
  // and whenever mapping fails, exactly like NewRandomAccessFile. Callers
  // check mapped(). The default never maps.
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewMappedFile(
      const std::string& path) {
    return NewRandomAccessFile(path);
  }
  // Whole-file read (manifest, small files).
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) = 0;  // names, not paths
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
  virtual absl::Status DeleteFile(const std::string& path) = 0;
  virtual absl::Status RenameFile(const std::string& from,
                                  const std::string& to) = 0;
  virtual absl::Status TruncateFile(const std::string& path, uint64_t size) = 0;
  virtual absl::Status CreateDir(const std::string& dir) = 0;  // ok if exists
  // fsync of a directory, so that creates, renames and deletes in it last.
  virtual absl::Status SyncDir(const std::string& dir) = 0;

  // Takes an exclusive lock on `path` (creating it), also against other
  // processes. FailedPrecondition if it is held elsewhere.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) = 0;
};

// The process-wide POSIX file system (never destroyed).
FileSystem* DefaultFileSystem();

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_FILE_SYSTEM_H_
