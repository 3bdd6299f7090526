// SST builder and reader: format details the conformance suite does not
// see, and corruption (every flipped byte and every truncation is DataLoss
// naming the file, at open or on read). Each test runs three ways: on
// MemFileSystem (which cannot map: pread through the block cache), and on
// the POSIX file system with the file read by pread or mapped.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block_cache.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/posix_file_system.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/storage/disk/sst_test_dir.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

using Mode = SstReadMode;

std::string ModeName(const ::testing::TestParamInfo<Mode>& info) {
  return SstReadModeName(info.param);
}

class SstTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override { MakeSstTestDir(GetParam(), &fs_, &dir_, &scratch_); }

  std::string Path(uint64_t number) {
    return absl::StrCat(dir_, "/", SstFileName(number));
  }
  bool map_file() const { return GetParam() == Mode::kPosixMapped; }

  // Writes table `number` with `n` keys, two versions each.
  TableMeta Write(uint64_t number, int n, uint64_t block_size = 256) {
    SstBuilderOptions options;
    options.block_size = block_size;
    auto builder = SstBuilder::Create(fs_.get(), dir_, number, options);
    EXPECT_TRUE(builder.ok()) << builder.status();
    if (!builder.ok()) return {};
    for (int i = 0; i < n; ++i) {
      std::string key = absl::StrCat("key", 10000 + i);
      EXPECT_TRUE(
          (*builder)->Add({key, 20, RecordType::kValue, Value(i)}).ok());
      EXPECT_TRUE((*builder)->Add({key, 10, RecordType::kDeletion, ""}).ok());
    }
    auto meta = (*builder)->Finish();
    EXPECT_TRUE(meta.ok()) << meta.status();
    return meta.ok() ? *meta : TableMeta{};
  }
  static std::string Value(int i) { return absl::StrCat("value-", i, "-xyz"); }

  absl::StatusOr<std::shared_ptr<const SstReader>> Open(
      uint64_t number, std::shared_ptr<BlockCache> cache = nullptr) {
    auto reader = SstReader::Open(fs_.get(), Path(number), number,
                                  std::move(cache), map_file());
    if (reader.ok()) {
      EXPECT_EQ((*reader)->mapped(), map_file());
    }
    return reader;
  }

  void Overwrite(const std::string& path, const std::string& contents) {
    KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewWritableFile(path));
    KS_ASSERT_OK(file->Append(contents));
    KS_ASSERT_OK(file->Close());
  }

  // Opens the table and reads everything (scan both ways, Get every key).
  // Returns the first error.
  absl::Status OpenAndReadAll(uint64_t number, int n) {
    auto reader = Open(number);
    if (!reader.ok()) return reader.status();
    auto it = (*reader)->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
    }
    if (!it->status().ok()) return it->status();
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
    }
    if (!it->status().ok()) return it->status();
    for (int i = 0; i < n; ++i) {
      auto got = (*reader)->Get(absl::StrCat("key", 10000 + i));
      if (!got.ok()) return got.status();
      if (!got->has_value() || (*got)->value != Value(i)) {
        return absl::InternalError(absl::StrCat("key ", i, " read wrongly"));
      }
    }
    return absl::OkStatus();
  }

  std::optional<::kstone::testing::ScratchDir> scratch_;  // POSIX only
  std::unique_ptr<FileSystem> fs_;
  std::string dir_;
};

TEST_P(SstTest, MetaAndFileSize) {
  TableMeta meta = Write(1, 100);
  EXPECT_EQ(meta.entries, 200u);
  EXPECT_EQ(meta.min_seq, 10u);
  EXPECT_EQ(meta.max_seq, 20u);
  EXPECT_EQ(meta.smallest_key, "key10000");
  EXPECT_EQ(meta.largest_key, "key10099");
  KS_ASSERT_OK_AND_ASSIGN(uint64_t size, fs_->FileSize(Path(1)));
  EXPECT_EQ(meta.bytes, size);
  KS_ASSERT_OK_AND_ASSIGN(auto reader, Open(1));
  EXPECT_EQ(reader->meta().bytes, size);
  EXPECT_EQ(reader->meta().entries, 200u);
  EXPECT_EQ(reader->meta().largest_key, "key10099");
}

