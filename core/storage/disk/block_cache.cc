#include "core/storage/disk/block_cache.h"

#include <utility>

#include "absl/hash/hash.h"

namespace kstone::core {

BlockCache::BlockCache(uint64_t capacity_bytes, int shard_bits)
    : capacity_(capacity_bytes),
      shard_bits_(shard_bits < 0 ? 0 : (shard_bits > 8 ? 8 : shard_bits)),
      shard_capacity_(capacity_bytes >> shard_bits_),
      shards_(size_t{1} << shard_bits_) {}

BlockCache::Shard& BlockCache::ShardFor(const Key& key) {
  if (shard_bits_ == 0) return shards_[0];
  size_t hash = absl::Hash<Key>()(key);
  return shards_[hash >> (sizeof(size_t) * 8 - shard_bits_)];
}

std::shared_ptr<const Block> BlockCache::Lookup(uint64_t file,
                                                uint64_t offset) {
  Key key{file, offset};
  std::shared_ptr<const Block> block = ShardFor(key).Lookup(key);
  (block != nullptr ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return block;
}

void BlockCache::Insert(uint64_t file, uint64_t offset,
                        std::shared_ptr<const Block> block) {
  if (block == nullptr || block->charge() > shard_capacity_) return;
  Key key{file, offset};
  uint64_t evicted =
      ShardFor(key).Insert(key, std::move(block), shard_capacity_);
  inserts_.fetch_add(1, std::memory_order_relaxed);
  evictions_.fetch_add(evicted, std::memory_order_relaxed);
}

void BlockCache::EraseFile(uint64_t file) {
  for (Shard& shard : shards_) shard.EraseFile(file);
}

BlockCacheStats BlockCache::stats() const {
  BlockCacheStats stats;
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  stats.inserts = inserts_.load(std::memory_order_relaxed);
  stats.evictions = evictions_.load(std::memory_order_relaxed);
  for (const Shard& shard : shards_) shard.AddStats(&stats);
  return stats;
}

std::shared_ptr<const Block> BlockCache::Shard::Lookup(const Key& key) {
  absl::MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);  // now most recently used
  return it->second->block;
}

uint64_t BlockCache::Shard::Insert(const Key& key,
                                   std::shared_ptr<const Block> block,
                                   uint64_t capacity) {
  // Evicted blocks are released after the lock is dropped.
  std::list<Entry> evicted;
  absl::MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    usage_ -= it->second->charge;
    evicted.splice(evicted.end(), lru_, it->second);
    index_.erase(it);
  }
  uint64_t replaced = evicted.size();
  size_t charge = block->charge();
  lru_.push_front(Entry{key, std::move(block), charge});
  index_[key] = lru_.begin();
  usage_ += charge;
  while (usage_ > capacity && lru_.size() > 1) {
    auto victim = std::prev(lru_.end());
    usage_ -= victim->charge;
    index_.erase(victim->key);
    evicted.splice(evicted.end(), lru_, victim);
  }
  return evicted.size() - replaced;
}

void BlockCache::Shard::EraseFile(uint64_t file) {
  std::list<Entry> erased;
  absl::MutexLock lock(&mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->key.file == file) {
      usage_ -= it->charge;
      index_.erase(it->key);
      erased.splice(erased.end(), lru_, it);
    }
    it = next;
  }
}

void BlockCache::Shard::AddStats(BlockCacheStats* stats) const {
  absl::MutexLock lock(&mu_);
  stats->usage += usage_;
  stats->entries += lru_.size();
}

}  // namespace kstone::core
