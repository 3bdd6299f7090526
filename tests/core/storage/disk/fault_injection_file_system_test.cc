#include "core/storage/disk/fault_injection_file_system.h"

#include <memory>
#include <string>
#include <string_view>

#include "core/storage/disk/mem_file_system.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

class FaultInjectionFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override { KS_ASSERT_OK(base_->CreateDir("/d")); }

  std::string Read(const std::string& path) {
    absl::StatusOr<std::string> contents = base_->ReadFile(path);
    return contents.ok() ? *contents : "<" + contents.status().ToString() + ">";
  }

  std::unique_ptr<FileSystem> base_ = NewMemFileSystem();
  FaultInjectionFileSystem fs_{base_.get()};
};

TEST_F(FaultInjectionFileSystemTest, DropUnsyncedDataKeepsOnlySyncedBytes) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_.NewWritableFile("/d/f"));
  KS_ASSERT_OK(fs_.SyncDir("/d"));
  KS_ASSERT_OK(file->Append("synced"));
  KS_ASSERT_OK(file->Sync());
  KS_ASSERT_OK(file->Append("+lost"));
  KS_ASSERT_OK(file->Flush());
  EXPECT_EQ(Read("/d/f"), "synced+lost");
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  EXPECT_EQ(Read("/d/f"), "synced");
}

TEST_F(FaultInjectionFileSystemTest, UnsyncedCreateIsForgotten) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_.NewWritableFile("/d/new"));
  KS_ASSERT_OK(file->Append("data"));
  KS_ASSERT_OK(file->Sync());  // the data, but not the directory entry
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  EXPECT_FALSE(base_->FileExists("/d/new"));
}

TEST_F(FaultInjectionFileSystemTest, UnsyncedRenameIsUndone) {
  for (const char* name : {"/d/target", "/d/tmp"}) {
    KS_ASSERT_OK_AND_ASSIGN(auto file, fs_.NewWritableFile(name));
    KS_ASSERT_OK(file->Append(std::string(name) + "-bytes"));
    KS_ASSERT_OK(file->Sync());
  }
  KS_ASSERT_OK(fs_.SyncDir("/d"));
  KS_ASSERT_OK(fs_.RenameFile("/d/tmp", "/d/target"));
  EXPECT_EQ(Read("/d/target"), "/d/tmp-bytes");
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  EXPECT_EQ(Read("/d/target"), "/d/target-bytes");
  EXPECT_EQ(Read("/d/tmp"), "/d/tmp-bytes");
}

TEST_F(FaultInjectionFileSystemTest, SyncedRenameStays) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_.NewWritableFile("/d/tmp"));
  KS_ASSERT_OK(file->Append("x"));
  KS_ASSERT_OK(file->Sync());
  KS_ASSERT_OK(fs_.RenameFile("/d/tmp", "/d/final"));
  KS_ASSERT_OK(fs_.SyncDir("/d"));
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  EXPECT_EQ(Read("/d/final"), "x");
  EXPECT_FALSE(base_->FileExists("/d/tmp"));
}

TEST_F(FaultInjectionFileSystemTest, FailWriteAfterFailsOnceWithIoError) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_.NewWritableFile("/d/f"));
  fs_.SetFailWriteAfter(2);
  KS_EXPECT_OK(file->Append("1"));
  KS_EXPECT_OK(file->Append("2"));
  EXPECT_THAT(file->Append("3"), StatusIs(absl::StatusCode::kUnknown,
                                          HasSubstr("fault injection")));
  KS_EXPECT_OK(file->Append("4"));  // one shot
  EXPECT_EQ(Read("/d/f"), "124");
  EXPECT_EQ(fs_.write_count(), 4u);
}

TEST_F(FaultInjectionFileSystemTest, FailSyncAfterFailsOnce) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_.NewWritableFile("/d/f"));
  fs_.SetFailSyncAfter(1);
  KS_EXPECT_OK(file->Sync());
  EXPECT_FALSE(file->Sync().ok());
  KS_EXPECT_OK(file->Sync());
  EXPECT_EQ(fs_.sync_count(), 3u);
}

TEST_F(FaultInjectionFileSystemTest, InactiveRejectsMutations) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_.NewWritableFile("/d/f"));
  fs_.SetActive(false);
  EXPECT_FALSE(file->Append("x").ok());
  EXPECT_FALSE(file->Sync().ok());
  EXPECT_FALSE(fs_.NewWritableFile("/d/g").ok());
  EXPECT_FALSE(fs_.RenameFile("/d/f", "/d/h").ok());
  EXPECT_FALSE(fs_.SyncDir("/d").ok());
  fs_.SetActive(true);
  KS_EXPECT_OK(file->Append("x"));
}

TEST_F(FaultInjectionFileSystemTest, FlipByte) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, base_->NewWritableFile("/d/f"));
  KS_ASSERT_OK(file->Append("abc"));
  KS_ASSERT_OK(fs_.FlipByte("/d/f", 1, 0x01));
  EXPECT_EQ(Read("/d/f"), "acc");
  EXPECT_THAT(fs_.FlipByte("/d/f", 3),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("/d/f")));
}

TEST_F(FaultInjectionFileSystemTest, PreexistingFilesCountAsDurable) {
  {
    KS_ASSERT_OK_AND_ASSIGN(auto file, base_->NewWritableFile("/d/old"));
    KS_ASSERT_OK(file->Append("old"));
  }
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_.NewAppendableFile("/d/old"));
  KS_ASSERT_OK(file->Append("+new"));
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  EXPECT_EQ(Read("/d/old"), "old");
}

}  // namespace
}  // namespace kstone::core
