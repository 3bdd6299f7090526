#include "core/storage/disk/block_hash_index.h"

#include <cassert>

#include "core/util/coding.h"
#include "core/util/hash.h"

namespace kstone::core {
namespace {

// Not the bloom filter's seed ("kstone"), so a key's bucket and its filter
// bits are independent.
constexpr uint64_t kBlockHashSeed = 0x6b7374626c6bULL;  // "kstblk"

}  // namespace

uint64_t BlockHashOf(std::string_view key) {
  return Hash64(key, kBlockHashSeed);
}

void BlockHashIndexBuilder::Add(std::string_view key, size_t offset) {
  if (offset > kBlockHashMaxOffset) {
    ok_ = false;
    return;
  }
  entries_.push_back({BlockHashOf(key), static_cast<uint16_t>(offset)});
}

void BlockHashIndexBuilder::Finish(std::string* dst) const {
  assert(ok_ && !entries_.empty());
  const uint32_t n = BlockHashBucketCount(entries_.size());
  std::vector<uint16_t> buckets(n, kBlockHashEmpty);
  for (const Entry& e : entries_) {
    uint32_t i = BlockHashHome(e.hash, n);
    while (buckets[i] != kBlockHashEmpty) i = i + 1 == n ? 0 : i + 1;
    buckets[i] = e.offset;
  }
  for (uint16_t b : buckets) {
    dst->push_back(static_cast<char>(b & 0xff));
    dst->push_back(static_cast<char>(b >> 8));
  }
  PutFixed32(dst, n);
}

void BlockHashIndexBuilder::Reset() {
  entries_.clear();
  ok_ = true;
}

}  // namespace kstone::core
