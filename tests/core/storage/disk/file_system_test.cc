// FileSystem behaviour shared by PosixFileSystem (in a temporary directory)
// and MemFileSystem.

#include "core/storage/disk/file_system.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/storage/disk/file_names.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/posix_file_system.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

enum class Kind { kPosix, kMem };

class FileSystemTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kPosix) {
      owned_ = NewPosixFileSystem();
      scratch_.emplace();
      dir_ = scratch_->path();
    } else {
      owned_ = NewMemFileSystem();
      dir_ = "/db";
      KS_ASSERT_OK(owned_->CreateDir(dir_));
    }
    fs_ = owned_.get();
  }

  std::string Path(std::string_view name) { return JoinPath(dir_, name); }

  void Write(const std::string& path, std::string_view data) {
    KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewWritableFile(path));
    KS_ASSERT_OK(file->Append(data));
    KS_ASSERT_OK(file->Sync());
    KS_ASSERT_OK(file->Close());
  }

  std::optional<::kstone::testing::ScratchDir> scratch_;  // POSIX only
  std::unique_ptr<FileSystem> owned_;
  FileSystem* fs_ = nullptr;
  std::string dir_;
};

TEST_P(FileSystemTest, WriteThenReadWholeFile) {
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewWritableFile(Path("a")));
  KS_ASSERT_OK(file->Append("hello "));
  EXPECT_EQ(file->size(), 6u);
  KS_ASSERT_OK(file->Append("world"));
  KS_ASSERT_OK(file->Flush());
  EXPECT_EQ(file->size(), 11u);
  KS_ASSERT_OK(file->Close());
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path("a")));
  EXPECT_EQ(contents, "hello world");
  KS_ASSERT_OK_AND_ASSIGN(uint64_t size, fs_->FileSize(Path("a")));
  EXPECT_EQ(size, 11u);
}

TEST_P(FileSystemTest, LargeAppendsSurviveBuffering) {
  std::string big(300 << 10, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewWritableFile(Path("big")));
  KS_ASSERT_OK(file->Append("head"));
  KS_ASSERT_OK(file->Append(big));
  KS_ASSERT_OK(file->Append("tail"));
  KS_ASSERT_OK(file->Sync());
  KS_ASSERT_OK(file->Close());
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path("big")));
  EXPECT_EQ(contents, "head" + big + "tail");
}

TEST_P(FileSystemTest, NewWritableFileTruncatesAppendableKeeps) {
  Write(Path("f"), "12345");
  {
    KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewAppendableFile(Path("f")));
    EXPECT_EQ(file->size(), 5u);
    KS_ASSERT_OK(file->Append("678"));
    KS_ASSERT_OK(file->Close());
  }
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path("f")));
  EXPECT_EQ(contents, "12345678");
  Write(Path("f"), "x");
  KS_ASSERT_OK_AND_ASSIGN(contents, fs_->ReadFile(Path("f")));
  EXPECT_EQ(contents, "x");
}

TEST_P(FileSystemTest, RandomAccessReadsAtOffsets) {
  Write(Path("r"), "0123456789");
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewRandomAccessFile(Path("r")));
  EXPECT_EQ(file->size(), 10u);
  char scratch[16];
  std::string_view got;
  KS_ASSERT_OK(file->Read(3, 4, &got, scratch));
  EXPECT_EQ(got, "3456");
  KS_ASSERT_OK(file->Read(8, 10, &got, scratch));  // short at the end
  EXPECT_EQ(got, "89");
  KS_ASSERT_OK(file->Read(20, 4, &got, scratch));
  EXPECT_TRUE(got.empty());
}

