#include "core/storage/memory/bucketed_slots.h"

#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace kstone::core::memory_table_internal {
namespace {

constexpr uint32_t kTagMask = 0xFFFF0000u;  // tag above, payload below

uint32_t Value(uint32_t tag, uint32_t payload) { return tag << 16 | payload; }

// Every value whose tag matches, in the order Find visits them (collected
// through an accept function that takes none).
std::vector<uint32_t> Candidates(const BucketedSlots& slots, size_t bucket,
                                 uint32_t tag) {
  std::vector<uint32_t> seen;
  const uint32_t found =
      slots.Find(bucket, tag << 16, kTagMask, [&](uint32_t v) {
        seen.push_back(v);
        return false;
      });
  EXPECT_EQ(found, 0u);
  return seen;
}

TEST(BucketedSlotsTest, RoomForTheLoadInWholeLines) {
  BucketedSlots slots;
  EXPECT_TRUE(slots.empty());
  slots.Reset(100);  // 100 values: at least 126 slots, in buckets of 16
  EXPECT_FALSE(slots.empty());
  EXPECT_EQ(slots.num_buckets(), 8u);
  EXPECT_EQ(slots.num_slots(), 128u);
  slots.Reset(12);  // 12 + 3 + 1 slots: one bucket
  EXPECT_EQ(slots.num_buckets(), 1u);
  slots.Reset(13);  // 17: two
  EXPECT_EQ(slots.num_buckets(), 2u);
}

TEST(BucketedSlotsTest, FindsWhatWasInsertedAndNothingElse) {
  BucketedSlots slots;
  slots.Reset(40);
  ASSERT_EQ(slots.num_buckets(), 4u);
  slots.Insert(1, Value(7, 1));
  slots.Insert(1, Value(9, 2));
  slots.Insert(1, Value(7, 3));
  const auto take_payload = [](uint32_t want) {
    return [want](uint32_t v) { return (v & 0xFFFF) == want; };
  };
  EXPECT_EQ(slots.Find(1, 7u << 16, kTagMask, take_payload(3)), Value(7, 3));
  EXPECT_EQ(slots.Find(1, 9u << 16, kTagMask, take_payload(2)), Value(9, 2));
  // A tag that is not there, a value the accept function refuses, and
  // another bucket (empty: its search ends at once).
  EXPECT_EQ(slots.Find(1, 8u << 16, kTagMask, take_payload(1)), 0u);
  EXPECT_EQ(slots.Find(1, 7u << 16, kTagMask, take_payload(2)), 0u);
  EXPECT_EQ(slots.Find(2, 7u << 16, kTagMask, take_payload(1)), 0u);
  EXPECT_EQ(Candidates(slots, 1, 7),
            (std::vector<uint32_t>{Value(7, 1), Value(7, 3)}));
}

TEST(BucketedSlotsTest, ZeroTagNeverMatchesAnEmptySlot) {
  BucketedSlots slots;
  slots.Reset(40);
  slots.Insert(0, Value(0, 5));
  EXPECT_EQ(Candidates(slots, 0, 0), std::vector<uint32_t>{Value(0, 5)});
  EXPECT_TRUE(Candidates(slots, 1, 0).empty());
}

TEST(BucketedSlotsTest, AFullBucketOverflowsIntoTheNextAndTheLastWraps) {
  BucketedSlots slots;
  slots.Reset(60);  // 76 slots: 5 buckets
  ASSERT_EQ(slots.num_buckets(), 5u);
  const size_t last = slots.num_buckets() - 1;
  // 16 values fill the last bucket; 3 more go to bucket 0.
  for (uint32_t i = 1; i <= 19; ++i) slots.Insert(last, Value(i % 2, i));
  std::vector<uint32_t> odd;
  for (uint32_t i = 1; i <= 19; i += 2) odd.push_back(Value(1, i));
  EXPECT_EQ(Candidates(slots, last, 1), odd);
  // Bucket 0's own search sees the overflow too (it is in its slots) and
  // ends at its first empty slot.
  EXPECT_EQ(Candidates(slots, 0, 1),
            (std::vector<uint32_t>{Value(1, 17), Value(1, 19)}));
  // A value inserted at bucket 0 now goes after the overflow.
  slots.Insert(0, Value(1, 100));
  EXPECT_EQ(Candidates(slots, 0, 1),
            (std::vector<uint32_t>{Value(1, 17), Value(1, 19), Value(1, 100)}));
}

TEST(BucketedSlotsTest, RandomFillAtFullLoadAgreesWithAModel) {
  std::mt19937 rng(11);
  for (size_t n : {1, 15, 16, 17, 100, 1000, 5000}) {
    BucketedSlots slots;
    slots.Reset(n);
    // Tags from a small range, so that many collide.
    std::vector<std::pair<size_t, uint32_t>> inserted;
    for (uint32_t i = 1; i <= n; ++i) {
      const size_t bucket =
          slots.BucketOf((static_cast<uint64_t>(rng()) << 32) | rng());
      const uint32_t v = Value(rng() % 8, i);
      slots.Insert(bucket, v);
      inserted.emplace_back(bucket, v);
    }
    for (const auto& [bucket, v] : inserted) {
      EXPECT_EQ(slots.Find(bucket, v & kTagMask, kTagMask,
                           [v = v](uint32_t s) { return s == v; }),
                v)
          << "n=" << n;
    }
    // A payload never inserted is never found, from any bucket.
    for (size_t b = 0; b < slots.num_buckets(); ++b) {
      for (uint32_t tag = 0; tag < 8; ++tag) {
        EXPECT_EQ(slots.Find(b, tag << 16, kTagMask,
                             [](uint32_t s) { return (s & 0xFFFF) == 0; }),
                  0u);
      }
    }
  }
}

}  // namespace
}  // namespace kstone::core::memory_table_internal
