// BlockCache: CLOCK eviction, byte capacity, hit/miss/eviction accounting, and
// the cache as the SST reader uses it.

#include "core/storage/disk/block_cache.h"

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block.h"
#include "core/storage/disk/block_builder.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

std::shared_ptr<const Block> MakeBlock(size_t value_bytes) {
  BlockBuilder builder(16);
  builder.Add("k", std::string(value_bytes, 'v'));
  return Block::Parse(std::string(builder.Finish()));
}

TEST(BlockCacheTest, LookupMissThenHit) {
  BlockCache cache(1 << 20, /*shard_bits=*/0);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  auto block = MakeBlock(100);
  cache.Insert(1, 0, block);
  EXPECT_EQ(cache.Lookup(1, 0), block);
  EXPECT_EQ(cache.Lookup(1, 4096), nullptr);  // other offset
  EXPECT_EQ(cache.Lookup(2, 0), nullptr);     // other file
  BlockCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(stats.inserts, 1u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.usage, block->charge());
}

TEST(BlockCacheTest, EvictsBlocksNotUsedSinceTheHandPassed) {
  size_t charge = MakeBlock(1000)->charge();
  BlockCache cache(3 * charge, /*shard_bits=*/0);
  for (uint64_t i = 0; i < 3; ++i) cache.Insert(1, i, MakeBlock(1000));
  EXPECT_EQ(cache.stats().evictions, 0u);
  ASSERT_NE(cache.Lookup(1, 0), nullptr);  // 0 is now most recent
  cache.Insert(1, 3, MakeBlock(1000));     // evicts 1, the oldest
  BlockCacheStats stats = cache.stats();
  EXPECT_EQ(stats.evictions, 1u);
  EXPECT_EQ(stats.entries, 3u);
  EXPECT_LE(stats.usage, 3 * charge);
  EXPECT_NE(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(cache.Lookup(1, 1), nullptr);
  EXPECT_NE(cache.Lookup(1, 2), nullptr);
  EXPECT_NE(cache.Lookup(1, 3), nullptr);
}

// A block that keeps being read survives any number of inserts of blocks
// read once (a scan streaming through the cache).
TEST(BlockCacheTest, HotBlockSurvivesAStreamOfColdOnes) {
  const size_t charge = MakeBlock(1000)->charge();
  BlockCache cache(4 * charge, /*shard_bits=*/0);
  auto hot = MakeBlock(1000);
  cache.Insert(7, 0, hot);
  for (uint64_t i = 1; i <= 100; ++i) {
    ASSERT_EQ(cache.Lookup(7, 0), hot) << i;
    cache.Insert(7, i * 4096, MakeBlock(1000));
    BlockCacheStats stats = cache.stats();
    ASSERT_LE(stats.usage, 4 * charge);
    ASSERT_LE(stats.entries, 4u);
  }
  EXPECT_EQ(cache.stats().evictions, 100u - 3u);
  EXPECT_NE(cache.Lookup(7, 100 * 4096), nullptr);  // the newest stays too
}

TEST(BlockCacheTest, EvictedBlockStaysAliveForItsHolder) {
  size_t charge = MakeBlock(1000)->charge();
  BlockCache cache(charge, /*shard_bits=*/0);
  auto held = MakeBlock(1000);
  cache.Insert(1, 0, held);
  cache.Insert(1, 1, MakeBlock(1000));  // evicts block 0
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  BlockIterator it(held.get());
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.value().size(), 1000u);
}

TEST(BlockCacheTest, OversizedBlocksAndZeroCapacityAreNotCached) {
  BlockCache tiny(100, /*shard_bits=*/0);
  tiny.Insert(1, 0, MakeBlock(1000));
  EXPECT_EQ(tiny.Lookup(1, 0), nullptr);
  EXPECT_EQ(tiny.stats().usage, 0u);
  BlockCache none(0);
  none.Insert(1, 0, MakeBlock(10));
  EXPECT_EQ(none.Lookup(1, 0), nullptr);
}

