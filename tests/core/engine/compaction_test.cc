#include "core/engine/compaction.h"

#include <vector>

#include "gtest/gtest.h"

namespace kstone::core {
namespace {

TEST(CompactionPolicyTest, NothingUntilOverTheLimit) {
  EXPECT_EQ(PickCompactionInputs({}, 4, false), 0u);
  EXPECT_EQ(PickCompactionInputs({1, 1, 1, 1}, 4, false), 0u);
  EXPECT_EQ(PickCompactionInputs({5}, 1, false), 0u);
}

TEST(CompactionPolicyTest, MergesNewestTablesAndLeavesBigOldOnes) {
  // 5 tables, limit 4: at least the newest 2; the third (100) is far larger.
  EXPECT_EQ(PickCompactionInputs({10, 10, 100, 1000, 1000}, 4, false), 2u);
  // Similar sizes are merged together.
  EXPECT_EQ(PickCompactionInputs({10, 10, 30, 1000, 1000}, 4, false), 3u);
  EXPECT_EQ(PickCompactionInputs({10, 10, 10, 10, 10}, 4, false), 5u);
  // Limit 1: everything.
  EXPECT_EQ(PickCompactionInputs({1, 1000}, 1, false), 2u);
}

TEST(CompactionPolicyTest, AtMostTheLimitRemains) {
  for (int limit = 1; limit <= 6; ++limit) {
    for (size_t n = 0; n < 20; ++n) {
      std::vector<uint64_t> sizes;
      for (size_t i = 0; i < n; ++i) sizes.push_back(1u << (i % 12));
      const size_t k = PickCompactionInputs(sizes, limit, false);
      const size_t after = k == 0 ? n : n - k + 1;
      EXPECT_LE(after,
                static_cast<size_t>(limit) > n ? n : static_cast<size_t>(limit))
          << n << " " << limit;
    }
  }
}

TEST(CompactionPolicyTest, FullMergesAll) {
  EXPECT_EQ(PickCompactionInputs({1}, 4, true), 0u);
  EXPECT_EQ(PickCompactionInputs({1, 2}, 4, true), 2u);
}

}  // namespace
}  // namespace kstone::core
