// MemoryTable::CopyWithout and MemoryTableStore::CopyTableWithout: a copy
// that drops some keys must read exactly like a table built record by record
// from the kept records, for every record size (narrow and wide blocks), key
// shape (short and long shared prefixes, several versions of a key,
// tombstones) and choice of dropped keys (none, all, first, last, runs,
// keys the table does not hold). Randomized; the seed is printed.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/storage/memory/memory_table.h"
#include "core/storage/memory/memory_table_store.h"
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

std::shared_ptr<const MemoryTable> Build(
    const std::vector<ModelRecord>& records, uint64_t number) {
  MemoryTableBuilder builder(number, 10);
  for (const ModelRecord& r : records) {
    EXPECT_TRUE(builder.Add({r.key, r.seq, r.type, r.value}).ok());
  }
  absl::StatusOr<std::shared_ptr<const MemoryTable>> table =
      builder.FinishTable();
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *table : nullptr;
}

// Records of `keys` distinct keys (sorted), each with 1-3 versions (newest
// first, sequence numbers descending), some of them tombstones, values of
// sizes drawn from `max_value`.
std::vector<ModelRecord> MakeRecords(std::mt19937_64& rng, size_t keys,
                                     const std::string& key_prefix,
                                     size_t max_value, bool versions) {
  std::set<std::string> names;
  while (names.size() < keys) {
    names.insert(absl::StrFormat("%s%08x", key_prefix,
                                 static_cast<uint32_t>(rng() % 1000000)));
  }
  std::vector<ModelRecord> records;
  uint64_t seq = 1000 + rng() % 100000;
  for (const std::string& name : names) {
    const size_t count = versions ? 1 + rng() % 3 : 1;
    for (size_t v = 0; v < count; ++v) {
      ModelRecord r;
      r.key = name;
      r.seq = seq + (count - v) * 3 + rng() % 2;
      r.type = rng() % 10 == 0 ? RecordType::kDeletion : RecordType::kValue;
      const size_t size =
          r.type == RecordType::kDeletion ? 0 : rng() % (max_value + 1);
      r.value.resize(size);
      for (size_t i = 0; i < size; ++i) {
        r.value[i] = static_cast<char>('a' + (rng() % 26));
      }
      records.push_back(std::move(r));
    }
    seq += 10;
  }
  return records;
}

