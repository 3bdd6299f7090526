#include "core/storage/disk/wal_reader.h"

#include <memory>
#include <string>
#include <vector>

#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/wal_format.h"
#include "core/util/coding.h"
#include "core/util/hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::wal {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

class WalReaderTest : public ::testing::Test {
 protected:
  // Writes `bytes` as the file and reads it back.
  LogFileEnd Read(const std::string& bytes, LogKind kind = LogKind::kWal) {
    {
      auto file = fs_->NewWritableFile("f");
      EXPECT_TRUE(file.ok());
      EXPECT_TRUE((*file)->Append(bytes).ok());
    }
    records_.clear();
    offsets_.clear();
    absl::StatusOr<LogFileEnd> end =
        ReadLogFile(fs_.get(), "f", kind,
                    [this](std::string_view payload, uint64_t offset) {
                      records_.emplace_back(payload);
                      offsets_.push_back(offset);
                      return absl::OkStatus();
                    });
    EXPECT_TRUE(end.ok()) << end.status();
    return end.ok() ? *end : LogFileEnd();
  }

  static std::string Log(const std::vector<std::string>& payloads) {
    std::string bytes;
    AppendFileHeader(LogKind::kWal, &bytes);
    for (const std::string& p : payloads) {
      AppendRecord(kWalBatchRecord, p, &bytes);
    }
    return bytes;
  }

  std::unique_ptr<FileSystem> fs_ = NewMemFileSystem();
  std::vector<std::string> records_;
  std::vector<uint64_t> offsets_;
};

TEST_F(WalReaderTest, EmptyAndHeaderOnlyFilesAreClean) {
  EXPECT_TRUE(Read("").clean);
  LogFileEnd end = Read(Log({}));
  EXPECT_TRUE(end.clean);
  EXPECT_EQ(end.valid_bytes, kFileHeaderSize);
}

TEST_F(WalReaderTest, ReadsRecordsWithOffsets) {
  const LogFileEnd end = Read(Log({"a", "", std::string(3 << 20, 'z')}));
  EXPECT_TRUE(end.clean);
  ASSERT_EQ(records_.size(), 3u);
  EXPECT_EQ(records_[0], "a");
  EXPECT_EQ(records_[1], "");
  EXPECT_EQ(records_[2].size(), 3u << 20);
  EXPECT_EQ(offsets_, std::vector<uint64_t>({16, 26, 35}));
  EXPECT_EQ(end.valid_bytes, end.file_size);
}

TEST_F(WalReaderTest, TruncatedHeaderIsABadRecordAtZero) {
  const LogFileEnd end = Read(Log({}).substr(0, 10));
  EXPECT_FALSE(end.clean);
  EXPECT_EQ(end.valid_bytes, 0u);
  EXPECT_THAT(end.reason, HasSubstr("truncated file header"));
  EXPECT_TRUE(IsTornTail(end, /*newest=*/true));
  EXPECT_FALSE(IsTornTail(end, /*newest=*/false));
}

TEST_F(WalReaderTest, GarbageAfterRecordsIsATornTail) {
  const std::string log = Log({"a", "b"});
  const LogFileEnd end = Read(log + "\x01\x02\x03 not a record at all");
  EXPECT_FALSE(end.clean);
  EXPECT_EQ(end.valid_bytes, log.size());
  EXPECT_FALSE(end.good_record_follows);
  EXPECT_EQ(records_.size(), 2u);
}

TEST_F(WalReaderTest, GoodRecordAfterDamageIsFound) {
  std::string log = Log({"first", "second", "third"});
  log[16 + 9] ^= 1;  // damage "first"
  const LogFileEnd end = Read(log);
  EXPECT_FALSE(end.clean);
  EXPECT_EQ(end.valid_bytes, 16u);
  EXPECT_TRUE(end.good_record_follows);
  EXPECT_FALSE(IsTornTail(end, /*newest=*/true));
  EXPECT_THAT(CorruptionError(LogKind::kWal, "f", end),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("checksum mismatch at offset 16 in f")));
}

TEST_F(WalReaderTest, WrongRecordTypeIsBad) {
  std::string log;
  AppendFileHeader(LogKind::kWal, &log);
  AppendRecord(kManifestEditRecord, "m", &log);
  const LogFileEnd end = Read(log);
  EXPECT_FALSE(end.clean);
  EXPECT_THAT(end.reason, HasSubstr("bad record type 2"));
}

TEST_F(WalReaderTest, ImpossibleLengthsAreBad) {
  std::string log = Log({"abc"});
  EncodeFixed32(log.data() + 16 + 4, kMaxRecordPayload + 1);
  EXPECT_THAT(Read(log).reason, HasSubstr("bad record length"));
  EncodeFixed32(log.data() + 16 + 4, 1000);
  EXPECT_THAT(Read(log).reason, HasSubstr("runs past the end of the file"));
}

TEST_F(WalReaderTest, CallbackErrorStopsReading) {
  {
    auto file = fs_->NewWritableFile("g");
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(Log({"a", "b"})).ok());
  }
  int calls = 0;
  EXPECT_THAT(ReadLogFile(fs_.get(), "g", LogKind::kWal,
                          [&](std::string_view, uint64_t) {
                            ++calls;
                            return absl::AbortedError("enough");
                          }),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("enough")));
  EXPECT_EQ(calls, 1);
}

TEST_F(WalReaderTest, MissingFileIsNotFound) {
  EXPECT_THAT(
      ReadLogFile(fs_.get(), "missing", LogKind::kWal,
                  [](std::string_view, uint64_t) { return absl::OkStatus(); }),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
}

}  // namespace
}  // namespace kstone::core::wal
