#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/fault_injection_file_system.h"
#include "core/storage/disk/file_names.h"
#include "core/storage/disk/mem_file_system.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kDir[] = "/db";
using Records = std::vector<std::string>;

class DiskManifestLogTest : public ::testing::Test {
 protected:
  void SetUp() override { KS_ASSERT_OK(base_->CreateDir(kDir)); }

  void Open() {
    log_.reset();
    absl::StatusOr<std::unique_ptr<ManifestLog>> log =
        OpenDiskManifestLog(&fs_, kDir);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }

  Records ReadAll() {
    absl::StatusOr<Records> records = log_->ReadAll();
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *records : Records{"<error>"};
  }

  // The path of the live manifest, from CURRENT.
  std::string LiveManifest() {
    absl::StatusOr<std::string> current =
        base_->ReadFile(JoinPath(kDir, kCurrentName));
    EXPECT_TRUE(current.ok()) << current.status();
    if (!current.ok() || current->empty()) return "";
    return JoinPath(kDir, current->substr(0, current->size() - 1));
  }

  // Power loss: every later write fails, then unsynced data vanishes.
  void Crash() {
    fs_.SetActive(false);
    log_.reset();
    KS_ASSERT_OK(fs_.DropUnsyncedData());
    fs_.SetActive(true);
  }

  std::unique_ptr<FileSystem> base_ = NewMemFileSystem();
  FaultInjectionFileSystem fs_{base_.get()};
  std::unique_ptr<ManifestLog> log_;
};

TEST_F(DiskManifestLogTest, NewLogIsEmptyAndWritesNothing) {
  Open();
  EXPECT_THAT(ReadAll(), IsEmpty());
  KS_ASSERT_OK_AND_ASSIGN(auto names, base_->ListDir(kDir));
  EXPECT_THAT(names, IsEmpty());
}

TEST_F(DiskManifestLogTest, AppendsSurviveReopen) {
  Open();
  KS_ASSERT_OK(log_->Append("one"));
  KS_ASSERT_OK(log_->Append(std::string(100000, 'x')));
  KS_ASSERT_OK(log_->Append(""));
  EXPECT_EQ(ReadAll(), Records({"one", std::string(100000, 'x'), ""}));
  Open();
  EXPECT_EQ(ReadAll(), Records({"one", std::string(100000, 'x'), ""}));
  KS_ASSERT_OK(log_->Append("four"));
  Open();
  EXPECT_EQ(ReadAll().size(), 4u);
}

TEST_F(DiskManifestLogTest, AppendIsDurableAtOnce) {
  Open();
  KS_ASSERT_OK(log_->Append("a"));
  KS_ASSERT_OK(log_->Append("b"));
  Crash();
  Open();
  EXPECT_EQ(ReadAll(), Records({"a", "b"}));
}

TEST_F(DiskManifestLogTest, RewriteReplacesTheLogAndDeletesTheOld) {
  Open();
  KS_ASSERT_OK(log_->Append("a"));
  KS_ASSERT_OK(log_->Append("b"));
  const std::string old = LiveManifest();
  KS_ASSERT_OK(log_->Rewrite({"x", "y"}));
  KS_ASSERT_OK(log_->Append("z"));
  EXPECT_NE(LiveManifest(), old);
  EXPECT_FALSE(base_->FileExists(old));
  EXPECT_EQ(ReadAll(), Records({"x", "y", "z"}));
  Open();
  EXPECT_EQ(ReadAll(), Records({"x", "y", "z"}));
  KS_ASSERT_OK(log_->Rewrite({}));
  Open();
  EXPECT_THAT(ReadAll(), IsEmpty());
}

TEST_F(DiskManifestLogTest, TornTailIsDroppedAndLaterAppendsFollowTheCut) {
  Open();
  for (const char* r : {"a", "b", "c"}) KS_ASSERT_OK(log_->Append(r));
  log_.reset();
  const std::string path = LiveManifest();
  KS_ASSERT_OK_AND_ASSIGN(uint64_t size, base_->FileSize(path));
  KS_ASSERT_OK(base_->TruncateFile(path, size - 2));
  Open();
  EXPECT_EQ(ReadAll(), Records({"a", "b"}));
  KS_ASSERT_OK(log_->Append("d"));
  Open();
  EXPECT_EQ(ReadAll(), Records({"a", "b", "d"}));
}

TEST_F(DiskManifestLogTest, AppendWithoutReadAllAlsoCutsTheTornTail) {
  Open();
  for (const char* r : {"a", "b"}) KS_ASSERT_OK(log_->Append(r));
  log_.reset();
  const std::string path = LiveManifest();
  KS_ASSERT_OK_AND_ASSIGN(uint64_t size, base_->FileSize(path));
  KS_ASSERT_OK(base_->TruncateFile(path, size - 1));
  Open();
  KS_ASSERT_OK(log_->Append("c"));
  Open();
  EXPECT_EQ(ReadAll(), Records({"a", "c"}));
}

