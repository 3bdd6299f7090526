// Block::SeekExact (the point lookup of SstReader::Get) against
// BlockIterator::Seek: the same entry, the same answer, and the same
// corruption at the same offset, on sorted, repeated, prefix-sharing and
// random keys, in blocks with and without a hash index, and on randomly
// damaged blocks.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block.h"
#include "core/storage/disk/block_builder.h"
#include "gtest/gtest.h"
#include "tests/core/storage/disk/block_test_util.h"

namespace kstone::core {
namespace {

using block_test::Entries;
using block_test::ExpectSameAsIterator;
using block_test::Targets;

// Restart interval, and whether the block has a hash index (SST format
// version 2), which SeekExact then answers from.
class BlockSeekExactTest
    : public ::testing::TestWithParam<std::tuple<int, bool>> {
 protected:
  std::unique_ptr<const Block> Build(const Entries& entries) const {
    const auto [interval, hashed] = GetParam();
    return Block::Parse(
        block_test::BlockContents(entries, interval, hashed),
        hashed ? Block::Format::kMayHaveHashIndex : Block::Format::kPlain);
  }
};

TEST_P(BlockSeekExactTest, FindsTheNewestVersionOfAKey) {
  const Entries entries = {{"", "empty"},  {"a", "1"},        {"a", "2"},
                           {"a", "3"},     {"ab", "4"},       {"abc", "5"},
                           {"abd", "6"},   {"b", "7"},        {"b\0c", "8"},
                           {"bb", "9"},    {"bb", "10"},      {"c", "11"},
                           {"\xff", "12"}, {"\xff\xff", "13"}};
  auto block = Build(entries);
  ASSERT_NE(block, nullptr);
  std::string_view value;
  uint32_t offset = 0;
  ASSERT_EQ(block->SeekExact("a", &value, &offset), Block::SeekResult::kFound);
  EXPECT_EQ(value, "1");
  ASSERT_EQ(block->SeekExact("bb", &value, &offset), Block::SeekResult::kFound);
  EXPECT_EQ(value, "9");
  ASSERT_EQ(block->SeekExact("", &value, &offset), Block::SeekResult::kFound);
  EXPECT_EQ(value, "empty");
  EXPECT_EQ(block->SeekExact("aa", &value, &offset),
            Block::SeekResult::kAbsent);
  EXPECT_EQ(block->SeekExact("d", &value, &offset), Block::SeekResult::kAbsent);
  for (const std::string& target : Targets(entries)) {
    ExpectSameAsIterator(*block, target);
  }
}

TEST_P(BlockSeekExactTest, RandomKeysAgreeWithTheIterator) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  for (int round = 0; round < 30; ++round) {
    const std::string stem(rng() % 10, 'k');
    auto random_key = [&] {
      std::string key = stem;
      const size_t n = rng() % 10;
      for (size_t i = 0; i < n; ++i) {
        const char alphabet[] = {'\0', 'a', 'b', '\x7f', '\x80', '\xff'};
        key.push_back(alphabet[rng() % 6]);
      }
      return key;
    };
    Entries entries(1 + rng() % 100);
    for (auto& [key, value] : entries) {
      key = random_key();
      value = std::string(rng() % 5, 'v');
    }
    std::stable_sort(
        entries.begin(), entries.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
    auto block = Build(entries);
    ASSERT_NE(block, nullptr);
    std::vector<std::string> targets = Targets(entries);
    for (int i = 0; i < 50; ++i) targets.push_back(random_key());
    for (const std::string& target : targets) {
      ExpectSameAsIterator(*block, target);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    RestartIntervals, BlockSeekExactTest,
    ::testing::Combine(::testing::Values(1, 2, 3, 16), ::testing::Bool()),
    [](const auto& param_info) {
      return absl::StrCat("Interval", std::get<0>(param_info.param),
                          std::get<1>(param_info.param) ? "Hashed" : "Plain");
    });

TEST(BlockSeekExactCorruptionTest, SharedBytesAtARestart) {
  BlockBuilder builder(16);
  builder.Add("key1", "v1");
  builder.Add("key2", "v2");
  std::string contents(builder.Finish());
  contents[0] = 5;  // shared = 5 at a restart point: nothing to share
  auto block = Block::Parse(contents);
  ASSERT_NE(block, nullptr);
  std::string_view value;
  uint32_t offset = 99;
  EXPECT_EQ(block->SeekExact("key2", &value, &offset),
            Block::SeekResult::kCorrupt);
  EXPECT_EQ(offset, 0u);
}

TEST(BlockSeekExactCorruptionTest, DamagedBlocksAgreeWithTheIterator) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  Entries entries;
  for (int i = 0; i < 40; ++i) {
    entries.emplace_back(absl::StrCat("key", 100 + i), std::string(i % 7, 'v'));
  }
  const std::string good = block_test::BlockContents(entries, 3);
  const std::vector<std::string> targets = Targets(entries);
  int parsed = 0;
  for (int round = 0; round < 1000; ++round) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      bad[rng() % bad.size()] = static_cast<char>(rng());
    }
    if (rng() % 4 == 0) bad.resize(rng() % bad.size());
    auto block = Block::Parse(bad);
    if (block == nullptr) continue;
    ++parsed;
    for (size_t t = 0; t < targets.size(); t += 1 + rng() % 8) {
      ExpectSameAsIterator(*block, targets[t]);
    }
  }
  EXPECT_GT(parsed, 100);
}

}  // namespace
}  // namespace kstone::core
