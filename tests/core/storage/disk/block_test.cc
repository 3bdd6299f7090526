// BlockBuilder + Block/BlockIterator: round trips with restarts and repeated
// keys, seeks in both directions, and malformed blocks.

#include "core/storage/disk/block.h"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block_builder.h"
#include "core/util/coding.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

std::unique_ptr<const Block> BuildBlock(const Entries& entries,
                                        int restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [key, value] : entries) builder.Add(key, value);
  return Block::Parse(std::string(builder.Finish()));
}

Entries SampleEntries() {
  // Sorted, with repeated keys and keys that are prefixes of others.
  return {{"", "empty"},  {"a", "1"},        {"a", "2"},   {"a", "3"},
          {"ab", "4"},    {"abc", "5"},      {"abd", "6"}, {"b", "7"},
          {"b\0c", "8"},  {"bb", "9"},       {"bb", "10"}, {"c", "11"},
          {"\xff", "12"}, {"\xff\xff", "13"}};
}

class BlockTest : public ::testing::TestWithParam<int> {};

TEST_P(BlockTest, ScansBothWays) {
  Entries entries = SampleEntries();
  auto block = BuildBlock(entries, GetParam());
  ASSERT_NE(block, nullptr);
  BlockIterator it(block.get());
  it.SeekToFirst();
  for (const auto& [key, value] : entries) {
    ASSERT_TRUE(it.Valid());
    EXPECT_EQ(it.key(), key);
    EXPECT_EQ(it.value(), value);
    it.Next();
  }
  EXPECT_FALSE(it.Valid());
  it.SeekToLast();
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
    ASSERT_TRUE(it.Valid());
    EXPECT_EQ(it.key(), e->first);
    EXPECT_EQ(it.value(), e->second);
    it.Prev();
  }
  EXPECT_FALSE(it.Valid());
  EXPECT_FALSE(it.corrupt());
}

TEST_P(BlockTest, SeekFindsFirstEntryNotLess) {
  Entries entries = SampleEntries();
  auto block = BuildBlock(entries, GetParam());
  ASSERT_NE(block, nullptr);
  std::vector<std::string> targets = {
      "",   "a",  "a\0", "aa", "ab",   "abcd",     "b",           "ba",
      "bb", "bc", "c",   "d",  "\xff", "\xff\xff", "\xff\xff\xff"};
  for (const std::string& target : targets) {
    SCOPED_TRACE(target);
    size_t expected = 0;
    while (expected < entries.size() && entries[expected].first < target) {
      ++expected;
    }
    BlockIterator it(block.get());
    it.Seek(target);
    if (expected == entries.size()) {
      EXPECT_FALSE(it.Valid());
      continue;
    }
    ASSERT_TRUE(it.Valid());
    EXPECT_EQ(it.key(), entries[expected].first);
    EXPECT_EQ(it.value(), entries[expected].second);
  }
}

INSTANTIATE_TEST_SUITE_P(RestartIntervals, BlockTest,
                         ::testing::Values(1, 2, 3, 16));

TEST(BlockBuilderTest, EmptyBlockHasNoEntries) {
  BlockBuilder builder(16);
  EXPECT_TRUE(builder.empty());
  auto block = Block::Parse(std::string(builder.Finish()));
  ASSERT_NE(block, nullptr);
  BlockIterator it(block.get());
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.SeekToLast();
  EXPECT_FALSE(it.Valid());
  it.Seek("a");
  EXPECT_FALSE(it.Valid());
  EXPECT_FALSE(it.corrupt());
}

TEST(BlockBuilderTest, ResetStartsAFreshBlock) {
  BlockBuilder builder(2);
  builder.Add("zzz", "old");
  builder.Finish();
  builder.Reset();
  builder.Add("a", "v");
  EXPECT_LT(builder.SizeEstimate(), 20u);
  auto block = Block::Parse(std::string(builder.Finish()));
  ASSERT_NE(block, nullptr);
  BlockIterator it(block.get());
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "a");
  it.Next();
  EXPECT_FALSE(it.Valid());
}

TEST(BlockBuilderTest, ValueInTwoParts) {
  BlockBuilder builder(16);
  builder.Add("k", "head-", "tail");
  auto block = Block::Parse(std::string(builder.Finish()));
  ASSERT_NE(block, nullptr);
  BlockIterator it(block.get());
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.value(), "head-tail");
}

TEST(BlockParseTest, MalformedRestartArraysAreRejected) {
  EXPECT_EQ(Block::Parse(""), nullptr);
  EXPECT_EQ(Block::Parse("abc"), nullptr);
  std::string too_many;
  PutFixed32(&too_many, 1000);  // 1000 restarts in a 4-byte block
  EXPECT_EQ(Block::Parse(too_many), nullptr);
  std::string out_of_range = "xxxx";
  PutFixed32(&out_of_range, 99);  // restart beyond the entries
  PutFixed32(&out_of_range, 1);
  EXPECT_EQ(Block::Parse(out_of_range), nullptr);
  std::string decreasing = "xxxxxxxx";
  PutFixed32(&decreasing, 4);
  PutFixed32(&decreasing, 2);
  PutFixed32(&decreasing, 2);
  EXPECT_EQ(Block::Parse(decreasing), nullptr);
}

TEST(BlockParseTest, CorruptEntriesInvalidateTheIterator) {
  BlockBuilder builder(16);
  builder.Add("key1", "v1");
  builder.Add("key2", "v2");
  std::string contents(builder.Finish());
  contents[0] = 5;  // shared = 5 at a restart point: nothing to share
  auto block = Block::Parse(contents);
  ASSERT_NE(block, nullptr);
  BlockIterator it(block.get());
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.corrupt());
  EXPECT_EQ(it.corrupt_offset(), 0u);
}

TEST(BlockParseTest, RandomBytesNeverCrash) {
  uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed=", seed));
  std::mt19937_64 rng(seed);
  BlockBuilder builder(3);
  for (int i = 0; i < 40; ++i) {
    builder.Add(absl::StrCat("key", 100 + i), std::string(i % 7, 'v'));
  }
  const std::string good(builder.Finish());
  for (int round = 0; round < 2000; ++round) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] = char(rng());
    if (rng() % 4 == 0) bad.resize(rng() % bad.size());
    auto block = Block::Parse(bad);
    if (block == nullptr) continue;
    BlockIterator it(block.get());
    int steps = 0;
    for (it.SeekToFirst(); it.Valid() && steps < 1000; it.Next()) ++steps;
    for (it.SeekToLast(); it.Valid() && steps < 2000; it.Prev()) ++steps;
    it.Seek("key120");
    if (it.Valid()) it.Prev();
  }
}

}  // namespace
}  // namespace kstone::core