TEST_P(FileSystemTest, ConcurrentRandomReads) {
  std::string data(4096, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i);
  Write(Path("c"), data);
  KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewRandomAccessFile(Path("c")));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      char scratch[64];
      for (uint64_t off = static_cast<uint64_t>(t); off + 64 <= data.size();
           off += 13) {
        std::string_view got;
        if (!file->Read(off, 64, &got, scratch).ok() ||
            got != std::string_view(data).substr(off, 64)) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

TEST_P(FileSystemTest, MissingFilesAreNotFound) {
  EXPECT_FALSE(fs_->FileExists(Path("nope")));
  EXPECT_THAT(fs_->ReadFile(Path("nope")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  EXPECT_THAT(fs_->NewRandomAccessFile(Path("nope")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  EXPECT_THAT(fs_->FileSize(Path("nope")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  EXPECT_THAT(fs_->DeleteFile(Path("nope")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nope")));
  EXPECT_THAT(fs_->NewWritableFile(Path("nodir/x")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nodir")));
  EXPECT_THAT(fs_->ListDir(Path("nodir")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("nodir")));
}

TEST_P(FileSystemTest, ListRenameDeleteTruncate) {
  Write(Path("a"), "aaaa");
  Write(Path("b"), "bb");
  KS_ASSERT_OK(fs_->CreateDir(Path("sub")));
  KS_ASSERT_OK(fs_->CreateDir(Path("sub")));  // ok if it exists
  KS_ASSERT_OK_AND_ASSIGN(auto names, fs_->ListDir(dir_));
  EXPECT_THAT(names, UnorderedElementsAre("a", "b", "sub"));

  KS_ASSERT_OK(fs_->RenameFile(Path("a"), Path("b")));  // replaces b
  EXPECT_FALSE(fs_->FileExists(Path("a")));
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path("b")));
  EXPECT_EQ(contents, "aaaa");

  KS_ASSERT_OK(fs_->TruncateFile(Path("b"), 1));
  KS_ASSERT_OK_AND_ASSIGN(contents, fs_->ReadFile(Path("b")));
  EXPECT_EQ(contents, "a");

  KS_ASSERT_OK(fs_->DeleteFile(Path("b")));
  KS_ASSERT_OK_AND_ASSIGN(names, fs_->ListDir(dir_));
  EXPECT_THAT(names, UnorderedElementsAre("sub"));
  KS_EXPECT_OK(fs_->SyncDir(dir_));
  EXPECT_TRUE(fs_->FileExists(Path("sub")));
}

TEST_P(FileSystemTest, LockIsExclusiveWithinTheProcess) {
  KS_ASSERT_OK_AND_ASSIGN(auto lock, fs_->LockFile(Path("LOCK")));
  EXPECT_TRUE(fs_->FileExists(Path("LOCK")));
  EXPECT_THAT(fs_->LockFile(Path("LOCK")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("held by another process or handle")));
  KS_ASSERT_OK_AND_ASSIGN(auto other, fs_->LockFile(Path("OTHER")));
  lock.reset();
  KS_ASSERT_OK_AND_ASSIGN(auto again, fs_->LockFile(Path("LOCK")));
}

INSTANTIATE_TEST_SUITE_P(All, FileSystemTest,
                         ::testing::Values(Kind::kPosix, Kind::kMem),
                         [](const auto& param_info) {
                           return param_info.param == Kind::kPosix ? "Posix"
                                                                   : "Mem";
                         });

TEST(PosixFileSystemTest, DefaultFileSystemIsOneInstance) {
  EXPECT_EQ(DefaultFileSystem(), DefaultFileSystem());
}

TEST(PosixFileSystemTest, ErrnoErrorsNameTheOperationAndPath) {
  EXPECT_THAT(DefaultFileSystem()->ReadFile("/nonexistent-kstone/x"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("open /nonexistent-kstone/x")));
}

TEST(MemFileSystemTest, OpenReaderSeesLaterAppendsAndOutlivesDelete) {
  auto fs = NewMemFileSystem();
  KS_ASSERT_OK_AND_ASSIGN(auto writer, fs->NewWritableFile("f"));
  KS_ASSERT_OK(writer->Append("abc"));
  KS_ASSERT_OK_AND_ASSIGN(auto reader, fs->NewRandomAccessFile("f"));
  KS_ASSERT_OK(writer->Append("def"));
  KS_ASSERT_OK(fs->DeleteFile("f"));
  char scratch[8];
  std::string_view got;
  KS_ASSERT_OK(reader->Read(0, 6, &got, scratch));
  EXPECT_EQ(got, "abcdef");
}

}  // namespace
}  // namespace kstone::core
