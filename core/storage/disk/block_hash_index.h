#ifndef KSTONE_CORE_STORAGE_DISK_BLOCK_HASH_INDEX_H_
#define KSTONE_CORE_STORAGE_DISK_BLOCK_HASH_INDEX_H_

// The hash index of a data block (SST format version 2; layout in
// docs/formats/sst.md, "Data block hash index"): an open-addressing table
// (linear probing) from a key's hash to the offset in the block of the
// key's first (newest) entry, so that a point lookup reads the block's tail,
// one or two entries and one restart key instead of binary-searching the
// restart points and walking an interval of up to 16 entries.
//
// A block with an index shares each entry's key prefix with its interval's
// restart key (not merely with the previous key), so an entry's key is
// known from the entry and the restart key alone (Block::SeekExact).
//
// Not thread-safe (the builder); the lookup helpers are pure functions.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kstone::core {

// Set in a block's last fixed32 (above the restart count) when the block
// ends with a hash index.
inline constexpr uint32_t kBlockHashIndexFlag = uint32_t{1} << 31;
// A bucket that names no entry.
inline constexpr uint16_t kBlockHashEmpty = 0xFFFF;
// Entries starting beyond this offset cannot be indexed (the block is then
// written without an index).
inline constexpr uint32_t kBlockHashMaxOffset = 0xFFFE;

// The hash of a key for the index (XXH3-64 with a seed of its own).
uint64_t BlockHashOf(std::string_view key);

// The bucket where the probe for `hash` starts, among `num_buckets` > 0.
inline uint32_t BlockHashHome(uint64_t hash, uint32_t num_buckets) {
  return static_cast<uint32_t>(((hash >> 32) * num_buckets) >> 32);
}

// The bucket count for `keys` distinct keys: a load of about 3/4, and at
// least one empty bucket, which ends every probe.
inline uint32_t BlockHashBucketCount(size_t keys) {
  return static_cast<uint32_t>(keys + keys / 3 + 1);
}

// Bucket i of an index whose buckets start at `buckets` (2 bytes each,
// little-endian).
inline uint16_t BlockHashBucket(const char* buckets, uint32_t i) {
  const auto* p = reinterpret_cast<const unsigned char*>(buckets) + 2 * i;
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

class BlockHashIndexBuilder {
 public:
  // Records the first entry of a new key, at `offset` in the block.
  void Add(std::string_view key, size_t offset);
  // False once an offset could not be indexed: the block gets no index.
  bool ok() const { return ok_; }
  bool empty() const { return entries_.empty(); }
  // Bytes Finish would append.
  size_t SizeEstimate() const {
    return 2 * size_t{BlockHashBucketCount(entries_.size())} + 4;
  }
  // Appends the buckets and their count (fixed32).
  // REQUIRES: ok() and !empty().
  void Finish(std::string* dst) const;
  void Reset();

 private:
  struct Entry {
    uint64_t hash;
    uint16_t offset;
  };
  std::vector<Entry> entries_;
  bool ok_ = true;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_BLOCK_HASH_INDEX_H_
