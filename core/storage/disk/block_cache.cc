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
  MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  Entry& entry = slots_[it->second];
  entry.referenced = true;
  return entry.block;
}

void BlockCache::Shard::RemoveLocked(
    size_t i, std::vector<std::shared_ptr<const Block>>* out) {
  Entry& entry = slots_[i];
  usage_ -= entry.charge;
  index_.erase(entry.key);
  out->push_back(std::move(entry.block));
  entry = Entry();
  free_.push_back(static_cast<uint32_t>(i));
}

uint64_t BlockCache::Shard::Insert(const Key& key,
                                   std::shared_ptr<const Block> block,
                                   uint64_t capacity) {
  // Removed blocks are released after the lock is dropped.
  std::vector<std::shared_ptr<const Block>> removed;
  MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it != index_.end()) RemoveLocked(it->second, &removed);
  const uint64_t replaced = removed.size();
  size_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = slots_.size();
    slots_.emplace_back();
  }
  const size_t charge = block->charge();
  slots_[slot] = Entry{key, std::move(block), charge, false};
  index_[key] = static_cast<uint32_t>(slot);
  usage_ += charge;
  // Sweep until the shard fits, never evicting the block just inserted. Each
  // full turn clears every bit, so the sweep ends within two turns.
  while (usage_ > capacity && index_.size() > 1) {
    if (hand_ >= slots_.size()) hand_ = 0;
    Entry& entry = slots_[hand_];
    if (entry.block != nullptr && hand_ != slot) {
      if (entry.referenced) {
        entry.referenced = false;
      } else {
        RemoveLocked(hand_, &removed);
      }
    }
    ++hand_;
  }
  return removed.size() - replaced;
}

void BlockCache::Shard::EraseFile(uint64_t file) {
  std::vector<std::shared_ptr<const Block>> erased;
  MutexLock lock(&mu_);
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].block != nullptr && slots_[i].key.file == file) {
      RemoveLocked(i, &erased);
    }
  }
}

void BlockCache::Shard::AddStats(BlockCacheStats* stats) const {
  MutexLock lock(&mu_);
  stats->usage += usage_;
  stats->entries += index_.size();
}

}  // namespace kstone::core