// Checks that `copy` reads like `want` (built from the kept records), and
// that no dropped key is found.
void ExpectSameTable(const MemoryTable& copy, const MemoryTable& want,
                     const std::vector<std::string>& dropped,
                     std::mt19937_64& rng) {
  ASSERT_EQ(copy.size(), want.size());
  EXPECT_EQ(copy.meta().entries, want.meta().entries);
  EXPECT_EQ(copy.meta().min_seq, want.meta().min_seq);
  EXPECT_EQ(copy.meta().max_seq, want.meta().max_seq);
  EXPECT_EQ(copy.meta().smallest_key, want.meta().smallest_key);
  EXPECT_EQ(copy.meta().largest_key, want.meta().largest_key);
  EXPECT_EQ(copy.keys_unique(), want.keys_unique());
  EXPECT_GT(copy.meta().bytes, 0u);
  std::string a, b;
  for (size_t i = 0; i < want.size(); ++i) {
    const RecordView got = copy.RecordAt(i, &a);
    const RecordView exp = want.RecordAt(i, &b);
    ASSERT_EQ(got.key, exp.key) << "record " << i;
    ASSERT_EQ(got.seq, exp.seq) << "record " << i;
    ASSERT_EQ(got.type, exp.type) << "record " << i;
    ASSERT_TRUE(got.value == exp.value) << "record " << i;
    const std::string key(exp.key);
    KS_ASSERT_OK_AND_ASSIGN(auto g, copy.Get(key));
    KS_ASSERT_OK_AND_ASSIGN(auto w, want.Get(key));
    ASSERT_TRUE(g.has_value() && w.has_value()) << key;
    EXPECT_EQ(g->seq, w->seq) << key;
    EXPECT_TRUE(copy.MayContain(key)) << key;
    EXPECT_EQ(copy.LowerBound(key), want.LowerBound(key)) << key;
    EXPECT_EQ(copy.UpperBound(key), want.UpperBound(key)) << key;
  }
  for (const std::string& key : dropped) {
    KS_ASSERT_OK_AND_ASSIGN(auto g, copy.Get(key));
    EXPECT_FALSE(g.has_value()) << key;
    EXPECT_EQ(copy.LowerBound(key), want.LowerBound(key)) << key;
    EXPECT_EQ(copy.UpperBound(key), want.UpperBound(key)) << key;
  }
  // Seeks to keys near the records land on the same record.
  auto ci = copy.NewIterator();
  auto wi = want.NewIterator();
  for (int k = 0; k < 50 && want.size() > 0; ++k) {
    std::string key(want.RecordAt(rng() % want.size(), &b).key);
    if (rng() % 2) key.back() = static_cast<char>(key.back() + 1);
    ci->Seek(key);
    wi->Seek(key);
    ASSERT_EQ(ci->Valid(), wi->Valid()) << key;
    if (wi->Valid()) {
      EXPECT_EQ(ci->record().key, wi->record().key) << key;
      EXPECT_EQ(ci->record().seq, wi->record().seq) << key;
    }
  }
  size_t n = 0;
  wi->SeekToFirst();
  for (ci->SeekToFirst(); ci->Valid(); ci->Next(), wi->Next(), ++n) {
    ASSERT_TRUE(wi->Valid());
    ASSERT_EQ(ci->record().key, wi->record().key);
    ASSERT_EQ(ci->record().seq, wi->record().seq);
  }
  EXPECT_FALSE(wi->Valid());
  EXPECT_EQ(n, want.size());
}

struct Shape {
  const char* name;
  size_t keys;
  std::string key_prefix;  // shared by every key
  size_t max_value;
  bool versions;
};

TEST(MemoryTableCopyTest, CopyEqualsTableBuiltFromKeptRecords) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  const std::vector<Shape> shapes = {
      {"one record", 1, "k", 100, false},
      {"small", 40, "", 120, false},
      {"short prefix", 700, "\x01\x02", 120, false},
      {"long prefix", 300, std::string(40, 'p'), 50, false},
      {"versions and tombstones", 500, "s", 200, true},
      {"empty values", 200, "e", 0, true},
      {"wide blocks", 80, "w", 8000, true},
      {"very wide", 20, "v", 400000, false},
      // Over 4 MiB: the source's hash slots hold record indexes, where the
      // smaller tables' hold arena offsets (MemoryTable::Find differs).
      {"index slots", 700, "i", 16000, true},
  };
  for (const Shape& shape : shapes) {
    SCOPED_TRACE(shape.name);
    const std::vector<ModelRecord> records = MakeRecords(
        rng, shape.keys, shape.key_prefix, shape.max_value, shape.versions);
    const std::shared_ptr<const MemoryTable> source = Build(records, 1);
    ASSERT_NE(source, nullptr);
    if (shape.name == std::string_view("index slots")) {
      EXPECT_FALSE(source->hash_slots_hold_offsets());
    } else if (shape.name == std::string_view("small")) {
      EXPECT_TRUE(source->hash_slots_hold_offsets());
    }
    std::vector<std::string> keys;
    for (const ModelRecord& r : records) {
      if (keys.empty() || keys.back() != r.key) keys.push_back(r.key);
    }
    // Drop: nothing, the first, the last, a few, half, a run, all but one.
    for (int pick = 0; pick < 7; ++pick) {
      std::vector<std::string> drop;
      const size_t k = keys.size();
      switch (pick) {
        case 0:
          break;
        case 1:
          drop = {keys.front()};
          break;
        case 2:
          drop = {keys.back()};
          break;
        case 3:
          for (size_t i = 0; i < 3; ++i) drop.push_back(keys[rng() % k]);
          break;
        case 4:
          for (const std::string& key : keys) {
            if (rng() % 2) drop.push_back(key);
          }
          break;
        case 5:
          for (size_t i = k / 3; i < 2 * k / 3; ++i) drop.push_back(keys[i]);
          break;
        case 6:
          drop = keys;
          drop.erase(drop.begin() + static_cast<ptrdiff_t>(rng() % k));
          break;
      }
      // Keys the table does not hold and repeats change nothing.
      drop.push_back(shape.key_prefix + "zzzz-absent");
      drop.push_back("");
      if (!drop.empty()) drop.push_back(drop.front());
      std::shuffle(drop.begin(), drop.end(), rng);
      SCOPED_TRACE(absl::StrCat("pick ", pick, ", dropping ", drop.size()));
      const std::set<std::string> dropped(drop.begin(), drop.end());
      std::vector<ModelRecord> kept;
      for (const ModelRecord& r : records) {
        if (dropped.count(r.key) == 0) kept.push_back(r);
      }
      KS_ASSERT_OK_AND_ASSIGN(auto copy,
                              MemoryTable::CopyWithout(*source, 2, drop));
      if (kept.empty()) {  // a table of one key, dropped
        EXPECT_EQ(copy, nullptr);
        continue;
      }
      ASSERT_NE(copy, nullptr);
      EXPECT_EQ(copy->meta().number, 2u);
      const std::shared_ptr<const MemoryTable> want = Build(kept, 3);
      ASSERT_NE(want, nullptr);
      ExpectSameTable(*copy, *want, drop, rng);
    }
    // Everything dropped: no table.
    KS_ASSERT_OK_AND_ASSIGN(auto none,
                            MemoryTable::CopyWithout(*source, 4, keys));
    EXPECT_EQ(none, nullptr);
  }
}

