// The filter over a stripe's tables (StripeView::table_filter) through the
// table jobs, on both backends: it holds every key of the stripe's tables
// after a flush (built, or extended), a flush that folds tables in, a
// partial and a full merge; a flush that overflows it leaves the stripe
// without one; a reopen starts without one until a full merge. Reads agree
// with a model throughout, including reads of keys never written (which the
// filter answers) and of deleted ones (which it passes on to the tables).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/engine/engine_impl.h"
#include "core/engine/table_key_filter.h"
#include "core/storage/key_hash.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_fixture.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {
namespace {

constexpr uint32_t kStripe = 9;

std::string KeyOf(int i) { return K(kStripe, absl::StrFormat("t%06d", i)); }
std::string AbsentKeyOf(int i) {
  return K(kStripe, absl::StrFormat("never%06d", i));
}

// Flushes only when asked, merges only in flushes and Compact.
EngineOptions FilterTestOptions() {
  EngineOptions o = SmallOptions();
  o.memtable_max_records_per_stripe = 1 << 20;
  o.memtable_max_bytes_per_stripe = 64 << 20;
  o.total_memtable_bytes = 256 << 20;
  o.max_tables_per_stripe = 3;
  o.idle_compaction_ms = 0;
  return o;
}

class TableFilterTest : public EngineTest {
 protected:
  void PutKeys(int from, int to, const std::string& tag) {
    for (int i = from; i < to; ++i) {
      const std::string value = absl::StrCat(tag, i);
      model_[KeyOf(i)] = value;
      KS_ASSERT_OK(Put(e(), KeyOf(i), value));
    }
  }
  void DeleteKeys(int from, int to) {
    for (int i = from; i < to; ++i) {
      model_[KeyOf(i)] = std::nullopt;
      KS_ASSERT_OK(Del(e(), KeyOf(i)));
    }
  }

  std::shared_ptr<const TableKeyFilter> Filter() {
    return Impl(e())->TEST_TableFilter(kStripe);
  }

  // Every key written reads as the model says, and keys never written read
  // as absent.
  void ExpectReadsAgree() {
    for (const auto& [key, want] : model_) {
      EXPECT_EQ(GetOrDie(e(), key), want) << key;
    }
    for (int i = 0; i < 2000; ++i) {
      EXPECT_EQ(GetOrDie(e(), AbsentKeyOf(i)), std::nullopt) << i;
    }
  }

  uint64_t LiveKeys() const {
    uint64_t live = 0;
    for (const auto& [key, value] : model_) live += value.has_value() ? 1 : 0;
    return live;
  }

  // The stripe has a filter, holding every key that has a value (a deleted
  // one too while its tombstone is in a table, but a merge of every table
  // drops that), and not much else.
  void ExpectFilterCoversTheTables() {
    const std::shared_ptr<const TableKeyFilter> filter = Filter();
    ASSERT_NE(filter, nullptr);
    for (const auto& [key, value] : model_) {
      if (!value.has_value()) continue;
      EXPECT_TRUE(filter->MayContain(KeyHash(key))) << key;
    }
    int positives = 0;
    for (int i = 0; i < 2000; ++i) {
      positives += filter->MayContain(KeyHash(AbsentKeyOf(i))) ? 1 : 0;
    }
    EXPECT_LT(positives, 180);  // 9 %; the filter promises ~7 % when full
  }

  // The stripe has no filter: reads ask every table, and `flushes` flushes
  // of ten new keys each from `next_key` on (folding tables in or not)
  // have none to extend; then a merge of every table builds one.
  void ExpectNoneUntilAFullMerge(int next_key, int flushes) {
    EXPECT_EQ(Filter(), nullptr);
    EXPECT_EQ(e()->Stats().table_filters, 0u);
    ExpectReadsAgree();
    for (int round = 0; round < flushes; ++round) {
      PutKeys(next_key + 10 * round, next_key + 10 * round + 10, "c");
      KS_ASSERT_OK(e()->Flush());
      EXPECT_EQ(Filter(), nullptr);
    }
    ExpectReadsAgree();
    KS_ASSERT_OK(e()->Compact());
    ExpectFilterCoversTheTables();
    ExpectReadsAgree();
  }

