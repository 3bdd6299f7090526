#ifndef KSTONE_TESTS_CORE_STORAGE_DISK_GATE_FILE_SYSTEM_H_
#define KSTONE_TESTS_CORE_STORAGE_DISK_GATE_FILE_SYSTEM_H_

// GateFileSystem: a test FileSystem that can hold a WAL leader inside its
// sync (shared by the group-commit and buffered-append tests of the disk WAL).

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/util/status_macros.h"

namespace kstone::core {

// Forwards to a MemFileSystem, counts appends and syncs of writable files,
// and can hold every Sync until released, so that a test can queue writers
// behind a leader that is inside its sync.
class GateFileSystem final : public FileSystem {
 public:
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    closed_ = false;
  }
  void AwaitSyncWaiting() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&sync_waiting_));
  }
  int syncs() {
    absl::MutexLock lock(&mu_);
    return syncs_;
  }
  int appends() {
    absl::MutexLock lock(&mu_);
    return appends_;
  }
  // Every sync yields the processor this many times first, so that it takes
  // a while and writers queue behind it (no timing is asserted).
  void SetSyncYields(int yields) {
    absl::MutexLock lock(&mu_);
    sync_yields_ = yields;
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) override {
    KS_ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(path));
    return std::make_unique<File>(this, std::move(file));
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    KS_ASSIGN_OR_RETURN(auto file, base_->NewAppendableFile(path));
    return std::make_unique<File>(this, std::move(file));
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  absl::StatusOr<std::string> ReadFile(const std::string& path) override {
    return base_->ReadFile(path);
  }
  bool FileExists(const std::string& path) override {
    return base_->FileExists(path);
  }
  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override {
    return base_->ListDir(dir);
  }
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    return base_->FileSize(path);
  }
  absl::Status DeleteFile(const std::string& path) override {
    return base_->DeleteFile(path);
  }
  absl::Status RenameFile(const std::string& from,
                          const std::string& to) override {
    return base_->RenameFile(from, to);
  }
  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_->TruncateFile(path, size);
  }
  absl::Status CreateDir(const std::string& dir) override {
    return base_->CreateDir(dir);
  }
  absl::Status SyncDir(const std::string& dir) override {
    return base_->SyncDir(dir);
  }
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(
      const std::string& path) override {
    return base_->LockFile(path);
  }

 private:
  class File final : public WritableFile {
   public:
    File(GateFileSystem* fs, std::unique_ptr<WritableFile> base)
        : fs_(fs), base_(std::move(base)) {}
    absl::Status Append(std::string_view data) override {
      {
        absl::MutexLock lock(&fs_->mu_);
        ++fs_->appends_;
      }
      return base_->Append(data);
    }
    absl::Status Flush() override { return base_->Flush(); }
    absl::Status Sync() override {
      int yields;
      {
        absl::MutexLock lock(&fs_->mu_);
        ++fs_->syncs_;
        fs_->sync_waiting_ = true;
        fs_->mu_.Await(absl::Condition(
            +[](bool* closed) { return !*closed; }, &fs_->closed_));
        fs_->sync_waiting_ = false;
        yields = fs_->sync_yields_;
      }
      for (int i = 0; i < yields; ++i) std::this_thread::yield();
      return base_->Sync();
    }
    absl::Status Close() override { return base_->Close(); }
    uint64_t size() const override { return base_->size(); }

   private:
    GateFileSystem* const fs_;
    const std::unique_ptr<WritableFile> base_;
  };

  const std::unique_ptr<FileSystem> base_ = NewMemFileSystem();
  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool sync_waiting_ ABSL_GUARDED_BY(mu_) = false;
  int syncs_ ABSL_GUARDED_BY(mu_) = 0;
  int appends_ ABSL_GUARDED_BY(mu_) = 0;
  int sync_yields_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kstone::core

#endif  // KSTONE_TESTS_CORE_STORAGE_DISK_GATE_FILE_SYSTEM_H_
