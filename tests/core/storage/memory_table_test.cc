// MemoryTable specifics beyond the table conformance suite: its compact
// layout (footprint per record), offset groups, and iterator lifetime.

#include "core/storage/memory/memory_table.h"

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;

std::string Key(int i) { return absl::StrFormat("user%012d", i); }

std::shared_ptr<const MemoryTable> BuildTable(int n, size_t value_size) {
  MemoryTableBuilder builder(1, 10);
  std::string value(value_size, 'v');
  for (int i = 0; i < n; ++i) {
    absl::Status s = builder.Add({Key(i), 100, RecordType::kValue, value});
    EXPECT_TRUE(s.ok()) << s;
  }
  auto table = builder.FinishTable();
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *table : nullptr;
}

TEST(MemoryTableTest, FootprintIsRecordBytesPlusSmallOverhead) {
  constexpr int kRecords = 100000;
  constexpr size_t kValue = 80;
  auto table = BuildTable(kRecords, kValue);
  ASSERT_NE(table, nullptr);
  double raw = Key(0).size() + kValue;
  double per_record =
      static_cast<double>(table->meta().bytes) / table->meta().entries;
  // Offset 4, tag 3 (varint of 100 << 8), two length bytes, bloom filter
  // 1.25, hash index 5 (4-byte slots at load 0.8).
  EXPECT_LE(per_record, raw + 16) << per_record;
  EXPECT_GE(per_record, raw);
}

TEST(MemoryTableTest, ManyOffsetGroups) {
  constexpr int kRecords = 3 * 4096 + 17;
  auto table = BuildTable(kRecords, 3);
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; i += 97) {
    KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get(Key(i)));
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(got->value, "vvv");
  }
  for (int i : {4095, 4096, 4097, 8191, 8192, kRecords - 1}) {
    EXPECT_EQ(table->RecordAt(i).key, Key(i));
    EXPECT_EQ(table->LowerBound(Key(i)), static_cast<size_t>(i));
    EXPECT_EQ(table->UpperBound(Key(i)), static_cast<size_t>(i) + 1);
  }
  auto it = table->NewIterator();
  int count = 0;
  for (it->SeekToLast(); it->Valid(); it->Prev()) ++count;
  EXPECT_EQ(count, kRecords);
}

TEST(MemoryTableTest, IteratorKeepsTableAlive) {
  auto table = BuildTable(10, 5);
  ASSERT_NE(table, nullptr);
  auto it = table->NewIterator();
  table.reset();
  it->Seek(Key(3));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->record().key, Key(3));
}

TEST(MemoryTableTest, BuilderRejectsUseAfterFinish) {
  MemoryTableBuilder builder(1, 10);
  KS_ASSERT_OK(builder.Add({"a", 1, RecordType::kValue, "v"}));
  KS_ASSERT_OK(builder.Finish().status());
  EXPECT_THAT(builder.Add({"b", 1, RecordType::kValue, "v"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(builder.Finish(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

TEST(MemoryTableTest, SeqAbove56BitsIsInvalidArgument) {
  MemoryTableBuilder builder(1, 10);
  EXPECT_THAT(
      builder.Add({"a", MemoryTable::kMaxSeq + 1, RecordType::kValue, "v"}),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  KS_ASSERT_OK(
      builder.Add({"a", MemoryTable::kMaxSeq, RecordType::kValue, "v"}));
  KS_ASSERT_OK_AND_ASSIGN(auto table, builder.FinishTable());
  EXPECT_EQ(table->RecordAt(0).seq, MemoryTable::kMaxSeq);
}

TEST(MemoryTableTest, PublishAndAbandonCallbacks) {
  std::shared_ptr<const MemoryTable> published;
  int abandoned = 0;
  {
    MemoryTableBuilder builder(
        5, 10,
        [&](std::shared_ptr<const MemoryTable> t) {
          published = std::move(t);
          return absl::OkStatus();
        },
        [&] { ++abandoned; });
    KS_ASSERT_OK(builder.Add({"a", 1, RecordType::kValue, "v"}));
    KS_ASSERT_OK(builder.Finish().status());
  }
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(published->meta().number, 5u);
  EXPECT_EQ(abandoned, 0);
  {
    MemoryTableBuilder builder(6, 10, nullptr, [&] { ++abandoned; });
    KS_ASSERT_OK(builder.Add({"a", 1, RecordType::kValue, "v"}));
  }  // destroyed unfinished
  EXPECT_EQ(abandoned, 1);
}

}  // namespace
}  // namespace kstone::core