TEST_F(DiskManifestLogTest, CorruptionBeforeTheTailIsDataLoss) {
  Open();
  for (const char* r : {"first", "second", "third"}) {
    KS_ASSERT_OK(log_->Append(r));
  }
  log_.reset();
  const std::string path = LiveManifest();
  KS_ASSERT_OK(fs_.FlipByte(path, 16 + 9 + 1));  // inside "first"
  Open();
  EXPECT_THAT(log_->ReadAll(),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("MANIFEST-"), HasSubstr("offset 16"))));
  EXPECT_THAT(log_->Append("more"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("offset 16")));
}

TEST_F(DiskManifestLogTest, BadCurrentIsDataLoss) {
  Open();
  KS_ASSERT_OK(log_->Append("a"));
  log_.reset();
  {
    KS_ASSERT_OK_AND_ASSIGN(auto file,
                            base_->NewWritableFile(JoinPath(kDir, "CURRENT")));
    KS_ASSERT_OK(file->Append("garbage\n"));
  }
  EXPECT_THAT(OpenDiskManifestLog(&fs_, kDir),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("CURRENT")));
  {
    KS_ASSERT_OK_AND_ASSIGN(auto file,
                            base_->NewWritableFile(JoinPath(kDir, "CURRENT")));
    KS_ASSERT_OK(file->Append("MANIFEST-000077\n"));
  }
  EXPECT_THAT(
      OpenDiskManifestLog(&fs_, kDir),
      StatusIs(absl::StatusCode::kDataLoss,
               AllOf(HasSubstr("MANIFEST-000077"), HasSubstr("missing"))));
}

TEST_F(DiskManifestLogTest, FailedAppendIsSticky) {
  Open();
  KS_ASSERT_OK(log_->Append("a"));
  fs_.SetFailSyncAfter(0);
  absl::Status failed = log_->Append("b");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(log_->Append("c"), failed);
  EXPECT_EQ(log_->Rewrite({"d"}), failed);
}

// Fails Rewrite({x, y}) at every write, file sync and directory sync it
// makes, then loses power: the log must read as either the old records or
// the new ones, never a mix or an error.
TEST_F(DiskManifestLogTest, RewriteIsAtomicUnderEveryFailureAndPowerLoss) {
  enum Fault { kWrite, kSync, kDirSync, kNone };
  for (Fault fault : {kWrite, kSync, kDirSync, kNone}) {
    for (int n = 0; n < (fault == kNone ? 1 : 3); ++n) {
      SCOPED_TRACE(absl::StrCat("fault ", fault, " after ", n));
      ASSERT_NO_FATAL_FAILURE(Open());
      KS_ASSERT_OK(log_->Rewrite({"a", "b"}));
      if (fault == kWrite) fs_.SetFailWriteAfter(n);
      if (fault == kSync) fs_.SetFailSyncAfter(n);
      if (fault == kDirSync) fs_.SetFailDirSyncAfter(n);
      const absl::Status status = log_->Rewrite({"x", "y"});
      fs_.SetFailWriteAfter(-1);
      fs_.SetFailSyncAfter(-1);
      fs_.SetFailDirSyncAfter(-1);
      ASSERT_NO_FATAL_FAILURE(Crash());
      ASSERT_NO_FATAL_FAILURE(Open());
      const Records records = ReadAll();
      if (status.ok()) {
        EXPECT_EQ(records, Records({"x", "y"}));
      } else {
        EXPECT_EQ(records, Records({"a", "b"})) << status;
      }
    }
  }
}

TEST_F(DiskManifestLogTest, OpenRemovesOrphansOfACrashedRewrite) {
  Open();
  KS_ASSERT_OK(log_->Append("a"));
  log_.reset();
  for (const char* orphan : {"MANIFEST-000900", "CURRENT.tmp"}) {
    KS_ASSERT_OK_AND_ASSIGN(auto file,
                            base_->NewWritableFile(JoinPath(kDir, orphan)));
  }
  Open();
  EXPECT_EQ(ReadAll(), Records({"a"}));
  KS_ASSERT_OK_AND_ASSIGN(auto names, base_->ListDir(kDir));
  EXPECT_THAT(names,
              ::testing::UnorderedElementsAre("CURRENT", "MANIFEST-000001"));
  // New manifests are numbered past every one ever seen.
  KS_ASSERT_OK(log_->Rewrite({"b"}));
  EXPECT_EQ(LiveManifest(), JoinPath(kDir, "MANIFEST-000901"));
}

}  // namespace
}  // namespace kstone::core
