#include "core/engine/merging_iterator.h"

#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/engine/memtable.h"
#include "core/storage/memory/memory_table.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

// Several memtables as runs, and what the live view of them must be.
class LiveIteratorTest : public ::testing::Test {
 protected:
  void Build(uint32_t seed, int runs, int records, uint64_t snapshot) {
    std::mt19937 rng(seed);
    for (int i = 0; i < runs; ++i) {
      mems_.push_back(std::make_shared<MemTable>(i + 1));
    }
    std::map<std::string, std::pair<uint64_t, std::optional<std::string>>>
        newest;
    for (int seq = 1; seq <= records; ++seq) {
      const std::string key = "k" + std::to_string(rng() % 60);
      const bool del = rng() % 4 == 0;
      const std::string value = "v" + std::to_string(seq);
      mems_[rng() % runs]->Add(seq,
                               del ? RecordType::kDeletion : RecordType::kValue,
                               key, del ? "" : value);
      if (static_cast<uint64_t>(seq) <= snapshot) {
        newest[key] = {seq,
                       del ? std::nullopt : std::optional<std::string>(value)};
      }
    }
    for (const auto& [key, v] : newest) {
      if (v.second) model_[key] = *v.second;
    }
    snapshot_ = snapshot;
  }

  // One merged table instead of memtables: one record per key (a value or
  // a tombstone, some newer than the snapshot), as a stripe holds after a
  // compaction. The live view then reads a lone child with unique keys.
  void BuildMergedTable(uint32_t seed, int keys, uint64_t snapshot) {
    std::mt19937 rng(seed);
    MemoryTableBuilder builder(1, 10);
    std::map<std::string, std::pair<uint64_t, bool>> records;  // seq, del
    for (int k = 0; k < keys; ++k) {
      records["k" + std::to_string(rng() % 60)] = {1 + rng() % (2 * snapshot),
                                                   rng() % 4 == 0};
    }
    for (const auto& [key, r] : records) {
      const std::string value = "v" + std::to_string(r.first);
      RecordView record;
      record.key = key;
      record.seq = r.first;
      record.type = r.second ? RecordType::kDeletion : RecordType::kValue;
      record.value = r.second ? std::string_view() : value;
      ASSERT_TRUE(builder.Add(record).ok());
      if (r.first <= snapshot && !r.second) model_[key] = value;
    }
    absl::StatusOr<std::shared_ptr<const MemoryTable>> table =
        builder.FinishTable();
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = *table;
    snapshot_ = snapshot;
  }

  std::unique_ptr<EngineIterator> NewIter() {
    TableIterators children;
    for (const auto& m : mems_) children.push_back(m->NewIterator());
    if (table_ != nullptr) children.push_back(table_->NewIterator());
    return NewLiveIterator(std::move(children), snapshot_, nullptr);
  }

  // Random seeks and moves against the model.
  void CheckRandomMoves(uint32_t seed);

  std::shared_ptr<const MemoryTable> table_;
  std::vector<std::shared_ptr<MemTable>> mems_;
  std::map<std::string, std::string> model_;
  uint64_t snapshot_ = 0;
};

TEST_F(LiveIteratorTest, ScansMatchTheModelBothWays) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    mems_.clear();
    model_.clear();
    Build(seed, 1 + seed % 4, 300, seed % 3 == 0 ? 150 : 300);
    auto it = NewIter();
    std::vector<std::pair<std::string, std::string>> got;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      got.emplace_back(std::string(it->key()), std::string(it->value()));
    }
    ASSERT_TRUE(it->status().ok()) << it->status();
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(got, Pairs(model_.begin(), model_.end()));
    got.clear();
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      got.emplace_back(std::string(it->key()), std::string(it->value()));
    }
    EXPECT_EQ(got, Pairs(model_.rbegin(), model_.rend()));
  }
}

TEST_F(LiveIteratorTest, RandomMovesMatchTheModel) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  Build(seed, 3, 400, 350);
  CheckRandomMoves(seed);
}

TEST_F(LiveIteratorTest, LoneMergedTableMatchesTheModel) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  BuildMergedTable(seed, 50, 40);
  ASSERT_TRUE(table_->NewIterator()->KeysUnique());
  CheckRandomMoves(seed);
}

TEST(MemoryTableKeysUniqueTest, TwoVersionsOfAKeyAreNotUnique) {
  MemoryTableBuilder builder(1, 10);
  RecordView newer{"k", 2, RecordType::kValue, "b"};
  RecordView older{"k", 1, RecordType::kValue, "a"};
  ASSERT_TRUE(builder.Add(newer).ok());
  ASSERT_TRUE(builder.Add(older).ok());
  absl::StatusOr<std::shared_ptr<const MemoryTable>> table =
      builder.FinishTable();
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_FALSE((*table)->keys_unique());
  EXPECT_FALSE((*table)->NewIterator()->KeysUnique());
}

void LiveIteratorTest::CheckRandomMoves(uint32_t seed) {
  std::mt19937 rng(seed);
  auto it = NewIter();
  auto pos = model_.end();  // model position; end() = invalid
  for (int step = 0; step < 3000; ++step) {
    const std::string target = "k" + std::to_string(rng() % 70);
    switch (rng() % 6) {
      case 0:
        it->Seek(target);
        pos = model_.lower_bound(target);
        break;
      case 1: {
        it->SeekForPrev(target);
        auto up = model_.upper_bound(target);
        pos = up == model_.begin() ? model_.end() : std::prev(up);
        break;
      }
      case 2:
        it->SeekToFirst();
        pos = model_.begin();
        break;
      case 3:
        it->SeekToLast();
        pos = model_.empty() ? model_.end() : std::prev(model_.end());
        break;
      case 4:
        if (pos == model_.end()) continue;
        it->Next();
        ++pos;
        break;
      case 5:
        if (pos == model_.end()) continue;
        it->Prev();
        pos = pos == model_.begin() ? model_.end() : std::prev(pos);
        break;
    }
    ASSERT_EQ(it->Valid(), pos != model_.end()) << "step " << step;
    if (pos != model_.end()) {
      ASSERT_EQ(it->key(), pos->first) << "step " << step;
      ASSERT_EQ(it->value(), pos->second) << "step " << step;
    }
  }
}

TEST(RecordMergerTest, YieldsEveryRecordInInternalOrder) {
  auto a = std::make_shared<MemTable>(1);
  auto b = std::make_shared<MemTable>(2);
  a->Add(1, RecordType::kValue, "x", "1");
  b->Add(2, RecordType::kValue, "x", "2");
  a->Add(3, RecordType::kDeletion, "y", "");
  b->Add(4, RecordType::kValue, "w", "4");
  std::vector<std::unique_ptr<TableIterator>> runs;
  runs.push_back(a->NewIterator());
  runs.push_back(b->NewIterator());
  RecordMerger merger(std::move(runs));
  std::vector<std::pair<std::string, uint64_t>> got;
  for (merger.SeekToFirst(); merger.Valid(); merger.Next()) {
    got.emplace_back(std::string(merger.record().key), merger.record().seq);
  }
  EXPECT_TRUE(merger.status().ok());
  const std::vector<std::pair<std::string, uint64_t>> expected = {
      {"w", 4}, {"x", 2}, {"x", 1}, {"y", 3}};
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace kstone::core
