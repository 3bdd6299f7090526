// SST format versions: new tables are version 2 (data blocks with a hash
// index); a version-1 table, whose bytes (written by the version-1 builder,
// main at 2ca6d06) are pinned below, is still read, and
// `format_version = 1` still writes exactly those bytes; other versions are
// refused.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "core/util/coding.h"
#include "core/util/hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

// Four keys, two versions each (a value at seq 20, a deletion at seq 10),
// 64-byte blocks.
void BuildSmallTable(FileSystem* fs, const SstBuilderOptions& options) {
  auto builder = SstBuilder::Create(fs, "/db", 7, options);
  ASSERT_TRUE(builder.ok()) << builder.status();
  for (int i = 0; i < 4; ++i) {
    const std::string key = absl::StrCat("key", 100 + i);
    KS_ASSERT_OK((*builder)->Add(
        {key, 20, RecordType::kValue, absl::StrCat("value-", i)}));
    KS_ASSERT_OK((*builder)->Add({key, 10, RecordType::kDeletion, ""}));
  }
  KS_ASSERT_OK((*builder)->Finish().status());
}

std::string ReadAll(FileSystem* fs, const std::string& path) {
  auto file = fs->NewRandomAccessFile(path);
  EXPECT_TRUE(file.ok()) << file.status();
  if (!file.ok()) return "";
  std::string scratch((*file)->size(), '\0');
  std::string_view result;
  EXPECT_TRUE((*file)->Read(0, scratch.size(), &result, scratch.data()).ok());
  return std::string(result);
}

// The table BuildSmallTable writes with format_version = 1, as written by
// the version-1 builder.
const char kVersion1Hex[] =
    "0006096b6579313030812876616c75652d30060002801405010931812876616c"
    "75652d31060002801405010932812876616c75652d3206000280140000000001"
    "000000001f8cae870006096b6579313033812876616c75652d33060002801400"
    "0000000100000000618a280090a80219865241450600263d334c07080a14066b"
    "6579313030066b657931303300d6d6782c0006026b657931303200430006026b"
    "6579313033481f000000000b0000000200000000d41da4449100000000000000"
    "22000000000000006c0000000000000009000000000000007a00000000000000"
    "120000000000000001000000fd5eccef544f4e4553535354";

class SstFormatVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = NewMemFileSystem();
    KS_ASSERT_OK(fs_->CreateDir("/db"));
  }
  void WriteFile(const std::string& bytes) {
    KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewWritableFile(path_));
    KS_ASSERT_OK(file->Append(bytes));
    KS_ASSERT_OK(file->Close());
  }

  std::unique_ptr<FileSystem> fs_;
  const std::string path_ = "/db/" + SstFileName(7);
};

TEST_F(SstFormatVersionTest, TheBuilderStillWritesVersion1Bytes) {
  SstBuilderOptions options;
  options.block_size = 64;
  options.format_version = 1;
  BuildSmallTable(fs_.get(), options);
  EXPECT_EQ(absl::BytesToHexString(ReadAll(fs_.get(), path_)),
            std::string(kVersion1Hex));
}

TEST_F(SstFormatVersionTest, AVersion1TableIsRead) {
  WriteFile(absl::HexStringToBytes(kVersion1Hex));
  KS_ASSERT_OK_AND_ASSIGN(auto reader,
                          SstReader::Open(fs_.get(), path_, 7, nullptr));
  EXPECT_EQ(reader->data_block_format(), Block::Format::kPlain);
  for (int i = 0; i < 4; ++i) {
    KS_ASSERT_OK_AND_ASSIGN(auto got,
                            reader->Get(absl::StrCat("key", 100 + i)));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->seq, 20u);
    EXPECT_EQ(got->value, absl::StrCat("value-", i));
  }
  KS_ASSERT_OK_AND_ASSIGN(auto missing, reader->Get("key099"));
  EXPECT_FALSE(missing.has_value());
  auto it = reader->NewIterator();
  int records = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++records;
  KS_EXPECT_OK(it->status());
  EXPECT_EQ(records, 8);
}

