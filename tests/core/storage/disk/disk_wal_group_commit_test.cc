// Group commit of the disk WAL, shown deterministically: a leader is held
// inside its sync while followers queue behind it; no timing is involved.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/disk_wal_test_hooks.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/util/status_macros.h"
#include "gtest/gtest.h"
#include "tests/core/storage/disk/wal_test_batches.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

constexpr char kDir[] = "/db";

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
      {
        absl::MutexLock lock(&fs_->mu_);
        ++fs_->syncs_;
        fs_->sync_waiting_ = true;
        fs_->mu_.Await(absl::Condition(
            +[](bool* closed) { return !*closed; }, &fs_->closed_));
        fs_->sync_waiting_ = false;
      }
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
};

TEST(DiskWalGroupCommitTest, WritersQueuedBehindALeaderShareOneSync) {
  constexpr int kFollowers = 7;
  GateFileSystem fs;
  KS_ASSERT_OK(fs.CreateDir(kDir));
  KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Wal> wal,
                          OpenDiskWal(&fs, kDir, 1 << 20));
  KS_ASSERT_OK(
      wal->Append(OneRecordBatch(1, 10), true));  // creates the segment
  const int syncs_before = fs.syncs();
  const int appends_before = fs.appends();

  // A leader stuck in its sync; followers queue up behind it.
  fs.Close();
  std::vector<absl::Status> results(kFollowers + 1);
  std::vector<std::thread> threads;
  threads.emplace_back(
      [&] { results[0] = wal->Append(OneRecordBatch(2, 10), true); });
  fs.AwaitSyncWaiting();
  for (int i = 1; i <= kFollowers; ++i) {
    threads.emplace_back(
        [&, i] { results[i] = wal->Append(OneRecordBatch(2 + i, 10), true); });
  }
  while (TEST_DiskWalQueuedWriters(wal.get()) < kFollowers + 1) {
    std::this_thread::yield();
  }
  fs.Open();
  for (auto& t : threads) t.join();
  for (const absl::Status& s : results) KS_EXPECT_OK(s);

  // One sync for the leader, one for the whole group of followers.
  EXPECT_EQ(fs.syncs() - syncs_before, 2);
  EXPECT_EQ(fs.appends() - appends_before, 2);
  EXPECT_LT(fs.syncs() - syncs_before, kFollowers + 1);

  // Each batch is in the log exactly once.
  wal.reset();
  KS_ASSERT_OK_AND_ASSIGN(wal, OpenDiskWal(&fs, kDir, 1 << 20));
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK(wal->Replay([&](const WriteBatch& batch) {
                    seqs.push_back(batch.first_seq);
                    return absl::OkStatus();
                  })
                   .status());
  std::sort(seqs.begin(), seqs.end());
  std::vector<uint64_t> expected;
  for (uint64_t seq = 1; seq <= kFollowers + 2; ++seq) expected.push_back(seq);
  EXPECT_EQ(seqs, expected);
}

}  // namespace
}  // namespace kstone::core
