// The data block hash index (SST format version 2): a block built with one
// answers every point lookup as BlockIterator::Seek does (random keys at
// several restart intervals: block_seek_exact_test.cc), shares key prefixes
// only with the restart key, leaves out what it cannot index, and a damaged
// index is reported or harmless, never a crash.

#include "core/storage/disk/block_hash_index.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block.h"
#include "core/storage/disk/block_builder.h"
#include "core/util/coding.h"
#include "core/util/hash.h"
#include "gtest/gtest.h"
#include "tests/core/storage/disk/block_test_util.h"

namespace kstone::core {
namespace {

using block_test::Entries;
using block_test::ExpectSameAsIterator;
using block_test::Targets;
constexpr auto kHashed = Block::Format::kMayHaveHashIndex;

std::string HashedContents(const Entries& entries, int restart_interval = 16) {
  return block_test::BlockContents(entries, restart_interval,
                                   /*hash_index=*/true);
}

// Sorted keys with repeats (versions), `n` distinct ones.
Entries Versions(int n) {
  Entries entries;
  for (int i = 0; i < n; ++i) {
    const std::string key = absl::StrCat("key", 100000 + 7 * i);
    entries.emplace_back(key, absl::StrCat("new", i));
    if (i % 3 == 0) entries.emplace_back(key, absl::StrCat("old", i));
  }
  return entries;
}

TEST(BlockHashIndexTest, FindsTheNewestVersionOfEveryKey) {
  for (int n : {1, 2, 15, 16, 17, 100, 700}) {
    SCOPED_TRACE(absl::StrCat(n, " keys"));
    const Entries entries = Versions(n);
    auto block = Block::Parse(HashedContents(entries), kHashed);
    ASSERT_NE(block, nullptr);
    ASSERT_TRUE(block->has_hash_index());
    for (int i = 0; i < n; ++i) {
      std::string_view value;
      uint32_t offset = 0;
      ASSERT_EQ(block->SeekExact(absl::StrCat("key", 100000 + 7 * i), &value,
                                 &offset),
                Block::SeekResult::kFound);
      EXPECT_EQ(value, absl::StrCat("new", i));
    }
    for (const std::string& target : Targets(entries)) {
      ExpectSameAsIterator(*block, target);
    }
  }
}

// "b1" shares "b" with the previous key "b0" but nothing with its restart
// key "a1": a lookup reads only the entry and the restart key, so the
// builder must not share "b".
TEST(BlockHashIndexTest, KeysShareOnlyWhatTheRestartKeyHas) {
  auto block = Block::Parse(
      HashedContents({{"a1", "x"}, {"b0", "y"}, {"b1", "z"}}), kHashed);
  ASSERT_NE(block, nullptr);
  std::string_view value;
  uint32_t offset = 0;
  ASSERT_EQ(block->SeekExact("b1", &value, &offset), Block::SeekResult::kFound);
  EXPECT_EQ(value, "z");
  BlockIterator it(block.get());
  std::vector<std::string> keys;
  for (it.SeekToFirst(); it.Valid(); it.Next()) keys.emplace_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"a1", "b0", "b1"}));
}

// The layout and hash of docs/formats/sst.md, decoded by hand: the bucket
// count, the seed, the home bucket and linear probing, the first entry of
// each key, and prefixes shared only with the restart key.
TEST(BlockHashIndexTest, TheIndexFollowsTheSpec) {
  const Entries entries = Versions(30);  // 30 keys, 40 entries
  const std::string contents = HashedContents(entries, 4);
  const uint32_t footer = DecodeFixed32(contents.data() + contents.size() - 4);
  ASSERT_EQ(footer, (uint32_t{1} << 31) | 10);  // 40 entries / 4 restarts
  const uint32_t num_buckets =
      DecodeFixed32(contents.data() + contents.size() - 8);
  ASSERT_EQ(num_buckets, 30u + 10 + 1);
  const size_t buckets = contents.size() - 8 - 2 * num_buckets;
  const size_t restarts = buckets - 4 * 10;
  // Walk the entries: each key's first offset, and what it shares.
  std::vector<std::pair<std::string, uint32_t>> firsts;
  std::string previous, restart_key;
  std::string_view in(contents.data(), restarts);
  for (int i = 0; !in.empty(); ++i) {
    const uint32_t offset = static_cast<uint32_t>(restarts - in.size());
    uint32_t shared, non_shared, value_len;
    ASSERT_TRUE(GetVarint32(&in, &shared) && GetVarint32(&in, &non_shared) &&
                GetVarint32(&in, &value_len));
    const std::string key =
        previous.substr(0, shared) + std::string(in.substr(0, non_shared));
    in.remove_prefix(non_shared + value_len);
    if (i % 4 == 0) {
      EXPECT_EQ(DecodeFixed32(contents.data() + restarts + i), offset);
      restart_key = key;
    }
    EXPECT_EQ(restart_key.substr(0, shared), key.substr(0, shared));
    if (firsts.empty() || firsts.back().first != key) {
      firsts.emplace_back(key, offset);
    }
    previous = key;
  }
  ASSERT_EQ(firsts.size(), 30u);
  for (const auto& [key, offset] : firsts) {
    SCOPED_TRACE(key);
    const uint64_t h = Hash64(key, 0x6b7374626c6bULL);
    uint32_t i = static_cast<uint32_t>(((h >> 32) * num_buckets) >> 32);
    for (int probes = 0;; ++probes) {
      ASSERT_LT(probes, 30);
      const uint16_t bucket = static_cast<uint16_t>(
          static_cast<uint8_t>(contents[buckets + 2 * i]) |
          static_cast<uint8_t>(contents[buckets + 2 * i + 1]) << 8);
      ASSERT_NE(bucket, 0xFFFF);
      if (bucket == offset) break;
      i = (i + 1) % num_buckets;
    }
  }
}

