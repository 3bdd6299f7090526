#ifndef KSTONE_CORE_STORAGE_DISK_FAULT_INJECTION_FILE_SYSTEM_H_
#define KSTONE_CORE_STORAGE_DISK_FAULT_INJECTION_FILE_SYSTEM_H_

// FaultInjectionFileSystem: wraps another FileSystem to simulate the failures
// a database must survive (the idea of leveldb's fault_injection_test and
// rocksdb's FaultInjectionTestFS):
//
//  - power loss: DropUnsyncedData() truncates every file written through this
//    wrapper to the size it had at its last WritableFile::Sync, deletes files
//    created since their directory's last SyncDir, and undoes renames not yet
//    followed by a SyncDir of the target's directory (restoring the file a
//    rename replaced). Truncations and deletions are treated as durable at
//    once.
//  - a process that died: SetActive(false) makes every later mutating call
//    fail, so nothing more reaches the files until DropUnsyncedData() and
//    SetActive(true).
//  - a failing disk: SetFailWriteAfter(n) / SetFailSyncAfter(n) /
//    SetFailDirSyncAfter(n) let the next n WritableFile appends (file syncs,
//    directory syncs) succeed and fail the one after, once, with an I/O
//    error (EIO). The file system works again afterwards, which
//    is what shows that a caller's error is sticky.
//  - bit rot: FlipByte().
//
// It also counts appends and syncs, so tests can show group commit.
//
// Simulating a crash: SetActive(false), destroy everything that holds files
// open through this wrapper (a database, a WAL), then DropUnsyncedData() and
// SetActive(true). Destroy the handles first: closing a file may still flush
// buffered bytes into it, and those must not land after the truncation.
//
// Limits: a WritableFile's state is tracked under the path it was opened
// with; renaming a file while it is open for writing is not modelled.
//
// Safe for concurrent use. The wrapped file system must outlive it.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/file_system.h"

namespace kstone::core {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(FileSystem* base);
  FaultInjectionFileSystem(const FaultInjectionFileSystem&) = delete;
  FaultInjectionFileSystem& operator=(const FaultInjectionFileSystem&) = delete;
  ~FaultInjectionFileSystem() override;

  // Faults. n < 0 disables the fault.
  void SetFailWriteAfter(int64_t n) ABSL_LOCKS_EXCLUDED(mu_);
  void SetFailSyncAfter(int64_t n) ABSL_LOCKS_EXCLUDED(mu_);
  void SetFailDirSyncAfter(int64_t n) ABSL_LOCKS_EXCLUDED(mu_);
  void SetActive(bool active) ABSL_LOCKS_EXCLUDED(mu_);

  // Simulates power loss (see above). Works while inactive.
  absl::Status DropUnsyncedData() ABSL_LOCKS_EXCLUDED(mu_);

  // XORs the byte at `offset` of `path` with `mask` (rewrites the file, so
  // never while a reader has it mapped: see RandomAccessFile::mapped()).
  absl::Status FlipByte(const std::string& path, uint64_t offset,
                        uint8_t mask = 0x80);

  // Calls of WritableFile::Append / WritableFile::Sync / SyncDir so far.
  uint64_t write_count() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t sync_count() const ABSL_LOCKS_EXCLUDED(mu_);
  uint64_t dir_sync_count() const ABSL_LOCKS_EXCLUDED(mu_);

  // FileSystem.
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  // The base's mapping (reads are not injected with faults).
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewMappedFile(
      const std::string& path) override;
  absl::StatusOr<std::string> ReadFile(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override;
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override;
  absl::Status DeleteFile(const std::string& path) override;
  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override;
  absl::Status TruncateFile(const std::string& path, uint64_t size) override;
  absl::Status CreateDir(const std::string& dir) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override;

 private:
  class File;
  friend class File;

  // What survives a power loss of a file written through this wrapper.
  struct FileState {
    uint64_t synced_size = 0;
    bool created_since_dir_sync = false;
  };
  struct PendingRename {
    std::string from;
    std::string to;
    bool replaced = false;       // `to` existed before the rename
    std::string replaced_bytes;  // and held these bytes
  };

  absl::Status CheckActive(const std::string& op, const std::string& path)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Called by File.
  absl::Status BeforeAppend(const std::string& path) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status BeforeSync(const std::string& path) ABSL_LOCKS_EXCLUDED(mu_);
  void AfterSync(const std::string& path, uint64_t size)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Constant after construction.
  FileSystem* const base_;

  mutable absl::Mutex mu_;
  bool active_ ABSL_GUARDED_BY(mu_) = true;
  int64_t fail_write_after_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t fail_sync_after_ ABSL_GUARDED_BY(mu_) = -1;
  int64_t fail_dir_sync_after_ ABSL_GUARDED_BY(mu_) = -1;
  uint64_t write_count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dir_sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  std::vector<PendingRename> renames_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_FAULT_INJECTION_FILE_SYSTEM_H_
