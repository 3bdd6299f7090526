// Crash and corruption tests of the engine on the disk backend, through the
// fault-injecting file system: power loss, failing writes and syncs, a
// truncated WAL, corrupt tables and manifests, a second open.

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/engine/engine.h"
#include "core/storage/disk/fault_injection_file_system.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_util.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

class EngineCrashTest : public ::testing::Test {
 protected:
  void TearDown() override { engine_.reset(); }

  static EngineOptions Options(SyncMode mode = SyncMode::kEveryCommit) {
    EngineOptions o;
    o.memtable_max_records_per_stripe = 16;
    o.memtable_max_bytes_per_stripe = 64 * 1024;
    o.total_memtable_bytes = 1 << 20;
    o.max_tables_per_stripe = 2;
    o.background_threads = 1;
    o.sync_mode = mode;
    return o;
  }

  absl::Status Open(FileSystem* fs, const EngineOptions& o = Options()) {
    engine_.reset();
    DiskStorageOptions so;
    so.create_if_missing = true;
    so.wal_segment_bytes = 64 * 1024;
    absl::StatusOr<std::unique_ptr<Storage>> storage =
        OpenDiskStorage(fs, dir_, so);
    if (!storage.ok()) return storage.status();
    absl::StatusOr<std::unique_ptr<Engine>> engine =
        Engine::Open(std::move(*storage), o);
    if (!engine.ok()) return engine.status();
    engine_ = std::move(*engine);
    return absl::OkStatus();
  }

  // Power loss: nothing more reaches the files, the engine goes away, and
  // whatever was not synced is lost.
  void Crash(FaultInjectionFileSystem* fs) {
    fs->SetActive(false);
    engine_.reset();
    KS_ASSERT_OK(fs->DropUnsyncedData());
    fs->SetActive(true);
  }

