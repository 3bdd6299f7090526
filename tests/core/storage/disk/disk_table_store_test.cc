// The disk TableStore beyond the conformance suite: file naming, reader
// caching, corrupt tables, argument checks.

#include "core/storage/disk/disk_table_store.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/fault_injection_file_system.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/memory/memory_table_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A stand-in manifest: this file tests tables, not the manifest log.
std::unique_ptr<ManifestLog> TakeManifest(TableStore* donor) {
  struct Forward final : ManifestLog {
    explicit Forward(ManifestLog* to) : to_(to) {}
    absl::StatusOr<std::vector<std::string>> ReadAll() override {
      return to_->ReadAll();
    }
    absl::Status Append(std::string_view record) override {
      return to_->Append(record);
    }
    absl::Status Rewrite(const std::vector<std::string>& records) override {
      return to_->Rewrite(records);
    }
    ManifestLog* to_;
  };
  return std::make_unique<Forward>(donor->manifest());
}

class DiskTableStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = NewMemFileSystem();
    KS_ASSERT_OK(fs_->CreateDir("/db"));
    DiskTableOptions options;
    options.block_size = 256;
    KS_ASSERT_OK_AND_ASSIGN(
        store_,
        OpenDiskTableStore(fs_.get(), "/db",
                           TakeManifest(manifest_owner_.get()), options));
  }

  void Build(uint64_t number, int n) {
    KS_ASSERT_OK_AND_ASSIGN(auto builder, store_->NewTable(number));
    for (int i = 0; i < n; ++i) {
      KS_ASSERT_OK(builder->Add(
          {absl::StrCat("key", 1000 + i), 1, RecordType::kValue, "value"}));
    }
    KS_ASSERT_OK(builder->Finish().status());
  }

  std::unique_ptr<FileSystem> fs_;
  std::unique_ptr<TableStore> manifest_owner_ = NewMemoryTableStore();
  std::unique_ptr<TableStore> store_;
};

TEST_F(DiskTableStoreTest, FilesAreNamedBySixDigitNumbers) {
  Build(7, 1);
  Build(1234567, 1);
  EXPECT_TRUE(fs_->FileExists("/db/000007.sst"));
  EXPECT_TRUE(fs_->FileExists("/db/1234567.sst"));
}

TEST_F(DiskTableStoreTest, ListTablesIgnoresOtherFiles) {
  Build(3, 1);
  for (const char* name : {"000001.log", "MANIFEST-000002", "CURRENT", "x.sst",
                           "12.sst", "000004.sst.tmp", "00000a.sst"}) {
    KS_ASSERT_OK_AND_ASSIGN(auto file,
                            fs_->NewWritableFile(absl::StrCat("/db/", name)));
    KS_ASSERT_OK(file->Close());
  }
  KS_ASSERT_OK_AND_ASSIGN(auto tables, store_->ListTables());
  EXPECT_THAT(tables, ElementsAre(3));
}

TEST_F(DiskTableStoreTest, OpenTableReusesTheOpenReader) {
  Build(5, 10);
  KS_ASSERT_OK_AND_ASSIGN(auto first, store_->OpenTable(5));
  KS_ASSERT_OK_AND_ASSIGN(auto second, store_->OpenTable(5));
  EXPECT_EQ(first.get(), second.get());
}

TEST_F(DiskTableStoreTest, CorruptTableIsDataLossNamingTheFile) {
  Build(6, 10);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents,
                          fs_->ReadFile("/db/000006.sst"));
  contents.back() ^= 1;  // the magic number
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewWritableFile("/db/000006.sst"));
  KS_ASSERT_OK(file->Append(contents));
  KS_ASSERT_OK(file->Close());
  EXPECT_THAT(store_->OpenTable(6), StatusIs(absl::StatusCode::kDataLoss,
                                             HasSubstr("/db/000006.sst")));
}

TEST_F(DiskTableStoreTest, NotAnSstIsDataLoss) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewWritableFile("/db/000008.sst"));
  KS_ASSERT_OK(file->Append(std::string(100, 'x')));
  KS_ASSERT_OK(file->Close());
  EXPECT_THAT(store_->OpenTable(8),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("magic")));
}

