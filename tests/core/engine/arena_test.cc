#include "core/engine/arena.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace kstone::core {
namespace {

// Allocations from both ends of the blocks never overlap, keep their
// contents, and the aligned ones are aligned.
TEST(ArenaTest, BothEndsNeverOverlap) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  Arena arena;
  std::vector<std::pair<char*, size_t>> got;
  for (int i = 0; i < 20000; ++i) {
    // Mostly small, sometimes larger than a quarter block (own block).
    const size_t bytes = rng() % 50 == 0 ? 1 + rng() % 40000 : 1 + rng() % 200;
    const bool from_end = rng() % 2 == 0;
    char* p =
        from_end ? arena.AllocateFromEnd(bytes) : arena.AllocateAligned(bytes);
    if (!from_end) {
      ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u);
    }
    std::memset(p, static_cast<char>(i), bytes);
    got.emplace_back(p, bytes);
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const auto [p, bytes] = got[i];
    for (size_t j = 0; j < bytes; ++j) {
      ASSERT_EQ(p[j], static_cast<char>(i)) << "allocation " << i;
    }
  }
  EXPECT_GT(arena.memory_usage(), 20000u);
}

}  // namespace
}  // namespace kstone::core