TEST(BlockHashIndexTest, OnlyDataBlocksOfVersion2MayHaveAnIndex) {
  const std::string contents = HashedContents(Versions(10));
  EXPECT_EQ(Block::Parse(contents), nullptr);  // Format::kPlain
  Block view;
  EXPECT_FALSE(Block::ParseInto(contents, &view));
  EXPECT_NE(Block::ParseView(contents, kHashed), nullptr);
  // Without the index, the same builder writes a plain block.
  BlockBuilder plain(16);
  plain.Add("k", "v");
  auto block = Block::Parse(std::string(plain.Finish()), kHashed);
  ASSERT_NE(block, nullptr);
  EXPECT_FALSE(block->has_hash_index());
}

TEST(BlockHashIndexTest, AnEntryBeyondTheLargestOffsetLeavesTheIndexOut) {
  const Entries entries = {{"a", std::string(kBlockHashMaxOffset, 'v')},
                           {"b", "small"}};
  BlockBuilder builder(16, /*hash_index=*/true);
  for (const auto& [key, value] : entries) builder.Add(key, value);
  auto block = Block::Parse(std::string(builder.Finish()), kHashed);
  ASSERT_NE(block, nullptr);
  EXPECT_FALSE(block->has_hash_index());
  for (const std::string& target : Targets(entries)) {
    ExpectSameAsIterator(*block, target);
  }
}

TEST(BlockHashIndexTest, SizeEstimateCountsTheIndex) {
  BlockBuilder builder(16, /*hash_index=*/true);
  for (const auto& [key, value] : Versions(50)) builder.Add(key, value);
  const size_t estimate = builder.SizeEstimate();
  EXPECT_EQ(builder.Finish().size(), estimate);
}

// The layout's tail: [buckets][num_buckets:fixed32][footer:fixed32].
struct Tail {
  size_t buckets;  // where the buckets start
  uint32_t num_buckets;
};
Tail TailOf(const std::string& contents) {
  const uint32_t n = DecodeFixed32(contents.data() + contents.size() - 8);
  return {contents.size() - 8 - 2 * size_t{n}, n};
}

// Overwrites one to four random bytes of `bytes`, half of them from
// `tail` on (the restart array and the hash index).
void DamageBytes(std::mt19937_64& rng, size_t tail, std::string* bytes) {
  for (int f = 1 + static_cast<int>(rng() % 4); f > 0; --f) {
    const size_t at = rng() % 2 == 0 ? rng() % bytes->size()
                                     : tail + rng() % (bytes->size() - tail);
    (*bytes)[at] = static_cast<char>(rng());
  }
}

TEST(BlockHashIndexCorruptionTest, MalformedTailsAreRejected) {
  const std::string good = HashedContents(Versions(20));
  ASSERT_NE(Block::Parse(good, kHashed), nullptr);
  const size_t count_at = good.size() - 8;
  for (uint32_t bad_count :
       {0u, 0x7fffffffu, 0xffffffffu, static_cast<uint32_t>(good.size())}) {
    std::string bad = good;
    EncodeFixed32(bad.data() + count_at, bad_count);
    EXPECT_EQ(Block::Parse(bad, kHashed), nullptr) << bad_count;
  }
  // The flag with no room for the count.
  std::string tiny(4, '\0');
  EncodeFixed32(tiny.data(), kBlockHashIndexFlag | 1);
  EXPECT_EQ(Block::Parse(tiny, kHashed), nullptr);
}

TEST(BlockHashIndexCorruptionTest, ABucketPastTheEntriesIsCorrupt) {
  std::string contents = HashedContents({{"key1", "v1"}});
  const Tail tail = TailOf(contents);
  // Point every bucket past the entries.
  for (uint32_t i = 0; i < tail.num_buckets; ++i) {
    contents[tail.buckets + 2 * i] = '\xf0';
    contents[tail.buckets + 2 * i + 1] = '\x0f';
  }
  auto block = Block::Parse(contents, kHashed);
  ASSERT_NE(block, nullptr);
  std::string_view value;
  uint32_t offset = 0;
  EXPECT_EQ(block->SeekExact("key1", &value, &offset),
            Block::SeekResult::kCorrupt);
  EXPECT_EQ(offset, 0x0ff0u);
}

