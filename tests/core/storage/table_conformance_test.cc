// One conformance suite for TableBuilder/Table, run on every implementation:
// the memory table, and the disk SST on MemFileSystem and on PosixFileSystem.
// Tables are built and opened through their TableStore.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/record.h"
#include "core/storage/table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/storage/table_store_factories.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

// The model: (key, seq) -> (type, value), ordered by key asc, seq desc.
struct ModelKey {
  std::string key;
  uint64_t seq;
  bool operator<(const ModelKey& o) const {
    if (key != o.key) return key < o.key;
    return seq > o.seq;
  }
};
struct ModelValue {
  RecordType type;
  std::string value;
};
using Model = std::map<ModelKey, ModelValue>;

std::string RandomKey(std::mt19937_64& rng) {
  static const char kAlphabet[] = {'\0',   '\x01', 'a',    'b',
                                   '\x7f', '\x80', '\xfe', '\xff'};
  size_t len = rng() % 6;  // 0..5: lots of keys are prefixes of others
  if (rng() % 16 == 0) len = 20 + rng() % 300;
  std::string key;
  for (size_t i = 0; i < len; ++i) key.push_back(kAlphabet[rng() % 8]);
  return key;
}

std::string RandomValue(std::mt19937_64& rng, bool allow_large) {
  size_t len = rng() % 64;
  if (rng() % 10 == 0) len = rng() % 5000;
  if (allow_large && rng() % 50 == 0) len = 400 * 1024 - rng() % 100;
  std::string value(len, '\0');
  for (size_t i = 0; i < len; i += 8) {
    uint64_t r = rng();
    for (size_t j = i; j < len && j < i + 8; ++j, r >>= 8) {
      value[j] = static_cast<char>(r);
    }
  }
  return value;
}

Model RandomModel(std::mt19937_64& rng, int keys, bool allow_large) {
  Model model;
  uint64_t seq = 1 + rng() % 1000;
  for (int i = 0; i < keys; ++i) {
    std::string key = RandomKey(rng);
    int versions = 1 + (rng() % 4 == 0 ? rng() % 4 : 0);
    for (int v = 0; v < versions; ++v) {
      seq += 1 + rng() % 3;
      bool tombstone = rng() % 5 == 0;
      model[{key, seq}] = {
          tombstone ? RecordType::kDeletion : RecordType::kValue,
          tombstone ? "" : RandomValue(rng, allow_large)};
    }
  }
  return model;
}

void ExpectRecord(const TableIterator& it, Model::const_iterator expected) {
  ASSERT_TRUE(it.Valid());
  RecordView r = it.record();
  EXPECT_EQ(std::string(r.key), expected->first.key);
  EXPECT_EQ(r.seq, expected->first.seq);
  EXPECT_EQ(r.type, expected->second.type);
  EXPECT_TRUE(r.value == expected->second.value)
      << "value of " << r.value.size() << " bytes, want "
      << expected->second.value.size();
}

class TableConformanceTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    KS_ASSERT_OK_AND_ASSIGN(env_, MakeTestStore(GetParam()));
  }

  // Builds table `number` from the model and opens it.
  std::shared_ptr<const Table> Build(uint64_t number, const Model& model) {
    auto builder = env_->store()->NewTable(number);
    EXPECT_TRUE(builder.ok()) << builder.status();
    if (!builder.ok()) return nullptr;
    for (const auto& [k, v] : model) {
      absl::Status s = (*builder)->Add({k.key, k.seq, v.type, v.value});
      EXPECT_TRUE(s.ok()) << s;
      if (!s.ok()) return nullptr;
    }
    auto meta = (*builder)->Finish();
    EXPECT_TRUE(meta.ok()) << meta.status();
    if (!meta.ok()) return nullptr;
    EXPECT_EQ(meta->number, number);
    EXPECT_EQ(meta->entries, model.size());
    EXPECT_GT(meta->bytes, 0u);
    auto table = env_->store()->OpenTable(number);
    EXPECT_TRUE(table.ok()) << table.status();
    if (!table.ok()) return nullptr;
    return *table;
  }

  std::unique_ptr<TestStore> env_;
};

TEST_P(TableConformanceTest, EmptyTable) {
  std::shared_ptr<const Table> table = Build(1, {});
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->meta().entries, 0u);
  KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get("a"));
  EXPECT_FALSE(got.has_value());
  auto it = table->NewIterator();
  EXPECT_FALSE(it->Valid());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek("");
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev("\xff\xff");
  EXPECT_FALSE(it->Valid());
  KS_EXPECT_OK(it->status());
}