  std::map<std::string, std::optional<std::string>> model_;
};

TEST_P(TableFilterTest, HoldsTheTablesKeysThroughFlushesAndMerges) {
  KS_ASSERT_OK(Open(FilterTestOptions()));
  EXPECT_EQ(Filter(), nullptr);  // no tables yet
  EXPECT_EQ(e()->Stats().table_filters, 0u);

  // The first flush builds the filter.
  PutKeys(0, 400, "a");
  KS_ASSERT_OK(e()->Flush());
  ASSERT_EQ(Impl(e())->TEST_TablesInStripe(kStripe), 1u);
  ExpectFilterCoversTheTables();
  EXPECT_EQ(Filter()->capacity(), 600u);  // room for half as many again
  const EngineStats stats = e()->Stats();
  EXPECT_EQ(stats.table_filters, 1u);
  EXPECT_EQ(stats.table_filter_bytes, Filter()->memory_bytes());
  ExpectReadsAgree();

  // Later flushes add their keys to a copy (overwrites and deletes of keys
  // it holds add none), unless they fold every table in and build it anew.
  // (A fourth table makes a flush fold the newest tables in:
  // max_tables_per_stripe is 3.)
  uint64_t capacity = 600;
  bool extended = false;
  bool rebuilt = false;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const uint64_t keys_before = Filter()->keys();
    PutKeys(400 + 50 * round, 450 + 50 * round, "b");
    PutKeys(10 * round, 10 * round + 10, "c");  // overwrites
    DeleteKeys(300 + 10 * round, 305 + 10 * round);
    KS_ASSERT_OK(e()->Flush());
    ExpectFilterCoversTheTables();
    const size_t tables = Impl(e())->TEST_TablesInStripe(kStripe);
    EXPECT_LE(tables, 3u);
    if (tables == 1) {
      capacity = LiveKeys() * 3 / 2;
      rebuilt = true;
    } else {
      EXPECT_LE(Filter()->keys(), keys_before + 50);
      extended = true;
    }
    EXPECT_EQ(Filter()->capacity(), capacity);
  }
  EXPECT_TRUE(extended);
  EXPECT_TRUE(rebuilt);  // (rounds 2 and 5 fold every table in)
  ExpectReadsAgree();

  // A merge of every table builds it anew, from the merged keys alone (the
  // deleted ones are gone with their tombstones).
  KS_ASSERT_OK(e()->Compact());
  ASSERT_EQ(Impl(e())->TEST_TablesInStripe(kStripe), 1u);
  for (auto it = model_.begin(); it != model_.end();) {
    it = it->second.has_value() ? std::next(it) : model_.erase(it);
  }
  ExpectFilterCoversTheTables();
  EXPECT_EQ(Filter()->capacity(), model_.size() * 3 / 2);
  ExpectReadsAgree();
}

TEST_P(TableFilterTest, AFlushThatOverflowsItLeavesTheStripeWithoutOne) {
  KS_ASSERT_OK(Open(FilterTestOptions()));
  PutKeys(0, 100, "a");
  KS_ASSERT_OK(e()->Flush());
  ASSERT_NE(Filter(), nullptr);
  ASSERT_EQ(Filter()->capacity(), 150u);
  // 150 new keys: more than the room left.
  PutKeys(100, 250, "b");
  KS_ASSERT_OK(e()->Flush());
  ASSERT_EQ(Impl(e())->TEST_TablesInStripe(kStripe), 2u);
  ExpectNoneUntilAFullMerge(250, 1);
}

TEST_P(TableFilterTest, AReopenStartsWithoutOneUntilAFullMerge) {
  if (!reopenable()) GTEST_SKIP() << "the memory backend does not reopen";
  KS_ASSERT_OK(Open(FilterTestOptions()));
  PutKeys(0, 1000, "a");
  KS_ASSERT_OK(e()->Flush());
  PutKeys(1000, 1050, "b");
  KS_ASSERT_OK(e()->Flush());
  ASSERT_EQ(Impl(e())->TEST_TablesInStripe(kStripe), 2u);
  ASSERT_NE(Filter(), nullptr);
  KS_ASSERT_OK(Reopen());
  ASSERT_EQ(Impl(e())->TEST_TablesInStripe(kStripe), 2u);
  ExpectNoneUntilAFullMerge(1050, 3);
}

// Readers race the writer's flushes and merges, each of which installs a
// new filter with its tables: a key written before a read started is
// found (a view whose filter missed a key of its tables would hide it),
// and a key never written is not.
TEST_P(TableFilterTest, ConcurrentReadsSeeEveryKeyThroughNewFilters) {
  EngineOptions o = FilterTestOptions();
  o.memtable_max_records_per_stripe = 40;  // flushes (and folds) as it goes
  KS_ASSERT_OK(Open(o));
  constexpr int kKeys = 3000;
  std::atomic<int> written{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      uint64_t state = 0x9e3779b97f4a7c15ULL * (t + 1);
      while (written.load() < kKeys && !failed.load()) {
        const int upto = written.load();
        if (upto == 0) continue;
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const int i = static_cast<int>((state >> 33) % upto);
        absl::StatusOr<std::optional<std::string>> got = e()->Get(KeyOf(i));
        absl::StatusOr<std::optional<std::string>> absent =
            e()->Get(AbsentKeyOf(i));
        if (!got.ok() || !got->has_value() || !absent.ok() ||
            absent->has_value()) {
          ADD_FAILURE() << "key " << i << " of " << upto;
          failed.store(true);
        }
      }
    });
  }
  for (int i = 0; i < kKeys && !failed.load(); ++i) {
    absl::Status status = Put(e(), KeyOf(i), absl::StrCat("v", i));
    // (Besides the background's own flushes of full memtables.)
    if (status.ok() && i % 200 == 199) status = e()->Flush();
    if (!status.ok()) {
      ADD_FAILURE() << status;
      failed.store(true);
    }
    written.store(i + 1);
  }
  written.store(kKeys);  // (the readers stop)
  for (std::thread& r : readers) r.join();
  EXPECT_GE(e()->Stats().flushes, 15u);
  EXPECT_NE(Filter(), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, TableFilterTest,
                         ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace kstone::core::testing
