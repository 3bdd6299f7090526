// SstReader's point lookup in steps (Table::PrefetchStep/GetAfterSteps):
// an Update's memtable walk calls the steps between its own misses, so that
// the SST read's chain (filter, point index, block tail, entry) is loaded
// while the walk goes on. docs/decisions.md "Disk update in steps".

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/storage/disk/block.h"
#include "core/storage/disk/sst_reader.h"

namespace kstone::core {
namespace {

// A state's low two bits say how far the steps got; the rest is theirs.
constexpr uint64_t kTagMask = 3;
// Decided at step 1: state >> 2 is kDoneAbsent or kDoneSearch.
constexpr uint64_t kTagDone = 1;
constexpr uint64_t kDoneAbsent = 0;  // the filter or the index rules it out
constexpr uint64_t kDoneSearch = 1;  // no point index: GetAfterSteps is Get
// Step 1 found the block: state >> 2 is its index in the point index.
constexpr uint64_t kTagBlock = 2;
// Step 2 found the home bucket too: bits 2-17 hold it, state >> 18 the
// block's index.
constexpr uint64_t kTagBucket = 3;
constexpr int kBucketBits = 16;

constexpr uint64_t Done(uint64_t what) { return (what << 2) | kTagDone; }

}  // namespace

void SstReader::PrefetchStep(const HashedKey& hashed, uint64_t* state) const {
  // (The SST's filter and indexes have hashes of their own, on disk.)
  const std::string_view key = hashed.key;
  const uint64_t tag = *state & kTagMask;
  if (*state == 0) {
    if (!MayContain(key)) {
      *state = Done(kDoneAbsent);
      return;
    }
    if (point_index_.empty()) {
      *state = Done(kDoneSearch);
      return;
    }
    const size_t i = point_index_.Find(key);
    if (i == point_index_.size()) {
      *state = Done(kDoneAbsent);
      return;
    }
    *state = (uint64_t{i} << 2) | kTagBlock;
    if (!mapped()) return;  // the block cache: nothing worth a hint
    const BlockHandle& handle = point_index_.handle(i);
    if (!data_verified_) {
      const size_t slot = static_cast<size_t>(handle.offset >> slot_shift_);
      if (slot < num_slots_) __builtin_prefetch(&slots_[slot]);
    }
    // Version 2: the tail (the hash index's bucket count and buckets, the
    // restart array) is what the lookup reads first. A version-1 block is
    // read whole, too much to load in the middle of a walk.
    if (data_block_format_ == Block::Format::kMayHaveHashIndex &&
        handle.size >= 1) {
      const char* end = mapped_.data() + handle.offset + handle.size;
      __builtin_prefetch(end - 1);
      if (handle.size > 64) __builtin_prefetch(end - 65);
    }
    return;
  }
  if (tag != kTagBlock || !mapped() ||
      data_block_format_ != Block::Format::kMayHaveHashIndex) {
    return;  // nothing left to load
  }
  // Step 2: the tail is in cache by now. The block is not verified yet, so
  // what it says is used only for hints and a home bucket, which
  // GetAfterSteps uses once the block is verified and parsed (the same
  // bytes) and the home is inside its index.
  const uint64_t i = *state >> 2;
  const BlockHandle& handle = point_index_.handle(static_cast<size_t>(i));
  const uint32_t home = Block::PrefetchHashedProbe(
      mapped_.substr(handle.offset, handle.size), key);
  if (home >= (uint32_t{1} << kBucketBits)) return;  // none, or too large
  *state = (i << (2 + kBucketBits)) | (uint64_t{home} << 2) | kTagBucket;
}

absl::StatusOr<bool> SstReader::GetAfterStepsInto(const HashedKey& hashed,
                                                  uint64_t state,
                                                  LookupResult* out) const {
  const std::string_view key = hashed.key;
  uint32_t home = UINT32_MAX;
  uint64_t block_index;
  switch (state & kTagMask) {
    case kTagDone:
      if ((state >> 2) == kDoneAbsent) return false;
      return GetInto(key, out);
    case kTagBlock:
      block_index = state >> 2;
      break;
    case kTagBucket:
      block_index = state >> (2 + kBucketBits);
      home = static_cast<uint32_t>((state >> 2) &
                                   ((uint64_t{1} << kBucketBits) - 1));
      break;
    default:  // no step
      return GetInto(key, out);
  }
  if (block_index >= point_index_.size()) return GetInto(key, out);  // not ours
  return GetFromBlock(point_index_.handle(static_cast<size_t>(block_index)),
                      key, home, out);
}

}  // namespace kstone::core