TEST_P(TableConformanceTest, MetaDescribesTheRecords) {
  Model model;
  model[{"b", 7}] = {RecordType::kValue, "x"};
  model[{"b", 3}] = {RecordType::kDeletion, ""};
  model[{"a", 9}] = {RecordType::kValue, "y"};
  model[{"c", 2}] = {RecordType::kValue, "z"};
  std::shared_ptr<const Table> table = Build(42, model);
  ASSERT_NE(table, nullptr);
  const TableMeta& meta = table->meta();
  EXPECT_EQ(meta.number, 42u);
  EXPECT_EQ(meta.entries, 4u);
  EXPECT_EQ(meta.min_seq, 2u);
  EXPECT_EQ(meta.max_seq, 9u);
  EXPECT_EQ(meta.smallest_key, "a");
  EXPECT_EQ(meta.largest_key, "c");
}

TEST_P(TableConformanceTest, AddOutOfOrderIsInvalidArgument) {
  KS_ASSERT_OK_AND_ASSIGN(auto builder, env_->store()->NewTable(3));
  KS_ASSERT_OK(builder->Add({"b", 5, RecordType::kValue, "v"}));
  EXPECT_THAT(
      builder->Add({"a", 9, RecordType::kValue, "v"}),
      testing::StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(
      builder->Add({"b", 5, RecordType::kValue, "v"}),
      testing::StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(
      builder->Add({"b", 6, RecordType::kValue, "v"}),
      testing::StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  builder->Abandon();
}

TEST_P(TableConformanceTest, GetReturnsNewestVersion) {
  Model model;
  model[{"k", 10}] = {RecordType::kDeletion, ""};
  model[{"k", 5}] = {RecordType::kValue, "old"};
  model[{std::string("k\0", 2), 4}] = {RecordType::kValue, "other"};
  model[{"j", 11}] = {RecordType::kValue, "j"};
  std::shared_ptr<const Table> table = Build(1, model);
  ASSERT_NE(table, nullptr);
  KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get("k"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->seq, 10u);
  EXPECT_EQ(got->type, RecordType::kDeletion);
  KS_ASSERT_OK_AND_ASSIGN(got, table->Get("j"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->value, "j");
  KS_ASSERT_OK_AND_ASSIGN(got, table->Get("i"));
  EXPECT_FALSE(got.has_value());
  KS_ASSERT_OK_AND_ASSIGN(got, table->Get("kk"));
  EXPECT_FALSE(got.has_value());
}

// Random records against the std::map model: Get, MayContain, full scans in
// both directions, and Seek/SeekForPrev at, between, before and after keys.
TEST_P(TableConformanceTest, RandomRecordsMatchModel) {
  for (int round = 0; round < 3; ++round) {
    uint64_t seed = std::random_device()() + round;
    SCOPED_TRACE(absl::StrCat("seed=", seed));
    std::mt19937_64 rng(seed);
    // Round 0: one or two blocks; 1: many blocks; 2: large values too.
    const int kKeys[] = {50, 1500, 400};
    Model model = RandomModel(rng, kKeys[round], round == 2);
    std::shared_ptr<const Table> table = Build(10 + round, model);
    ASSERT_NE(table, nullptr);

    // Forward and backward scans.
    auto it = table->NewIterator();
    it->SeekToFirst();
    for (auto m = model.begin(); m != model.end(); ++m) {
      ASSERT_NO_FATAL_FAILURE(ExpectRecord(*it, m));
      it->Next();
    }
    EXPECT_FALSE(it->Valid());
    // NextRecord moves as Next does and hands out the record moved to.
    it->SeekToFirst();
    for (auto m = model.begin(); m != model.end(); ++m) {
      ASSERT_NO_FATAL_FAILURE(ExpectRecord(*it, m));
      RecordView next;
      const bool more = it->NextRecord(&next);
      ASSERT_EQ(more, std::next(m) != model.end());
      if (!more) break;
      EXPECT_EQ(std::string(next.key), std::next(m)->first.key);
      EXPECT_EQ(next.seq, std::next(m)->first.seq);
      EXPECT_EQ(next.type, std::next(m)->second.type);
      EXPECT_TRUE(next.value == std::next(m)->second.value);
    }
    EXPECT_FALSE(it->Valid());
    it->SeekToLast();
    for (auto m = model.rbegin(); m != model.rend(); ++m) {
      ASSERT_NO_FATAL_FAILURE(ExpectRecord(*it, std::prev(m.base())));
      it->Prev();
    }
    EXPECT_FALSE(it->Valid());
    KS_EXPECT_OK(it->status());

    // Point reads of present keys: newest version; MayContain true.
    for (auto m = model.begin(); m != model.end(); ++m) {
      if (m != model.begin() && std::prev(m)->first.key == m->first.key) {
        continue;
      }
      EXPECT_TRUE(table->MayContain(m->first.key));
      KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get(m->first.key));
      ASSERT_TRUE(got.has_value());
      EXPECT_EQ(got->seq, m->first.seq);
      EXPECT_EQ(got->type, m->second.type);
      EXPECT_TRUE(got->value == m->second.value);
    }

    // Probes: present keys, random keys, extremes.
    std::vector<std::string> probes = {"", std::string(1, '\0'), "\xff",
                                       std::string(400, '\xff')};
    for (int i = 0; i < 300; ++i) probes.push_back(RandomKey(rng));
    for (int i = 0; i < 100 && !model.empty(); ++i) {
      auto m = model.begin();
      std::advance(m, rng() % model.size());
      probes.push_back(m->first.key);
    }
    for (const std::string& probe : probes) {
      SCOPED_TRACE(absl::StrCat("probe of ", probe.size(), " bytes"));
      auto lower = model.lower_bound({probe, UINT64_MAX});
      KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get(probe));
      bool present = lower != model.end() && lower->first.key == probe;
      ASSERT_EQ(got.has_value(), present);
      if (present) {
        EXPECT_EQ(got->seq, lower->first.seq);
      }
      // The lookup in steps reads the same, whatever the steps found.
      for (int steps = 0; steps <= 3; ++steps) {
        uint64_t state = 0;
        const HashedKey hashed(probe);
        for (int n = 0; n < steps; ++n) table->PrefetchStep(hashed, &state);
        KS_ASSERT_OK_AND_ASSIGN(auto stepped,
                                table->GetAfterSteps(hashed, state));
        ASSERT_EQ(stepped.has_value(), present) << steps << " steps";
        if (present) {
          EXPECT_EQ(stepped->seq, lower->first.seq);
          EXPECT_EQ(stepped->type, lower->second.type);
          EXPECT_TRUE(stepped->value == lower->second.value);
        }
      }

      it->Seek(probe);
      if (lower == model.end()) {
        EXPECT_FALSE(it->Valid());
      } else {
        ASSERT_NO_FATAL_FAILURE(ExpectRecord(*it, lower));
        // Step back and forth around the position.
        it->Prev();
        if (lower == model.begin()) {
          EXPECT_FALSE(it->Valid());
        } else {
          ASSERT_NO_FATAL_FAILURE(ExpectRecord(*it, std::prev(lower)));
          it->Next();
          ASSERT_NO_FATAL_FAILURE(ExpectRecord(*it, lower));
        }
      }

      // Last record with key <= probe: just before the first key > probe.
      auto upper = model.lower_bound({probe + '\0', UINT64_MAX});
      it->SeekForPrev(probe);
      if (upper == model.begin()) {
        EXPECT_FALSE(it->Valid());
      } else {
        auto expected = std::prev(upper);
        ASSERT_NO_FATAL_FAILURE(ExpectRecord(*it, expected));
        it->Next();
        if (upper == model.end()) {
          EXPECT_FALSE(it->Valid());
        } else {
          ASSERT_NO_FATAL_FAILURE(ExpectRecord(*it, upper));
        }
      }
    }
    KS_EXPECT_OK(it->status());
  }
}

TEST_P(TableConformanceTest, IteratorOutlivesStoreHandle) {
  Model model;
  for (int i = 0; i < 100; ++i) {
    model[{absl::StrCat("key", 1000 + i), 5}] = {RecordType::kValue,
                                                 std::string(100, 'v')};
  }
  std::shared_ptr<const Table> table = Build(7, model);
  ASSERT_NE(table, nullptr);
  KS_ASSERT_OK(env_->store()->DeleteTable(7));
  // An open handle stays readable after DeleteTable.
  auto it = table->NewIterator();
  int count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  EXPECT_EQ(count, 100);
  KS_EXPECT_OK(it->status());
}

INSTANTIATE_TEST_SUITE_P(AllTables, TableConformanceTest,
                         ::testing::ValuesIn(AllStoreKinds()),
                         [](const auto& param_info) {
                           return StoreKindName(param_info.param);
                         });

}  // namespace
}  // namespace kstone::core