TEST_F(DiskTableStoreTest, ManifestIsTheLogItWasGiven) {
  KS_ASSERT_OK(store_->manifest()->Append("edit"));
  KS_ASSERT_OK_AND_ASSIGN(auto records, manifest_owner_->manifest()->ReadAll());
  EXPECT_THAT(records, ElementsAre("edit"));
}

// Finished tables are synced (file and directory) just before the next
// manifest write, not in Finish: a power loss before that write may lose
// them (nothing names them yet), never after it.
class DeferredSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KS_ASSERT_OK(base_->CreateDir("/db"));
    KS_ASSERT_OK(base_->SyncDir("/db"));
    KS_ASSERT_OK_AND_ASSIGN(
        store_, OpenDiskTableStore(&fs_, "/db",
                                   TakeManifest(manifest_owner_.get()), {}));
  }
  void Build(uint64_t number) {
    KS_ASSERT_OK_AND_ASSIGN(auto builder, store_->NewTable(number));
    KS_ASSERT_OK(builder->Add({"key", 1, RecordType::kValue, "value"}));
    KS_ASSERT_OK(builder->Finish().status());
  }
  std::string Path(uint64_t number) {
    return absl::StrCat("/db/", SstFileName(number));
  }

  std::unique_ptr<FileSystem> base_ = NewMemFileSystem();
  FaultInjectionFileSystem fs_{base_.get()};
  std::unique_ptr<TableStore> manifest_owner_ = NewMemoryTableStore();
  std::unique_ptr<TableStore> store_;
};

TEST_F(DeferredSyncTest, FinishDoesNotSyncTheManifestWriteDoes) {
  const uint64_t syncs = fs_.sync_count();
  const uint64_t dir_syncs = fs_.dir_sync_count();
  Build(1);
  Build(2);
  EXPECT_EQ(fs_.sync_count(), syncs);
  EXPECT_EQ(fs_.dir_sync_count(), dir_syncs);
  KS_ASSERT_OK(store_->manifest()->Append("edit naming 1 and 2"));
  EXPECT_EQ(fs_.sync_count(), syncs + 2);          // both tables
  EXPECT_EQ(fs_.dir_sync_count(), dir_syncs + 1);  // their directory, once
  KS_ASSERT_OK(store_->manifest()->Append("another edit"));
  EXPECT_EQ(fs_.sync_count(), syncs + 2);  // nothing new to sync
  store_.reset();
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  KS_ASSERT_OK_AND_ASSIGN(uint64_t size1, base_->FileSize(Path(1)));
  EXPECT_GT(size1, 0u);
  EXPECT_TRUE(base_->FileExists(Path(2)));
}

TEST_F(DeferredSyncTest, PowerLossBeforeTheManifestWriteMayLoseTheTable) {
  Build(3);
  store_.reset();
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  EXPECT_FALSE(base_->FileExists(Path(3)));
}

TEST_F(DeferredSyncTest, AFailedTableSyncFailsTheManifestWrite) {
  Build(4);
  fs_.SetFailSyncAfter(0);
  EXPECT_FALSE(store_->manifest()->Append("edit naming 4").ok());
  KS_ASSERT_OK_AND_ASSIGN(auto records, manifest_owner_->manifest()->ReadAll());
  EXPECT_TRUE(records.empty());
}

TEST_F(DeferredSyncTest, DeletedUnsyncedTablesAreNotSynced) {
  const uint64_t syncs = fs_.sync_count();
  Build(5);
  KS_ASSERT_OK(store_->DeleteTable(5));
  KS_ASSERT_OK(store_->manifest()->Append("edit"));
  EXPECT_EQ(fs_.sync_count(), syncs);
  EXPECT_FALSE(base_->FileExists(Path(5)));
}

TEST(DiskTableStoreOpenTest, RequiresFileSystemAndManifest) {
  auto fs = NewMemFileSystem();
  EXPECT_THAT(OpenDiskTableStore(fs.get(), "/", nullptr, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

}  // namespace
}  // namespace kstone::core