TEST_P(SstTest, KeysArePrefixCompressed) {
  // 200 records with 100-byte keys sharing a 90-byte prefix: the file must be
  // far smaller than the raw keys.
  SstBuilderOptions options;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs_.get(), dir_, 2, options));
  std::string prefix(90, 'p');
  for (int i = 0; i < 200; ++i) {
    KS_ASSERT_OK(builder->Add(
        {absl::StrCat(prefix, 1000000000 + i), 1, RecordType::kValue, "v"}));
  }
  KS_ASSERT_OK_AND_ASSIGN(TableMeta meta, builder->Finish());
  EXPECT_LT(meta.bytes, 200u * 100 / 3);
}

TEST_P(SstTest, LargeValuesSpanTheirOwnBlocks) {
  SstBuilderOptions options;
  options.block_size = 4096;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs_.get(), dir_, 3, options));
  std::vector<std::string> values;
  for (int i = 0; i < 5; ++i) {
    values.push_back(std::string(400 * 1024, static_cast<char>('a' + i)));
    KS_ASSERT_OK(builder->Add(
        {absl::StrCat("k", i), 1, RecordType::kValue, values.back()}));
  }
  KS_ASSERT_OK(builder->Finish().status());
  KS_ASSERT_OK_AND_ASSIGN(auto reader, Open(3));
  for (int i = 0; i < 5; ++i) {
    KS_ASSERT_OK_AND_ASSIGN(auto got, reader->Get(absl::StrCat("k", i)));
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(got->value == values[i]);
  }
}

TEST_P(SstTest, AbandonDeletesThePartialFile) {
  SstBuilderOptions options;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs_.get(), dir_, 4, options));
  KS_ASSERT_OK(builder->Add({"a", 1, RecordType::kValue, "v"}));
  EXPECT_TRUE(fs_->FileExists(Path(4)));
  builder->Abandon();
  EXPECT_FALSE(fs_->FileExists(Path(4)));
  EXPECT_THAT(builder->Add({"b", 1, RecordType::kValue, "v"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

TEST_P(SstTest, DestroyingAnUnfinishedBuilderDeletesTheFile) {
  {
    SstBuilderOptions options;
    KS_ASSERT_OK_AND_ASSIGN(auto builder,
                            SstBuilder::Create(fs_.get(), dir_, 5, options));
    KS_ASSERT_OK(builder->Add({"a", 1, RecordType::kValue, "v"}));
  }
  EXPECT_FALSE(fs_->FileExists(Path(5)));
}

TEST_P(SstTest, SeqAbove56BitsIsInvalidArgument) {
  SstBuilderOptions options;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs_.get(), dir_, 6, options));
  EXPECT_THAT(builder->Add({"a", uint64_t{1} << 56, RecordType::kValue, "v"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2^56")));
  KS_EXPECT_OK(builder->Add({"a", kSstMaxSeq, RecordType::kValue, "v"}));
}

TEST_P(SstTest, WrongTableNumberIsDataLoss) {
  Write(7, 10);
  EXPECT_THAT(SstReader::Open(fs_.get(), Path(7), 8, nullptr, map_file()),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("table 7")));
}

TEST_P(SstTest, FlippedByteInDataBlockIsDataLossOnEveryRead) {
  Write(1, 100);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  contents[10] ^= 0x40;  // inside the first data block
  Overwrite(Path(1), contents);
  KS_ASSERT_OK_AND_ASSIGN(auto reader, Open(1));  // footer, index intact
  EXPECT_EQ(reader->mapped(), map_file());
  // Twice: a mapped table remembers verified blocks, and a block that failed
  // must not be remembered as verified.
  for (int round = 0; round < 2; ++round) {
    EXPECT_THAT(reader->Get("key10000"),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr(Path(1)), HasSubstr("offset 0"),
                               HasSubstr("checksum"))));
    auto it = reader->NewIterator();
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_THAT(it->status(),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(Path(1))));
  }
  // Other blocks still read (and, once verified, read again).
  for (int round = 0; round < 2; ++round) {
    KS_ASSERT_OK_AND_ASSIGN(auto got, reader->Get("key10099"));
    EXPECT_TRUE(got.has_value());
  }
}

