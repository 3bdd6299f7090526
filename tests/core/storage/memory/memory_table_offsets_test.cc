// The memory table's record layout: uint16 offsets within blocks of 32
// records (wide blocks of uint32 offsets where records span more than
// 64 KiB) and sequence numbers stored relative to the table's smallest.
// Randomized against a model, with records of every size up to 400 KB.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/storage/memory/memory_table.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

struct ModelRecord {
  std::string key;
  uint64_t seq;
  RecordType type;
  std::string value;
};

std::string ValueOf(size_t size, uint64_t tag) {
  std::string value(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    value[i] = static_cast<char>('a' + (tag + i * 7) % 26);
  }
  return value;
}

// Builds a table of `records` (in table order) and checks every way of
// reading it against them.
void BuildAndCheck(const std::vector<ModelRecord>& records) {
  MemoryTableBuilder builder(7, 10);
  for (const ModelRecord& r : records) {
    KS_ASSERT_OK(builder.Add({r.key, r.seq, r.type, r.value}));
  }
  KS_ASSERT_OK_AND_ASSIGN(auto table, builder.FinishTable());
  ASSERT_EQ(table->size(), records.size());
  uint64_t min_seq = UINT64_MAX, max_seq = 0;
  for (const ModelRecord& r : records) {
    min_seq = std::min(min_seq, r.seq);
    max_seq = std::max(max_seq, r.seq);
  }
  EXPECT_EQ(table->meta().min_seq, min_seq);
  EXPECT_EQ(table->meta().max_seq, max_seq);
  std::string key;
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordView r = table->RecordAt(i, &key);
    ASSERT_EQ(r.key, records[i].key) << "record " << i;
    ASSERT_EQ(r.seq, records[i].seq) << "record " << i;
    ASSERT_EQ(r.type, records[i].type) << "record " << i;
    ASSERT_EQ(r.value.size(), records[i].value.size()) << "record " << i;
    ASSERT_TRUE(r.value == records[i].value) << "record " << i;
    // The newest version of each key is what Get finds.
    if (i == 0 || records[i - 1].key != records[i].key) {
      KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get(records[i].key));
      ASSERT_TRUE(got.has_value()) << "record " << i;
      EXPECT_EQ(got->seq, records[i].seq) << "record " << i;
      EXPECT_EQ(got->type, records[i].type) << "record " << i;
      EXPECT_TRUE(got->value == records[i].value) << "record " << i;
      EXPECT_EQ(table->LowerBound(records[i].key), i);
    }
  }
  // Forward and backward iteration see every record in order.
  auto it = table->NewIterator();
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) {
    ASSERT_LT(n, records.size());
    ASSERT_EQ(it->record().key, records[n].key);
    ASSERT_EQ(it->record().seq, records[n].seq);
  }
  EXPECT_EQ(n, records.size());
  n = records.size();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    ASSERT_GT(n, 0u);
    --n;
    ASSERT_EQ(it->record().key, records[n].key);
    ASSERT_TRUE(it->record().value == records[n].value);
  }
  EXPECT_EQ(n, 0u);
}

// Value sizes from empty to 400 KB: mostly small, some around the 64 KiB
// a block of 16-bit offsets spans, a few far beyond it.
size_t RandomValueSize(std::mt19937_64& rng) {
  switch (rng() % 10) {
    case 0:
      return rng() % (400 * 1000 + 1);
    case 1:
      return 60 * 1024 + rng() % (8 * 1024);
    case 2:
    case 3:
      return rng() % 5000;
    default:
      return rng() % 200;
  }
}

TEST(MemoryTableOffsetsTest, RandomRecordSizesUpTo400KB) {
  for (const uint64_t seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    std::mt19937_64 rng(seed);
    // Sequence numbers from a random base, some far above it (up to the
    // largest a record may carry), keys with several versions.
    const uint64_t base = rng() % 2 == 0 ? 0 : rng() % (uint64_t{1} << 40);
    std::vector<ModelRecord> records;
    const int keys = 150 + static_cast<int>(rng() % 150);
    for (int k = 0; k < keys; ++k) {
      const int versions = rng() % 8 == 0 ? 1 + static_cast<int>(rng() % 3) : 1;
      std::vector<uint64_t> seqs;
      for (int v = 0; v < versions; ++v) {
        uint64_t seq = base + rng() % 1000000;
        if (rng() % 50 == 0) seq = MemoryTable::kMaxSeq - rng() % 1000;
        seqs.push_back(seq);
      }
      std::sort(seqs.rbegin(), seqs.rend());
      seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
      for (uint64_t seq : seqs) {
        const RecordType type =
            rng() % 6 == 0 ? RecordType::kDeletion : RecordType::kValue;
        records.push_back({absl::StrFormat("key%08d", k), seq, type,
                           type == RecordType::kDeletion
                               ? std::string()
                               : ValueOf(RandomValueSize(rng), seq)});
      }
    }
    BuildAndCheck(records);
  }
}

// Blocks whose records end exactly at, just before and just after 64 KiB
// from the block's start, and a block that turns wide at its last record.
TEST(MemoryTableOffsetsTest, BlocksAroundTheSixteenBitLimit) {
  for (const size_t first : {65535 - 40, 65536 - 40, 65537 - 40, 30000}) {
    SCOPED_TRACE(absl::StrCat("first value ", first));
    std::vector<ModelRecord> records;
    for (int i = 0; i < 100; ++i) {
      size_t size = i % 32 == 0 ? first : 10;
      if (i == 63) size = 70000;  // record 64 starts a new block anyway
      if (i == 94) size = 40000;  // record 95: the block's last record
      records.push_back({absl::StrFormat("k%05d", i), uint64_t(1000 + i),
                         RecordType::kValue, ValueOf(size, i)});
    }
    BuildAndCheck(records);
  }
}

TEST(MemoryTableOffsetsTest, RejectsUnknownRecordType) {
  MemoryTableBuilder builder(3, 10);
  absl::Status s =
      builder.Add({"k", 1, static_cast<RecordType>(2), std::string("v")});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

}  // namespace
}  // namespace kstone::core