TEST(BlockHashIndexCorruptionTest, AProbeWithoutAnEmptyBucketEnds) {
  std::string contents = HashedContents({{"key1", "v1"}, {"key2", "v2"}});
  const Tail tail = TailOf(contents);
  // Every bucket names the first entry, "key1".
  for (uint32_t i = 0; i < tail.num_buckets; ++i) {
    contents[tail.buckets + 2 * i] = 0;
    contents[tail.buckets + 2 * i + 1] = 0;
  }
  auto block = Block::Parse(contents, kHashed);
  ASSERT_NE(block, nullptr);
  std::string_view value;
  uint32_t offset = 0;
  EXPECT_EQ(block->SeekExact("key2", &value, &offset),
            Block::SeekResult::kAbsent);
  ASSERT_EQ(block->SeekExact("key1", &value, &offset),
            Block::SeekResult::kFound);
  EXPECT_EQ(value, "v1");
}

TEST(BlockHashIndexCorruptionTest, ARestartKeyShorterThanTheSharedPrefix) {
  // "key2" shares "key" with the restart key "key1"; cut the restart key's
  // length to 2 (and its value grows by one, so the entries still parse).
  std::string contents = HashedContents({{"key1", "v1"}, {"key2", "v2"}});
  ASSERT_EQ(contents[1], 4);  // non_shared of "key1"
  contents[1] = 2;
  contents[2] = 4;
  auto block = Block::Parse(contents, kHashed);
  ASSERT_NE(block, nullptr);
  std::string_view value;
  uint32_t offset = 99;
  EXPECT_EQ(block->SeekExact("key2", &value, &offset),
            Block::SeekResult::kCorrupt);
  EXPECT_EQ(offset, 0u);
}

// A good hashed block to damage, the keys to look up in the damage, and a
// random source whose seed each failure names.
class DamagedHashedBlockTest : public ::testing::Test {
 protected:
  const uint64_t seed_ = std::random_device()();
  std::mt19937_64 rng_{seed_};
  const Entries entries_ = Versions(40);
  const std::string good_ = HashedContents(entries_, 3);
  const std::vector<std::string> targets_ = Targets(entries_);
  const size_t tail_ = TailOf(good_).buckets - 16;  // around the index
};

TEST_F(DamagedHashedBlockTest, DamagedBlocksNeverCrash) {
  SCOPED_TRACE(absl::StrCat("seed ", seed_));
  int parsed = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string bad = good_;
    DamageBytes(rng_, tail_, &bad);
    auto block = Block::Parse(bad, kHashed);
    if (block == nullptr) continue;
    ++parsed;
    for (const std::string& target : targets_) {
      std::string_view value;
      uint32_t offset = 0;
      const Block::SeekResult result =
          block->SeekExact(target, &value, &offset);
      if (result == Block::SeekResult::kFound) {
        EXPECT_LE(value.size(), bad.size());
        // Readable (an overrun would show under ASan).
        if (!value.empty()) {
          [[maybe_unused]] volatile char last = value.back();
        }
      }
    }
  }
  EXPECT_GT(parsed, 100);
}

// Block::PrefetchHashedProbe reads a block before it is verified: on
// damaged or cut bytes it must stay inside them (ASan sees every byte read:
// each block is copied to an allocation of its own size) and name a bucket
// of the index it read, the one SeekExact starts from if the block parses.
TEST_F(DamagedHashedBlockTest, ProbeHintsOnDamagedBytesStayInside) {
  SCOPED_TRACE(absl::StrCat("seed ", seed_));
  int hinted = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string bad = good_;
    if (round % 4 == 0) {
      bad.resize(rng_() % bad.size());  // cut short
    } else {
      DamageBytes(rng_, tail_, &bad);
    }
    const std::vector<char> exact(bad.begin(), bad.end());
    const std::string_view contents(exact.data(), exact.size());
    auto block = Block::Parse(bad, kHashed);
    for (const std::string& target : targets_) {
      const uint32_t home = Block::PrefetchHashedProbe(contents, target);
      if (home == UINT32_MAX) continue;
      ++hinted;
      ASSERT_GE(bad.size(), 8u);
      const uint32_t num_buckets = TailOf(bad).num_buckets;
      ASSERT_LT(home, num_buckets);
      EXPECT_EQ(home, BlockHashHome(BlockHashOf(target), num_buckets));
      if (block != nullptr && block->has_hash_index()) {
        EXPECT_EQ(block->num_buckets(), num_buckets);
      }
    }
  }
  EXPECT_GT(hinted, 1000);
}

}  // namespace
}  // namespace kstone::core