TEST_P(SstTest, VerifyDataNowChecksEveryDataBlockAtOpen) {
  const TableMeta meta = Write(1, 100);
  // An intact table opens and reads.
  {
    KS_ASSERT_OK_AND_ASSIGN(
        auto reader, SstReader::Open(fs_.get(), Path(1), 1, nullptr, map_file(),
                                     /*verify_data_now=*/true));
    KS_ASSERT_OK_AND_ASSIGN(auto got, reader->Get("key10099"));
    EXPECT_TRUE(got.has_value());
  }
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  // The first data block, and one in the middle of the data.
  ASSERT_GT(meta.bytes, 1000u);
  for (size_t byte : {size_t{10}, static_cast<size_t>(meta.bytes / 2)}) {
    SCOPED_TRACE(byte);
    std::string bad = contents;
    bad[byte] ^= 0x40;
    Overwrite(Path(1), bad);
    // Without the flag a mapped table opens and fails on first use.
    KS_EXPECT_OK(
        SstReader::Open(fs_.get(), Path(1), 1, nullptr, map_file()).status());
    auto opened = SstReader::Open(fs_.get(), Path(1), 1, nullptr, map_file(),
                                  /*verify_data_now=*/true);
    if (map_file()) {
      EXPECT_THAT(
          opened.status(),
          StatusIs(absl::StatusCode::kDataLoss,
                   AllOf(HasSubstr(Path(1)),
                         HasSubstr("checksum mismatch in data block"))));
    } else {
      // pread tables verify each block as they read it, flag or not.
      KS_EXPECT_OK(opened.status());
    }
  }
}

TEST_P(SstTest, FlippedByteInFooterIsDataLossOnOpen) {
  Write(1, 100);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  for (size_t back : {size_t{1}, size_t{9}, size_t{13}, size_t{40}}) {
    std::string bad = contents;
    bad[bad.size() - back] ^= 0x01;
    Overwrite(Path(1), bad);
    EXPECT_THAT(Open(1),
                StatusIs(absl::StatusCode::kDataLoss,
                         AllOf(HasSubstr(Path(1)), HasSubstr("footer"))))
        << back;
  }
}

TEST_P(SstTest, FlippedByteInIndexIsDataLossOnOpen) {
  TableMeta meta = Write(1, 100);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  // The index block ends just before the footer's trailer.
  size_t index_byte = meta.bytes - kSstFooterSize - kBlockTrailerSize - 3;
  contents[index_byte] ^= 0x01;
  Overwrite(Path(1), contents);
  EXPECT_THAT(Open(1),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(Path(1)), HasSubstr("index block"))));
}

TEST_P(SstTest, EveryFlippedByteIsDetected) {
  constexpr int kKeys = 30;
  Write(1, kKeys);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  // Every byte in memory; every 5th on a real file system (file I/O).
  const size_t step = GetParam() == Mode::kMem ? 1 : 5;
  for (size_t i = 0; i < contents.size(); i += step) {
    std::string bad = contents;
    bad[i] ^= static_cast<char>(1 << (i % 8));
    Overwrite(Path(1), bad);
    absl::Status status = OpenAndReadAll(1, kKeys);
    EXPECT_THAT(status,
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(Path(1))))
        << "byte " << i << " of " << contents.size();
  }
}

TEST_P(SstTest, TruncatedFileIsDataLossOnOpen) {
  Write(1, 30);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  for (size_t len = 0; len < contents.size(); len += 7) {
    Overwrite(Path(1), contents.substr(0, len));
    EXPECT_THAT(Open(1),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(Path(1))))
        << "length " << len;
  }
}

TEST_P(SstTest, RandomGarbageNeverCrashes) {
  uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed=", seed));
  std::mt19937_64 rng(seed);
  Write(1, 30);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  const int rounds = GetParam() == Mode::kMem ? 300 : 100;
  for (int round = 0; round < rounds; ++round) {
    std::string bad = contents;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = char(rng());
    Overwrite(Path(1), bad);
    // Any outcome but a crash is fine; errors must be DataLoss.
    absl::Status status = OpenAndReadAll(1, 30);
    if (!status.ok() && status.code() != absl::StatusCode::kInternal) {
      EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllModes, SstTest,
                         ::testing::Values(Mode::kMem, Mode::kPosixPread,
                                           Mode::kPosixMapped),
                         ModeName);

}  // namespace
}  // namespace kstone::core
