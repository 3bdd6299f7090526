// Overwritten versions in a stripe's oldest table: where the store copies
// tables cheaply (memory), flushes drop them from that table once about a
// tenth of it is overwritten, instead of keeping them until the size-tiered
// rule merges it. Reads must not notice: every key keeps its newest value,
// deleted keys stay deleted, on both backends.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_fixture.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {
namespace {

constexpr uint32_t kStripe = 5;
constexpr int kKeys = 2000;

std::string KeyOf(int i) { return K(kStripe, absl::StrFormat("key%06d", i)); }

TEST_P(EngineTest, OverwrittenVersionsLeaveTheOldestTableAndReadsAgree) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  EngineOptions o = SmallOptions();
  o.memtable_max_records_per_stripe = 1 << 20;  // flushes only when asked
  o.max_tables_per_stripe = 4;
  o.idle_compaction_ms = 0;  // no merges but the flushes' own
  KS_ASSERT_OK(Open(o));
  std::map<std::string, std::string> model;
  const std::string filler(80, 'x');
  for (int i = 0; i < kKeys; ++i) {
    model[KeyOf(i)] = absl::StrCat("v0-", i, filler);
    KS_ASSERT_OK(Put(e(), KeyOf(i), model[KeyOf(i)]));
  }
  KS_ASSERT_OK(e()->Compact());  // one table of kKeys records
  ASSERT_EQ(e()->Stats().table_entries, static_cast<uint64_t>(kKeys));

  // Rounds of random overwrites (and a few deletes), one flush each.
  uint64_t most_dead = 0;
  for (int round = 1; round <= 40; ++round) {
    for (int j = 0; j < 50; ++j) {
      const std::string key = KeyOf(static_cast<int>(rng() % kKeys));
      if (rng() % 20 == 0) {
        model.erase(key);
        KS_ASSERT_OK(Del(e(), key));
      } else {
        model[key] = absl::StrCat("v", round, "-", j, filler);
        KS_ASSERT_OK(Put(e(), key, model[key]));
      }
    }
    KS_ASSERT_OK(e()->Flush());
    const EngineStats stats = e()->Stats();
    // Records beyond one per key: versions (and tombstones) no read needs.
    most_dead =
        std::max<uint64_t>(most_dead, stats.table_entries - model.size());
    if (round % 10 == 0) {
      for (int i = 0; i < kKeys; ++i) {
        auto it = model.find(KeyOf(i));
        const std::optional<std::string> want =
            it == model.end() ? std::nullopt
                              : std::optional<std::string>(it->second);
        absl::StatusOr<std::optional<std::string>> got = e()->Get(KeyOf(i));
        KS_ASSERT_OK(got.status());
        ASSERT_EQ(*got, want) << "round " << round << ", key " << i;
      }
      std::map<std::string, std::string> scanned;
      auto it = e()->NewIterator(kStripe);
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        scanned.emplace(std::string(it->key()), std::string(it->value()));
      }
      KS_ASSERT_OK(it->status());
      ASSERT_EQ(scanned, model) << "round " << round;
    }
  }
  // 2000 overwrites of 2000 keys: kept until the merges, the overwritten
  // versions reach ~45 % of the live records before the oldest table is
  // rewritten; dropped at a tenth, about a quarter (a tenth of the oldest
  // table plus the newer tables' own older versions and tombstones).
  if (GetParam() == Backend::kMemory) {
    EXPECT_LT(most_dead, model.size() * 3 / 10) << "live " << model.size();
  }
  KS_ASSERT_OK(Reopen());
  for (const auto& [key, value] : model) {
    KS_ASSERT_OK_AND_ASSIGN(std::optional<std::string> got, e()->Get(key));
    ASSERT_EQ(got, std::optional<std::string>(value));
  }
}

}  // namespace
}  // namespace kstone::core::testing
