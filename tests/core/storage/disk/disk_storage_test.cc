#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "core/storage/disk/file_names.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

DiskStorageOptions Create() {
  DiskStorageOptions options;
  options.create_if_missing = true;
  options.block_cache_bytes = 1 << 20;
  return options;
}

class DiskStorageTest : public ::testing::Test {
 protected:
  FileSystem* fs() { return DefaultFileSystem(); }

  const ::kstone::testing::ScratchDir root_;
  const std::string dir_ = root_.Sub("db");  // the database's directory
};

TEST_F(DiskStorageTest, CreatesThenReopens) {
  {
    KS_ASSERT_OK_AND_ASSIGN(auto storage,
                            OpenDiskStorage(fs(), dir_, Create()));
    EXPECT_TRUE(storage->created());
    EXPECT_EQ(storage->description(), dir_);
    EXPECT_TRUE(fs()->FileExists(JoinPath(dir_, kIdentityName)));
    WriteBatch batch;
    batch.first_seq = 1;
    batch.mutations.push_back({RecordType::kValue, "k", "v"});
    KS_ASSERT_OK(storage->wal()->Append(batch, true));
    KS_ASSERT_OK(storage->tables()->manifest()->Append("edit"));
  }
  KS_ASSERT_OK_AND_ASSIGN(auto storage,
                          OpenDiskStorage(fs(), dir_, DiskStorageOptions()));
  EXPECT_FALSE(storage->created());
  int batches = 0;
  KS_ASSERT_OK(storage->wal()
                   ->Replay([&](const WriteBatch&) {
                     ++batches;
                     return absl::OkStatus();
                   })
                   .status());
  EXPECT_EQ(batches, 1);
  KS_ASSERT_OK_AND_ASSIGN(auto records,
                          storage->tables()->manifest()->ReadAll());
  EXPECT_EQ(records, std::vector<std::string>({"edit"}));
}

TEST_F(DiskStorageTest, MissingDirectoryWithoutCreateIsNotFound) {
  EXPECT_THAT(OpenDiskStorage(fs(), dir_, DiskStorageOptions()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir_)));
  EXPECT_FALSE(fs()->FileExists(dir_));
}

TEST_F(DiskStorageTest, EmptyDirectoryWithoutCreateIsNotFound) {
  KS_ASSERT_OK(fs()->CreateDir(dir_));
  EXPECT_THAT(OpenDiskStorage(fs(), dir_, DiskStorageOptions()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(dir_)));
  KS_ASSERT_OK_AND_ASSIGN(auto storage, OpenDiskStorage(fs(), dir_, Create()));
  EXPECT_TRUE(storage->created());
}

TEST_F(DiskStorageTest, ErrorIfExists) {
  { KS_ASSERT_OK(OpenDiskStorage(fs(), dir_, Create()).status()); }
  DiskStorageOptions options = Create();
  options.error_if_exists = true;
  EXPECT_THAT(OpenDiskStorage(fs(), dir_, options),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       AllOf(HasSubstr(dir_), HasSubstr("already exists"))));
}

TEST_F(DiskStorageTest, ForeignDirectoryIsNotADatabase) {
  KS_ASSERT_OK(fs()->CreateDir(dir_));
  {
    KS_ASSERT_OK_AND_ASSIGN(auto file,
                            fs()->NewWritableFile(JoinPath(dir_, "notes.txt")));
    KS_ASSERT_OK(file->Append("my files"));
    KS_ASSERT_OK(file->Close());
  }
  EXPECT_THAT(
      OpenDiskStorage(fs(), dir_, Create()),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr(dir_), HasSubstr("is not a kstone database"))));
  // Nothing was written there.
  KS_ASSERT_OK_AND_ASSIGN(auto names, fs()->ListDir(dir_));
  EXPECT_THAT(names, ::testing::ElementsAre("notes.txt"));
}

TEST_F(DiskStorageTest, SecondOpenFailsWhileTheFirstIsOpen) {
  KS_ASSERT_OK_AND_ASSIGN(auto first, OpenDiskStorage(fs(), dir_, Create()));
  EXPECT_THAT(
      OpenDiskStorage(fs(), dir_, Create()),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr(dir_),
                     HasSubstr("locked by another process or handle"))));
  first.reset();
  KS_ASSERT_OK_AND_ASSIGN(auto second, OpenDiskStorage(fs(), dir_, Create()));
  EXPECT_FALSE(second->created());
}

// Opens the database in a child process; the exit code says what happened:
// 0 opened, 3 locked, 4 any other error.
int OpenInChild(const std::string& dir) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    absl::StatusOr<std::unique_ptr<Storage>> storage =
        OpenDiskStorage(DefaultFileSystem(), dir, DiskStorageOptions());
    if (storage.ok()) ::_exit(0);
    ::_exit(storage.status().code() == absl::StatusCode::kFailedPrecondition
                ? 3
                : 4);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(DiskStorageTest, AnotherProcessCannotOpenWhileOpen) {
  KS_ASSERT_OK_AND_ASSIGN(auto storage, OpenDiskStorage(fs(), dir_, Create()));
  EXPECT_EQ(OpenInChild(dir_), 3);
  storage.reset();
  EXPECT_EQ(OpenInChild(dir_), 0);
}

TEST_F(DiskStorageTest, BadOptionsAreInvalidArgument) {
  DiskStorageOptions options = Create();
  options.wal_segment_bytes = 0;
  EXPECT_THAT(OpenDiskStorage(fs(), dir_, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("wal_segment_bytes")));
}

TEST(DiskStorageMemFsTest, WorksOnAnyFileSystem) {
  auto fs = NewMemFileSystem();
  KS_ASSERT_OK_AND_ASSIGN(auto storage,
                          OpenDiskStorage(fs.get(), "/db", Create()));
  EXPECT_TRUE(storage->created());
  EXPECT_THAT(
      OpenDiskStorage(fs.get(), "/db", Create()),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("locked")));
}

}  // namespace
}  // namespace kstone::core
