// SST builder and reader on MemFileSystem: format details the conformance
// suite does not see, and corruption (every flipped byte and every truncation
// is DataLoss naming the file, at open or on read).

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block_cache.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class SstTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = NewMemFileSystem();
    KS_ASSERT_OK(fs_->CreateDir("/db"));
  }

  std::string Path(uint64_t number) {
    return absl::StrCat("/db/", SstFileName(number));
  }

  // Writes table `number` with `n` keys, two versions each.
  TableMeta Write(uint64_t number, int n, uint64_t block_size = 256) {
    SstBuilderOptions options;
    options.block_size = block_size;
    auto builder = SstBuilder::Create(fs_.get(), "/db", number, options);
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
    return SstReader::Open(fs_.get(), Path(number), number, std::move(cache));
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

  std::unique_ptr<FileSystem> fs_;
};

TEST_F(SstTest, MetaAndFileSize) {
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

TEST_F(SstTest, KeysArePrefixCompressed) {
  // 200 records with 100-byte keys sharing a 90-byte prefix: the file must be
  // far smaller than the raw keys.
  SstBuilderOptions options;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs_.get(), "/db", 2, options));
  std::string prefix(90, 'p');
  for (int i = 0; i < 200; ++i) {
    KS_ASSERT_OK(builder->Add(
        {absl::StrCat(prefix, 1000000000 + i), 1, RecordType::kValue, "v"}));
  }
  KS_ASSERT_OK_AND_ASSIGN(TableMeta meta, builder->Finish());
  EXPECT_LT(meta.bytes, 200u * 100 / 3);
}

TEST_F(SstTest, LargeValuesSpanTheirOwnBlocks) {
  SstBuilderOptions options;
  options.block_size = 4096;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs_.get(), "/db", 3, options));
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

TEST_F(SstTest, AbandonDeletesThePartialFile) {
  SstBuilderOptions options;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs_.get(), "/db", 4, options));
  KS_ASSERT_OK(builder->Add({"a", 1, RecordType::kValue, "v"}));
  EXPECT_TRUE(fs_->FileExists(Path(4)));
  builder->Abandon();
  EXPECT_FALSE(fs_->FileExists(Path(4)));
  EXPECT_THAT(builder->Add({"b", 1, RecordType::kValue, "v"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

TEST_F(SstTest, DestroyingAnUnfinishedBuilderDeletesTheFile) {
  {
    SstBuilderOptions options;
    KS_ASSERT_OK_AND_ASSIGN(auto builder,
                            SstBuilder::Create(fs_.get(), "/db", 5, options));
    KS_ASSERT_OK(builder->Add({"a", 1, RecordType::kValue, "v"}));
  }
  EXPECT_FALSE(fs_->FileExists(Path(5)));
}

TEST_F(SstTest, SeqAbove56BitsIsInvalidArgument) {
  SstBuilderOptions options;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs_.get(), "/db", 6, options));
  EXPECT_THAT(builder->Add({"a", uint64_t{1} << 56, RecordType::kValue, "v"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2^56")));
  KS_EXPECT_OK(builder->Add({"a", kSstMaxSeq, RecordType::kValue, "v"}));
}

TEST_F(SstTest, WrongTableNumberIsDataLoss) {
  Write(7, 10);
  EXPECT_THAT(SstReader::Open(fs_.get(), Path(7), 8, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("table 7")));
}

TEST_F(SstTest, FlippedByteInDataBlockIsDataLossOnRead) {
  Write(1, 100);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  contents[10] ^= 0x40;  // inside the first data block
  Overwrite(Path(1), contents);
  KS_ASSERT_OK_AND_ASSIGN(auto reader, Open(1));  // footer, index intact
  EXPECT_THAT(reader->Get("key10000"),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr(Path(1)), HasSubstr("offset 0"),
                             HasSubstr("checksum"))));
  auto it = reader->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_THAT(it->status(),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr(Path(1))));
  // Other blocks still read.
  KS_ASSERT_OK_AND_ASSIGN(auto got, reader->Get("key10099"));
  EXPECT_TRUE(got.has_value());
}

TEST_F(SstTest, FlippedByteInFooterIsDataLossOnOpen) {
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

TEST_F(SstTest, FlippedByteInIndexIsDataLossOnOpen) {
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

TEST_F(SstTest, EveryFlippedByteIsDetected) {
  constexpr int kKeys = 30;
  Write(1, kKeys);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  for (size_t i = 0; i < contents.size(); ++i) {
    std::string bad = contents;
    bad[i] ^= static_cast<char>(1 << (i % 8));
    Overwrite(Path(1), bad);
    absl::Status status = OpenAndReadAll(1, kKeys);
    EXPECT_THAT(status,
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(Path(1))))
        << "byte " << i << " of " << contents.size();
  }
}

TEST_F(SstTest, TruncatedFileIsDataLossOnOpen) {
  Write(1, 30);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  for (size_t len = 0; len < contents.size(); len += 7) {
    Overwrite(Path(1), contents.substr(0, len));
    EXPECT_THAT(Open(1),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr(Path(1))))
        << "length " << len;
  }
}

TEST_F(SstTest, RandomGarbageNeverCrashes) {
  uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed=", seed));
  std::mt19937_64 rng(seed);
  Write(1, 30);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  for (int round = 0; round < 300; ++round) {
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

}  // namespace
}  // namespace kstone::core
