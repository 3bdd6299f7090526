// TableKeyFilter and its builder: no false negatives, the false-positive
// rate the header promises, the room it keeps, and what each builder mode
// leaves.

#include "core/engine/table_key_filter.h"

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/storage/key_hash.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

uint64_t HashOf(const std::string& prefix, uint64_t i) {
  return KeyHash(absl::StrCat(prefix, i));
}

// The share of `queries` keys never added (prefix "absent") that `filter`
// says it may hold.
double FalsePositiveRate(const TableKeyFilter& filter, uint64_t queries) {
  uint64_t positives = 0;
  for (uint64_t i = 0; i < queries; ++i) {
    positives += filter.MayContain(HashOf("absent", i)) ? 1 : 0;
  }
  return static_cast<double>(positives) / static_cast<double>(queries);
}

TEST(TableKeyFilterTest, HoldsEveryKeyAdded) {
  constexpr uint64_t kKeys = 20000;
  TableKeyFilter filter(kKeys);
  for (uint64_t i = 0; i < kKeys; ++i) {
    ASSERT_TRUE(filter.Add(HashOf("key", i))) << i;
  }
  for (uint64_t i = 0; i < kKeys; ++i) {
    ASSERT_TRUE(filter.MayContain(HashOf("key", i))) << i;
  }
}

TEST(TableKeyFilterTest, FalsePositivesAsPromised) {
  constexpr uint64_t kCapacity = 48000;  // (whole words)
  TableKeyFilter filter(kCapacity);
  EXPECT_EQ(filter.memory_bytes(), kCapacity * TableKeyFilter::kBitsPerKey / 8);
  EXPECT_EQ(FalsePositiveRate(filter, 10000), 0.0);  // empty
  // Two thirds full, as right after a rebuild: ~2.5 %.
  const uint64_t rebuilt = kCapacity * 2 / 3;
  for (uint64_t i = 0; i < rebuilt; ++i) filter.Add(HashOf("key", i));
  EXPECT_LT(FalsePositiveRate(filter, 200000), 0.035);
  // Full: ~7 %.
  for (uint64_t i = rebuilt; i < kCapacity; ++i) filter.Add(HashOf("key", i));
  const double full_rate = FalsePositiveRate(filter, 200000);
  EXPECT_GT(full_rate, 0.0);
  EXPECT_LT(full_rate, 0.09);
}

TEST(TableKeyFilterTest, AKeyAddedAgainTakesNoRoom) {
  TableKeyFilter filter(1000);
  for (int round = 0; round < 5; ++round) {
    for (uint64_t i = 0; i < 300; ++i) ASSERT_TRUE(filter.Add(HashOf("k", i)));
  }
  // Each key counted once (a false positive among them would count none).
  EXPECT_LE(filter.keys(), 300u);
  EXPECT_GE(filter.keys(), 295u);
}

TEST(TableKeyFilterTest, RefusesNewKeysOnceFullButNotOldOnes) {
  TableKeyFilter filter(TableKeyFilter::kMinCapacity);
  EXPECT_EQ(filter.capacity(), TableKeyFilter::kMinCapacity);
  uint64_t i = 0;
  while (filter.keys() < filter.capacity()) {
    ASSERT_TRUE(filter.Add(HashOf("k", i++)));
  }
  // A key that sets a new bit is refused and not added.
  uint64_t refused = 0;
  for (uint64_t j = 0; j < 1000 && refused == 0; ++j) {
    const uint64_t h = HashOf("new", j);
    if (filter.MayContain(h)) continue;  // a false positive: nothing to set
    EXPECT_FALSE(filter.Add(h));
    EXPECT_FALSE(filter.MayContain(h));
    ++refused;
  }
  EXPECT_EQ(refused, 1u);
  // Keys already in are still accepted.
  EXPECT_TRUE(filter.Add(HashOf("k", 0)));
  EXPECT_EQ(filter.keys(), filter.capacity());
}

TEST(TableKeyFilterTest, SmallCapacitiesGetTheMinimum) {
  EXPECT_EQ(TableKeyFilter(0).capacity(), TableKeyFilter::kMinCapacity);
  EXPECT_EQ(TableKeyFilter(3).capacity(), TableKeyFilter::kMinCapacity);
  EXPECT_EQ(TableKeyFilter(5000).capacity(), 5000u);
}

TEST(TableKeyFilterBuilderTest, RebuildHoldsTheKeysWithRoomForHalfAsManyMore) {
  TableKeyFilterBuilder builder = TableKeyFilterBuilder::Rebuild();
  for (uint64_t i = 0; i < 1000; ++i) builder.AddKey(absl::StrCat("k", i));
  const std::shared_ptr<const TableKeyFilter> filter = builder.Finish();
  ASSERT_NE(filter, nullptr);
  EXPECT_EQ(filter->capacity(), 1500u);
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_TRUE(filter->MayContain(HashOf("k", i))) << i;
  }
}

TEST(TableKeyFilterBuilderTest, RebuildOfNothingIsAnEmptyFilter) {
  const std::shared_ptr<const TableKeyFilter> filter =
      TableKeyFilterBuilder::Rebuild().Finish();
  ASSERT_NE(filter, nullptr);
  EXPECT_EQ(FalsePositiveRate(*filter, 1000), 0.0);
}

TEST(TableKeyFilterBuilderTest, ExtendAddsToACopyAndLeavesTheOriginal) {
  TableKeyFilter current(1000);
  for (uint64_t i = 0; i < 100; ++i) current.Add(HashOf("old", i));
  TableKeyFilterBuilder builder = TableKeyFilterBuilder::Extend(&current);
  for (uint64_t i = 0; i < 100; ++i) builder.AddKey(absl::StrCat("new", i));
  const std::shared_ptr<const TableKeyFilter> next = builder.Finish();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->capacity(), 1000u);
  uint64_t original_holds_new = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    EXPECT_TRUE(next->MayContain(HashOf("old", i))) << i;
    EXPECT_TRUE(next->MayContain(HashOf("new", i))) << i;
    original_holds_new += current.MayContain(HashOf("new", i)) ? 1 : 0;
  }
  EXPECT_LT(original_holds_new, 10u);  // false positives only
  EXPECT_LE(current.keys(), 100u);
}

TEST(TableKeyFilterBuilderTest, ExtendOfNoFilterIsNoFilter) {
  TableKeyFilterBuilder builder = TableKeyFilterBuilder::Extend(nullptr);
  builder.AddKey("a");
  EXPECT_EQ(builder.Finish(), nullptr);
}

TEST(TableKeyFilterBuilderTest, ExtendPastTheRoomIsNoFilter) {
  TableKeyFilter current(TableKeyFilter::kMinCapacity);
  for (uint64_t i = 0; i < 100; ++i) current.Add(HashOf("old", i));
  TableKeyFilterBuilder fits = TableKeyFilterBuilder::Extend(&current);
  for (uint64_t i = 0; i < 20; ++i) fits.AddKey(absl::StrCat("new", i));
  EXPECT_NE(fits.Finish(), nullptr);
  TableKeyFilterBuilder overflows = TableKeyFilterBuilder::Extend(&current);
  for (uint64_t i = 0; i < 100; ++i) overflows.AddKey(absl::StrCat("new", i));
  EXPECT_EQ(overflows.Finish(), nullptr);
}

}  // namespace
}  // namespace kstone::core