TEST_F(SstFormatVersionTest, NewTablesAreVersion2WithHashIndexedBlocks) {
  SstBuilderOptions options;
  options.block_size = 64;
  BuildSmallTable(fs_.get(), options);
  const std::string bytes = ReadAll(fs_.get(), path_);
  SstFooter footer;
  ASSERT_EQ(DecodeSstFooter(
                std::string_view(bytes).substr(bytes.size() - kSstFooterSize),
                &footer),
            FooterError::kOk);
  EXPECT_EQ(footer.version, 2u);
  KS_ASSERT_OK_AND_ASSIGN(auto reader,
                          SstReader::Open(fs_.get(), path_, 7, nullptr));
  EXPECT_EQ(reader->data_block_format(), Block::Format::kMayHaveHashIndex);
  // The first data block (its handle is the index's first entry).
  BlockIterator index(reader->index_block());
  index.SeekToFirst();
  ASSERT_TRUE(index.Valid());
  std::string_view encoded = index.value();
  BlockHandle handle;
  ASSERT_TRUE(DecodeBlockHandle(&encoded, &handle));
  KS_ASSERT_OK_AND_ASSIGN(auto block, reader->ReadDataBlock(handle));
  EXPECT_TRUE(block->has_hash_index());
}

TEST_F(SstFormatVersionTest, AHashIndexInAVersion1TableIsDataLoss) {
  // Set the hash index flag in the first data block's last fixed32 (its
  // restart count) and fix the block's checksum: a version-1 reader never
  // looks for an index, so this is a malformed block.
  std::string bytes = absl::HexStringToBytes(kVersion1Hex);
  WriteFile(bytes);
  BlockHandle first;
  {
    KS_ASSERT_OK_AND_ASSIGN(auto reader,
                            SstReader::Open(fs_.get(), path_, 7, nullptr));
    BlockIterator index(reader->index_block());
    index.SeekToFirst();
    ASSERT_TRUE(index.Valid());
    std::string_view encoded = index.value();
    ASSERT_TRUE(DecodeBlockHandle(&encoded, &first));
  }
  char* count = bytes.data() + first.offset + first.size - 4;
  EncodeFixed32(count, DecodeFixed32(count) | (uint32_t{1} << 31));
  EncodeFixed32(
      bytes.data() + first.offset + first.size + 1,
      BlockChecksum(std::string_view(bytes.data() + first.offset, first.size),
                    BlockCompression::kNone));
  WriteFile(bytes);
  KS_ASSERT_OK_AND_ASSIGN(auto reader,
                          SstReader::Open(fs_.get(), path_, 7, nullptr));
  EXPECT_THAT(
      reader->Get("key100").status(),
      kstone::testing::StatusIs(absl::StatusCode::kDataLoss,
                                ::testing::HasSubstr("malformed data block")));
}

TEST_F(SstFormatVersionTest, UnknownVersionsAreRefused) {
  SstBuilderOptions options;
  options.format_version = 3;
  EXPECT_EQ(SstBuilder::Create(fs_.get(), "/db", 7, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (uint32_t version : {0u, 3u}) {
    std::string bytes = absl::HexStringToBytes(kVersion1Hex);
    char* footer = bytes.data() + bytes.size() - kSstFooterSize;
    EncodeFixed32(footer + 48, version);
    EncodeFixed32(footer + 52, Checksum32(std::string_view(footer, 52)));
    WriteFile(bytes);
    EXPECT_THAT(SstReader::Open(fs_.get(), path_, 7, nullptr).status(),
                kstone::testing::StatusIs(
                    absl::StatusCode::kDataLoss,
                    ::testing::HasSubstr(
                        absl::StrCat("unsupported format version ", version))));
  }
  // A version from the future says so, rather than only "unsupported".
  EXPECT_THAT(SstReader::Open(fs_.get(), path_, 7, nullptr).status(),
              kstone::testing::StatusIs(
                  absl::StatusCode::kDataLoss,
                  ::testing::HasSubstr("a newer kstone may have written it")));
}

}  // namespace
}  // namespace kstone::core
