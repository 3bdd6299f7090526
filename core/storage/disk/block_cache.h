#ifndef KSTONE_CORE_STORAGE_DISK_BLOCK_CACHE_H_
#define KSTONE_CORE_STORAGE_DISK_BLOCK_CACHE_H_

// BlockCache: a sharded cache of parsed SST blocks, keyed by (file number,
// block offset), bounded in bytes (each block is charged Block::charge()).
// One cache is shared by all SSTs of a TableStore.
//
// Eviction is CLOCK, an approximation of LRU: a hit only sets the entry's
// "referenced" bit; when a shard is over capacity, a hand sweeps its slots,
// clearing set bits and evicting the first entry whose bit is clear (not used
// since the hand last passed). So a hit, the hot path of every point read
// on disk, costs a hash lookup and a bit store under the shard's lock, where
// an LRU list would move the entry to the list's head (touching its
// neighbours' cache lines).
//
// Entries are std::shared_ptr<const Block>: an evicted block stays alive for
// as long as an iterator still reads it.
//
// Thread safety: safe for concurrent use. Each shard has its own mutex; a key
// always maps to the same shard.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/block.h"
#include "core/util/mutex.h"

namespace kstone::core {

struct BlockCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t inserts = 0;
  uint64_t evictions = 0;
  uint64_t usage = 0;  // bytes charged by the cached blocks
  uint64_t entries = 0;
};

class BlockCache {
 public:
  // capacity_bytes is divided evenly between the shards; a block larger than
  // one shard's capacity is not cached. 0 disables caching.
  explicit BlockCache(uint64_t capacity_bytes, int shard_bits = 4);
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // The cached block, or nullptr (counted as a hit or a miss).
  std::shared_ptr<const Block> Lookup(uint64_t file, uint64_t offset);
  // Caches `block` (replacing any entry with the same key) and evicts blocks
  // not used recently (see above) until the shard fits its capacity.
  void Insert(uint64_t file, uint64_t offset,
              std::shared_ptr<const Block> block);
  // Drops every cached block of `file` (after its table is deleted).
  void EraseFile(uint64_t file);

  BlockCacheStats stats() const;
  uint64_t capacity() const { return capacity_; }

 private:
  struct Key {
    uint64_t file;
    uint64_t offset;
    bool operator==(const Key& o) const {
      return file == o.file && offset == o.offset;
    }
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.file, k.offset);
    }
  };
  // A slot of a shard's clock; empty when block is null.
  struct Entry {
    Key key;
    std::shared_ptr<const Block> block;
    size_t charge = 0;
    bool referenced = false;
  };
  // Safe for concurrent use.
  class Shard {
   public:
    std::shared_ptr<const Block> Lookup(const Key& key)
        ABSL_LOCKS_EXCLUDED(mu_);
    // Returns how many entries were evicted.
    uint64_t Insert(const Key& key, std::shared_ptr<const Block> block,
                    uint64_t capacity) ABSL_LOCKS_EXCLUDED(mu_);
    void EraseFile(uint64_t file) ABSL_LOCKS_EXCLUDED(mu_);
    void AddStats(BlockCacheStats* stats) const ABSL_LOCKS_EXCLUDED(mu_);

   private:
    // Empties slot i (which must hold an entry) into *out.
    void RemoveLocked(size_t i, std::vector<std::shared_ptr<const Block>>* out)
        ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

    mutable Mutex mu_;
    std::vector<Entry> slots_ ABSL_GUARDED_BY(mu_);    // the clock
    std::vector<uint32_t> free_ ABSL_GUARDED_BY(mu_);  // empty slots
    size_t hand_ ABSL_GUARDED_BY(mu_) = 0;
    absl::flat_hash_map<Key, uint32_t> index_ ABSL_GUARDED_BY(mu_);
    uint64_t usage_ ABSL_GUARDED_BY(mu_) = 0;
  };

  Shard& ShardFor(const Key& key);

  // Constant after construction.
  const uint64_t capacity_;
  const int shard_bits_;
  const uint64_t shard_capacity_;
  std::vector<Shard> shards_;

  // Counters, updated and read without a lock.
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> inserts_{0};
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_BLOCK_CACHE_H_
