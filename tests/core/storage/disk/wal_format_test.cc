#include "core/storage/disk/wal_format.h"

#include <string>

#include "core/util/coding.h"
#include "core/util/hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::wal {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

WriteBatch SampleBatch() {
  WriteBatch batch;
  batch.first_seq = 1ull << 40;
  batch.mutations.push_back({RecordType::kValue, "\x01key", "value"});
  batch.mutations.push_back({RecordType::kDeletion, "\x02gone", ""});
  batch.mutations.push_back({RecordType::kValue, "\x03empty", ""});
  batch.mutations.push_back(
      {RecordType::kValue, std::string(300, 'k'), std::string(70000, 'v')});
  return batch;
}

TEST(WalFormatTest, WriteBatchRoundTrip) {
  const WriteBatch batch = SampleBatch();
  std::string payload;
  EncodeWriteBatch(batch, &payload);
  EXPECT_EQ(payload.size(), EncodedWriteBatchSize(batch));
  WriteBatch decoded;
  KS_ASSERT_OK(DecodeWriteBatch(payload, &decoded));
  EXPECT_EQ(decoded.first_seq, batch.first_seq);
  ASSERT_EQ(decoded.mutations.size(), batch.mutations.size());
  for (size_t i = 0; i < batch.mutations.size(); ++i) {
    EXPECT_EQ(decoded.mutations[i].type, batch.mutations[i].type);
    EXPECT_EQ(decoded.mutations[i].key, batch.mutations[i].key);
    EXPECT_EQ(decoded.mutations[i].value, batch.mutations[i].value);
  }
}

TEST(WalFormatTest, WriteBatchBytesMatchTheSpec) {
  WriteBatch batch;
  batch.first_seq = 300;
  batch.mutations.push_back({RecordType::kValue, "\x01k", "v"});
  batch.mutations.push_back({RecordType::kDeletion, "\x02g", ""});
  std::string payload;
  EncodeWriteBatch(batch, &payload);
  // first_seq 300, count 2, (type 1, "\x01k", "v"), (type 0, "\x02g").
  EXPECT_EQ(payload, std::string("\xac\x02\x02"
                                 "\x01\x02\x01k\x01v"
                                 "\x00\x02\x02g",
                                 13));
}

TEST(WalFormatTest, AppendWalBatchRecordFramesTheEncodedBatch) {
  WriteBatch small;
  small.first_seq = 7;
  small.mutations.push_back({RecordType::kValue, "\x05key", "value"});
  for (const WriteBatch& batch : {SampleBatch(), small}) {
    std::string payload;
    EncodeWriteBatch(batch, &payload);
    std::string expected = "earlier bytes";
    AppendRecord(kWalBatchRecord, payload, &expected);
    std::string record = "earlier bytes";
    AppendWalBatchRecord(batch, EncodedWriteBatchSize(batch), &record);
    EXPECT_EQ(record, expected);
  }
}

TEST(WalFormatTest, EveryTruncationOfABatchIsRejected) {
  std::string payload;
  WriteBatch small;
  small.first_seq = 7;
  small.mutations.push_back({RecordType::kValue, "\x01k", "v"});
  small.mutations.push_back({RecordType::kDeletion, "\x01j", ""});
  EncodeWriteBatch(small, &payload);
  for (size_t size = 0; size < payload.size(); ++size) {
    WriteBatch decoded;
    EXPECT_THAT(DecodeWriteBatch(payload.substr(0, size), &decoded),
                StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_))
        << "size " << size;
  }
}

TEST(WalFormatTest, MalformedBatchesNameTheProblem) {
  WriteBatch decoded;
  std::string empty;
  PutVarint64(&empty, 1);
  PutVarint32(&empty, 0);
  EXPECT_THAT(
      DecodeWriteBatch(empty, &decoded),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no mutations")));

  std::string bad_type;
  PutVarint64(&bad_type, 1);
  PutVarint32(&bad_type, 1);
  bad_type += '\x09';
  PutLengthPrefixed(&bad_type, "k");
  EXPECT_THAT(DecodeWriteBatch(bad_type, &decoded),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown type 9")));

  std::string stray;
  EncodeWriteBatch(SampleBatch(), &stray);
  stray += "xx";
  EXPECT_THAT(
      DecodeWriteBatch(stray, &decoded),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("stray bytes")));

  std::string huge_count;
  PutVarint64(&huge_count, 1);
  PutVarint32(&huge_count, 1u << 30);
  EXPECT_THAT(
      DecodeWriteBatch(huge_count, &decoded),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("exceeds")));
}

TEST(WalFormatTest, RecordLayoutMatchesTheSpec) {
  std::string record;
  AppendRecord(kWalBatchRecord, "payload", &record);
  ASSERT_EQ(record.size(), kRecordHeaderSize + 7);
  EXPECT_EQ(DecodeFixed32(record.data() + 4), 7u);
  EXPECT_EQ(record[8], static_cast<char>(kWalBatchRecord));
  EXPECT_EQ(record.substr(9), "payload");
  // The checksum covers length, type and payload.
  EXPECT_EQ(DecodeFixed32(record.data()),
            Checksum32(std::string_view(record).substr(4)));
}

TEST(WalFormatTest, FileHeaders) {
  std::string wal_header, manifest_header;
  AppendFileHeader(LogKind::kWal, &wal_header);
  AppendFileHeader(LogKind::kManifest, &manifest_header);
  ASSERT_EQ(wal_header.size(), kFileHeaderSize);
  EXPECT_EQ(wal_header.substr(0, 8), kWalMagic);
  EXPECT_TRUE(FileHeaderIntact(LogKind::kWal, wal_header));
  EXPECT_FALSE(FileHeaderIntact(LogKind::kManifest, wal_header));
  KS_EXPECT_OK(CheckFileHeader(LogKind::kManifest, manifest_header, "m"));
  EXPECT_THAT(CheckFileHeader(LogKind::kWal, manifest_header, "x.log"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("x.log")));

  // A future version with a valid checksum is refused, not "repaired".
  std::string v2 = std::string(kWalMagic);
  PutFixed32(&v2, 2);
  PutFixed32(&v2, Checksum32(v2));
  EXPECT_TRUE(FileHeaderIntact(LogKind::kWal, v2));
  EXPECT_THAT(CheckFileHeader(LogKind::kWal, v2, "000003.log"),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("unsupported format version 2")));
}

}  // namespace
}  // namespace kstone::core::wal