TEST(MemoryTableCopyTest, StoreCopiesPublishesAndDropsEmptyCopies) {
  std::unique_ptr<TableStore> store = NewMemoryTableStore();
  ASSERT_TRUE(store->CanCopyTableWithout());
  KS_ASSERT_OK_AND_ASSIGN(auto builder, store->NewTable(5));
  KS_ASSERT_OK(builder->Add({"a", 3, RecordType::kValue, "1"}));
  KS_ASSERT_OK(builder->Add({"b", 2, RecordType::kDeletion, ""}));
  KS_ASSERT_OK(builder->Add({"c", 1, RecordType::kValue, "3"}));
  KS_ASSERT_OK(builder->Finish().status());

  KS_ASSERT_OK_AND_ASSIGN(std::optional<TableMeta> meta,
                          store->CopyTableWithout(5, 6, {"b", "x"}));
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->number, 6u);
  EXPECT_EQ(meta->entries, 2u);
  EXPECT_EQ(meta->min_seq, 1u);
  EXPECT_EQ(meta->max_seq, 3u);
  KS_ASSERT_OK_AND_ASSIGN(auto table, store->OpenTable(6));
  KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get("c"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->value, "3");
  KS_ASSERT_OK_AND_ASSIGN(got, table->Get("b"));
  EXPECT_FALSE(got.has_value());
  // The source is untouched.
  KS_ASSERT_OK_AND_ASSIGN(auto source, store->OpenTable(5));
  EXPECT_EQ(source->meta().entries, 3u);

  // Nothing left: no table, and the number stays free.
  KS_ASSERT_OK_AND_ASSIGN(meta, store->CopyTableWithout(5, 7, {"a", "b", "c"}));
  EXPECT_FALSE(meta.has_value());
  KS_ASSERT_OK_AND_ASSIGN(std::vector<uint64_t> numbers, store->ListTables());
  EXPECT_EQ(numbers, (std::vector<uint64_t>{5, 6}));
  EXPECT_FALSE(store->OpenTable(7).ok());

  // A missing source or a used number is an error.
  EXPECT_EQ(store->CopyTableWithout(99, 8, {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store->CopyTableWithout(5, 6, {}).status().code(),
            absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace kstone::core
