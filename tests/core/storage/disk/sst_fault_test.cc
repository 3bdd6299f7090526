// SST building under injected faults: a finished table survives power loss
// (Finish syncs the file and its directory); a failed write or sync is
// reported, and Abandon leaves nothing behind.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/fault_injection_file_system.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

constexpr int kKeys = 200;

class SstFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KS_ASSERT_OK(base_->CreateDir("/db"));
    KS_ASSERT_OK(base_->SyncDir("/db"));
  }

  // Builds table 1; returns the first error of Create/Add/Finish.
  absl::Status Build() {
    SstBuilderOptions options;
    options.block_size = 256;
    auto builder = SstBuilder::Create(&fs_, "/db", 1, options);
    if (!builder.ok()) return builder.status();
    for (int i = 0; i < kKeys; ++i) {
      absl::Status s = (*builder)->Add(
          {absl::StrCat("key", 1000 + i), 5, RecordType::kValue, "value"});
      if (!s.ok()) {
        (*builder)->Abandon();
        return s;
      }
    }
    absl::Status s = (*builder)->Finish().status();
    if (!s.ok()) (*builder)->Abandon();
    return s;
  }

  absl::Status ReadBack() {
    auto reader = SstReader::Open(&fs_, "/db/000001.sst", 1, nullptr);
    if (!reader.ok()) return reader.status();
    int count = 0;
    auto it = (*reader)->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    if (!it->status().ok()) return it->status();
    if (count != kKeys) return absl::InternalError(absl::StrCat(count));
    return absl::OkStatus();
  }

  std::unique_ptr<FileSystem> base_ = NewMemFileSystem();
  FaultInjectionFileSystem fs_{base_.get()};
};

TEST_F(SstFaultTest, FinishedTableSurvivesPowerLoss) {
  KS_ASSERT_OK(Build());
  EXPECT_GE(fs_.sync_count(), 1u);
  EXPECT_GE(fs_.dir_sync_count(), 1u);
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  KS_EXPECT_OK(ReadBack());
}

TEST_F(SstFaultTest, EveryFailedWriteIsReportedAndAbandoned) {
  // Find how many appends a build takes, then fail each one in turn.
  KS_ASSERT_OK(Build());
  uint64_t writes = fs_.write_count();
  KS_ASSERT_OK(fs_.DeleteFile("/db/000001.sst"));
  for (uint64_t n = 0; n < writes; ++n) {
    SCOPED_TRACE(absl::StrCat("fail write ", n, " of ", writes));
    fs_.SetFailWriteAfter(static_cast<int64_t>(n));
    absl::Status status = Build();
    EXPECT_FALSE(status.ok());
    EXPECT_FALSE(fs_.FileExists("/db/000001.sst"));
  }
  fs_.SetFailWriteAfter(-1);
  KS_ASSERT_OK(Build());
  KS_EXPECT_OK(ReadBack());
}

TEST_F(SstFaultTest, FailedSyncFailsFinish) {
  fs_.SetFailSyncAfter(0);
  EXPECT_FALSE(Build().ok());
  EXPECT_FALSE(fs_.FileExists("/db/000001.sst"));
}

TEST_F(SstFaultTest, FailedDirectorySyncFailsFinish) {
  fs_.SetFailDirSyncAfter(0);
  EXPECT_FALSE(Build().ok());
  EXPECT_FALSE(fs_.FileExists("/db/000001.sst"));
}

}  // namespace
}  // namespace kstone::core