  std::vector<std::string> FilesEndingWith(const std::string& suffix) {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      const std::string name = entry.path().filename().string();
      if (name.size() >= suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) ==
              0) {
        out.push_back(entry.path().string());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  const ::kstone::testing::ScratchDir root_;
  const std::string dir_ = root_.Sub("db");  // the database's directory
  std::unique_ptr<Engine> engine_;
};

std::string Value(int i) {
  return absl::StrCat("value-", i, "-", std::string(40, 'p'));
}
std::string KeyOf(int i) { return K(i % 5, absl::StrCat("key", i)); }

TEST_F(EngineCrashTest, SyncedWritesSurvivePowerLoss) {
  FaultInjectionFileSystem fs(DefaultFileSystem());
  KS_ASSERT_OK(Open(&fs));
  for (int i = 0; i < 300; ++i) {
    KS_ASSERT_OK(Put(engine_.get(), KeyOf(i), Value(i)));
    if (i % 100 == 50) KS_ASSERT_OK(engine_->Flush());
  }
  Crash(&fs);
  KS_ASSERT_OK(Open(&fs));
  for (int i = 0; i < 300; ++i) {
    absl::StatusOr<std::optional<std::string>> v = engine_->Get(KeyOf(i));
    KS_ASSERT_OK(v);
    ASSERT_EQ(*v, std::optional<std::string>(Value(i))) << i;
  }
  // And the database goes on working.
  KS_ASSERT_OK(Put(engine_.get(), KeyOf(1), "after"));
  KS_ASSERT_OK(engine_->Compact());
  EXPECT_EQ(*engine_->Get(KeyOf(1)), std::optional<std::string>("after"));
}

// Fails the Nth file write or sync (WAL, table or manifest) while writing:
// the write that hits it (or a later one) fails, every later write fails
// (sticky), and after a crash every acknowledged write is there.
TEST_F(EngineCrashTest, FailedWriteOrSyncIsStickyAndAcknowledgedWritesSurvive) {
  for (const bool fail_sync : {false, true}) {
    for (const int n : {0, 1, 3, 8, 20, 45, 90}) {
      SCOPED_TRACE(absl::StrCat(fail_sync ? "sync " : "write ", n));
      std::filesystem::remove_all(dir_);
      FaultInjectionFileSystem fs(DefaultFileSystem());
      KS_ASSERT_OK(Open(&fs));
      if (fail_sync) {
        fs.SetFailSyncAfter(n);
      } else {
        fs.SetFailWriteAfter(n);
      }
      std::vector<int> acked;
      absl::Status first_error;
      for (int i = 0; i < 200; ++i) {
        absl::Status s = Put(engine_.get(), KeyOf(i), Value(i));
        if (s.ok()) {
          ASSERT_TRUE(first_error.ok())
              << "a write succeeded after " << first_error;
          acked.push_back(i);
        } else if (first_error.ok()) {
          first_error = s;
        }
      }
      ASSERT_FALSE(first_error.ok());
      // Sticky: the file system works again, the engine still refuses.
      EXPECT_FALSE(Put(engine_.get(), KeyOf(999), "x").ok());
      Crash(&fs);
      KS_ASSERT_OK(Open(&fs));
      for (int i : acked) {
        absl::StatusOr<std::optional<std::string>> v = engine_->Get(KeyOf(i));
        KS_ASSERT_OK(v);
        ASSERT_EQ(*v, std::optional<std::string>(Value(i))) << i;
      }
      KS_ASSERT_OK(Put(engine_.get(), KeyOf(0), "works"));
      engine_.reset();
    }
  }
}

TEST_F(EngineCrashTest, TruncatedWalKeepsEveryCompleteBatch) {
  constexpr int kBatches = 30;
  {
    EngineOptions o = Options(SyncMode::kNone);
    o.memtable_max_records_per_stripe = 1 << 20;  // no flush: all in the WAL
    KS_ASSERT_OK(Open(DefaultFileSystem(), o));
    for (int i = 0; i < kBatches; ++i) {
      // Equal-sized batches of two stripes.
      KS_ASSERT_OK(engine_->Write(
          Batch({PutM(K(1, absl::StrCat("a", 100 + i)), Value(i)),
                 PutM(K(2, absl::StrCat("b", 100 + i)), Value(i))})));
    }
    engine_.reset();
  }
  std::vector<std::string> logs = FilesEndingWith(".log");
  ASSERT_FALSE(logs.empty());
  std::string newest;
  for (const std::string& log : logs) {
    if (std::filesystem::file_size(log) > 0) newest = log;
  }
  ASSERT_FALSE(newest.empty());
  const uint64_t size = std::filesystem::file_size(newest);
  const std::string pristine = root_.Sub("pristine");
  std::filesystem::copy(dir_, pristine,
                        std::filesystem::copy_options::recursive);
  for (uint64_t cut = 1; cut <= 60; cut += (cut < 10 ? 1 : 7)) {
    SCOPED_TRACE(absl::StrCat("cut ", cut, " of ", size));
    std::filesystem::remove_all(dir_);
    std::filesystem::copy(pristine, dir_,
                          std::filesystem::copy_options::recursive);
    std::filesystem::resize_file(newest, size - cut);
    EngineOptions o = Options(SyncMode::kNone);
    o.memtable_max_records_per_stripe = 1 << 20;
    KS_ASSERT_OK(Open(DefaultFileSystem(), o));
    EXPECT_TRUE(engine_->recovery_report().truncated_tail);
    // The batches present are a prefix, missing only the torn last one(s).
    int present = 0;
    for (int i = 0; i < kBatches; ++i) {
      absl::StatusOr<std::optional<std::string>> a =
          engine_->Get(K(1, absl::StrCat("a", 100 + i)));
      absl::StatusOr<std::optional<std::string>> b =
          engine_->Get(K(2, absl::StrCat("b", 100 + i)));
      KS_ASSERT_OK(a);
      KS_ASSERT_OK(b);
      ASSERT_EQ(a->has_value(), b->has_value()) << "batch " << i << " torn";
      if (a->has_value()) {
        ASSERT_EQ(present, i) << "batch " << i << " present after a gap";
        ++present;
      }
    }
    // Each batch record is ~120 bytes: a cut of up to 60 loses exactly one.
    EXPECT_EQ(present, kBatches - 1);
    engine_.reset();
  }
}

TEST_F(EngineCrashTest, CorruptTableIsDataLossNamingIt) {
  KS_ASSERT_OK(Open(DefaultFileSystem()));
  for (int i = 0; i < 50; ++i)
    KS_ASSERT_OK(Put(engine_.get(), KeyOf(i), Value(i)));
  KS_ASSERT_OK(engine_->Flush());
  engine_.reset();
  std::vector<std::string> tables = FilesEndingWith(".sst");
  ASSERT_FALSE(tables.empty());
  const std::string victim = tables.front();
  std::filesystem::resize_file(victim, std::filesystem::file_size(victim) / 2);
  const std::string name = std::filesystem::path(victim).filename().string();
  EXPECT_THAT(Open(DefaultFileSystem()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr(name)));
}

TEST_F(EngineCrashTest, CorruptManifestIsDataLossNamingIt) {
  KS_ASSERT_OK(Open(DefaultFileSystem()));
  for (int i = 0; i < 50; ++i)
    KS_ASSERT_OK(Put(engine_.get(), KeyOf(i), Value(i)));
  KS_ASSERT_OK(engine_->Flush());
  engine_.reset();
  std::vector<std::string> manifests;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("MANIFEST-", 0) == 0)
      manifests.push_back(entry.path().string());
  }
  ASSERT_EQ(manifests.size(), 1u);
  FaultInjectionFileSystem fs(DefaultFileSystem());
  // Inside the first record (after the 16-byte file header and the record
  // header): the snapshot.
  KS_ASSERT_OK(fs.FlipByte(manifests[0], 30, 0x10));
  EXPECT_THAT(Open(&fs),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("MANIFEST")));
}

TEST_F(EngineCrashTest, SecondOpenOfTheSameDirectoryFails) {
  KS_ASSERT_OK(Open(DefaultFileSystem()));
  DiskStorageOptions so;
  so.create_if_missing = true;
  absl::StatusOr<std::unique_ptr<Storage>> second =
      OpenDiskStorage(DefaultFileSystem(), dir_, so);
  EXPECT_THAT(second,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(dir_)));
  engine_.reset();
  KS_EXPECT_OK(OpenDiskStorage(DefaultFileSystem(), dir_, so));
}

}  // namespace
}  // namespace kstone::core::testing