TEST(BlockCacheTest, ReinsertReplacesWithoutCountingEviction) {
  BlockCache cache(1 << 20, /*shard_bits=*/0);
  cache.Insert(1, 0, MakeBlock(10));
  auto second = MakeBlock(20);
  cache.Insert(1, 0, second);
  EXPECT_EQ(cache.Lookup(1, 0), second);
  BlockCacheStats stats = cache.stats();
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.evictions, 0u);
  EXPECT_EQ(stats.usage, second->charge());
}

TEST(BlockCacheTest, EraseFileDropsOnlyThatFile) {
  BlockCache cache(1 << 20);
  for (uint64_t i = 0; i < 50; ++i) {
    cache.Insert(1, i * 4096, MakeBlock(10));
    cache.Insert(2, i * 4096, MakeBlock(10));
  }
  cache.EraseFile(1);
  EXPECT_EQ(cache.stats().entries, 50u);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_NE(cache.Lookup(2, 0), nullptr);
}

TEST(BlockCacheTest, SstReadsGoThroughTheCache) {
  auto fs = NewMemFileSystem();
  KS_ASSERT_OK(fs->CreateDir("/db"));
  SstBuilderOptions options;
  options.block_size = 256;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs.get(), "/db", 9, options));
  for (int i = 0; i < 200; ++i) {
    KS_ASSERT_OK(builder->Add({absl::StrCat("key", 1000 + i), 1,
                               RecordType::kValue, std::string(20, 'v')}));
  }
  KS_ASSERT_OK(builder->Finish().status());
  auto cache = std::make_shared<BlockCache>(1 << 20);
  KS_ASSERT_OK_AND_ASSIGN(
      auto reader, SstReader::Open(fs.get(), "/db/000009.sst", 9, cache));
  KS_ASSERT_OK(reader->Get("key1000").status());
  EXPECT_EQ(cache->stats().misses, 1u);
  EXPECT_EQ(cache->stats().hits, 0u);
  KS_ASSERT_OK(reader->Get("key1001").status());  // same block
  EXPECT_EQ(cache->stats().hits, 1u);
  // A full scan misses each block once; a second scan only hits.
  auto it = reader->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
  }
  BlockCacheStats first = cache->stats();
  EXPECT_GT(first.entries, 10u);
  EXPECT_EQ(first.misses, first.entries);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
  }
  BlockCacheStats second = cache->stats();
  EXPECT_EQ(second.misses, first.misses);
  EXPECT_GE(second.hits, first.hits + first.entries);
}

// Several threads read one table through a cache too small for it, so
// lookups, inserts and evictions race (run under ASan/TSan in CI).
TEST(BlockCacheTest, ConcurrentReadersShareTheCache) {
  auto fs = NewMemFileSystem();
  KS_ASSERT_OK(fs->CreateDir("/db"));
  SstBuilderOptions options;
  options.block_size = 256;
  KS_ASSERT_OK_AND_ASSIGN(auto builder,
                          SstBuilder::Create(fs.get(), "/db", 3, options));
  constexpr int kKeys = 2000;
  for (int i = 0; i < kKeys; ++i) {
    KS_ASSERT_OK(builder->Add({absl::StrCat("key", 10000 + i), 1,
                               RecordType::kValue, absl::StrCat("v", i)}));
  }
  KS_ASSERT_OK(builder->Finish().status());
  auto cache = std::make_shared<BlockCache>(8 << 10, /*shard_bits=*/2);
  KS_ASSERT_OK_AND_ASSIGN(
      auto reader, SstReader::Open(fs.get(), "/db/000003.sst", 3, cache));
  std::vector<int> errors(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kKeys; i += 3) {
        auto got = reader->Get(absl::StrCat("key", 10000 + i));
        if (!got.ok() || !got->has_value() ||
            (*got)->value != absl::StrCat("v", i)) {
          ++errors[t];
        }
      }
      auto it = reader->NewIterator();
      int count = 0;
      for (it->SeekToLast(); it->Valid(); it->Prev()) ++count;
      if (count != kKeys || !it->status().ok()) ++errors[t];
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(errors[t], 0) << "thread " << t;
  BlockCacheStats stats = cache->stats();
  EXPECT_GT(stats.evictions, 0u);
  EXPECT_LE(stats.usage, cache->capacity());
}

}  // namespace
}  // namespace kstone::core
