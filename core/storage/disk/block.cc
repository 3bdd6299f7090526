#include "core/storage/disk/block.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include "core/storage/disk/block_hash_index.h"
#include "core/util/coding.h"

namespace kstone::core {
namespace {

// Decodes the three varints that head an entry. Returns the position of the
// key delta, or nullptr if the header runs past `limit`.
const char* DecodeEntryHeader(const char* p, const char* limit,
                              uint32_t* shared, uint32_t* non_shared,
                              uint32_t* value_len) {
  std::string_view in(p, limit - p);
  if (!GetVarint32Fast(&in, shared) || !GetVarint32Fast(&in, non_shared) ||
      !GetVarint32Fast(&in, value_len)) {
    return nullptr;
  }
  if (*non_shared > in.size() || *value_len > in.size() - *non_shared) {
    return nullptr;
  }
  return in.data();
}

// The last of the `num_restarts` restart points at `restarts` (fixed32
// each) that is <= `offset`, found by binary search; the first one if
// none is. Reads nothing but the array's own num_restarts * 4 bytes,
// whatever they hold, so it is safe on an unverified block: if the array
// is not increasing (corruption) the answer is still one of its entries,
// which the caller must bounds-check before using it.
// REQUIRES: num_restarts > 0.
uint32_t LastRestartAtOrBefore(const char* restarts, uint32_t num_restarts,
                               uint32_t offset) {
  assert(num_restarts > 0);
  uint32_t lo = 0, hi = num_restarts;
  uint32_t lo_point = 0;  // restart lo's point once lo > 0: read only once
  while (hi - lo > 1) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const uint32_t point = DecodeFixed32(restarts + 4 * mid);
    if (point <= offset) {
      lo = mid;
      lo_point = point;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? DecodeFixed32(restarts) : lo_point;
}

}  // namespace

bool Block::ParseLayout(std::string_view contents, Format format,
                        Block* block) {
  if (contents.size() < 4 || contents.size() > UINT32_MAX) return false;
  uint32_t footer = DecodeFixed32(contents.data() + contents.size() - 4);
  uint64_t end = contents.size() - 4;  // where the restart array (or the
                                       // hash index) ends
  uint32_t buckets_offset = 0;
  uint32_t num_buckets = 0;
  if ((footer & kBlockHashIndexFlag) != 0) {
    if (format != Format::kMayHaveHashIndex || end < 4) return false;
    footer &= ~kBlockHashIndexFlag;
    num_buckets = DecodeFixed32(contents.data() + end - 4);
    end -= 4;
    if (num_buckets == 0 || num_buckets > end / 2 || footer == 0) return false;
    end -= uint64_t{num_buckets} * 2;
    buckets_offset = static_cast<uint32_t>(end);
  }
  const uint32_t n = footer;
  if (n > end / 4) return false;
  uint32_t offset = static_cast<uint32_t>(end - uint64_t{n} * 4);
  // Restart points must be increasing and inside the entries.
  uint32_t previous = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t restart = DecodeFixed32(contents.data() + offset + 4 * i);
    if (restart > offset || (i > 0 && restart <= previous)) return false;
    previous = restart;
  }
  if (n == 0 && offset != 0) return false;
  block->restarts_offset_ = offset;
  block->num_restarts_ = n;
  block->buckets_offset_ = buckets_offset;
  block->num_buckets_ = num_buckets;
  return true;
}

std::unique_ptr<const Block> Block::Parse(std::string contents, Format format) {
  auto block = std::make_unique<Block>();
  if (!ParseLayout(contents, format, block.get())) return nullptr;
  block->owned_ = std::move(contents);
  block->data_ = block->owned_;
  return block;
}

std::unique_ptr<const Block> Block::ParseView(std::string_view contents,
                                              Format format) {
  auto block = std::make_unique<Block>();
  if (!ParseInto(contents, block.get(), format)) return nullptr;
  return block;
}

bool Block::ParseInto(std::string_view contents, Block* block, Format format) {
  block->owned_.clear();
  if (!ParseLayout(contents, format, block)) {
    block->data_ = {};
    block->restarts_offset_ = 0;
    block->num_restarts_ = 0;
    block->buckets_offset_ = 0;
    block->num_buckets_ = 0;
    return false;
  }
  block->data_ = contents;
  return true;
}

uint32_t Block::RestartPoint(uint32_t i) const {
  assert(i < num_restarts_);
  return DecodeFixed32(data_.data() + restarts_offset_ + 4 * i);
}

Block::SeekResult Block::SeekExact(std::string_view target,
                                   std::string_view* value,
                                   uint32_t* corrupt_offset) const {
  if (num_buckets_ != 0) return SeekHashed(target, value, corrupt_offset);
  if (num_restarts_ == 0) return SeekResult::kAbsent;
  const char* base = data_.data();
  const char* limit = base + restarts_offset_;
  // The last restart point whose key is < target (as BlockIterator::Seek).
  uint32_t lo = 0, hi = num_restarts_ - 1;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo + 1) / 2;
    const uint32_t offset = RestartPoint(mid);
    uint32_t shared, non_shared, value_len;
    const char* p = DecodeEntryHeader(base + offset, limit, &shared,
                                      &non_shared, &value_len);
    if (p == nullptr || shared != 0) {
      *corrupt_offset = offset;
      return SeekResult::kCorrupt;
    }
    if (std::string_view(p, non_shared) < target) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  // Walk forward. Invariant: the previous key (previous_length bytes) is
  // < target and shares exactly its first `match` bytes with it. An entry
  // that takes more than `match` bytes from the previous key is below
  // target too (at byte `match` it has the previous key's byte, which is
  // below target's), so it needs no comparison; otherwise only its delta is
  // compared, with target after the `shared` bytes it takes (which equal
  // target's). `shared` is not assumed to be the longest common prefix:
  // restart points store 0.
  size_t match = 0;
  size_t previous_length = 0;
  uint32_t offset = RestartPoint(lo);
  while (offset < restarts_offset_) {
    uint32_t shared, non_shared, value_len;
    const char* p = DecodeEntryHeader(base + offset, limit, &shared,
                                      &non_shared, &value_len);
    if (p == nullptr || shared > previous_length) {
      *corrupt_offset = offset;
      return SeekResult::kCorrupt;
    }
    if (shared <= match) {
      const std::string_view delta(p, non_shared);
      const std::string_view rest = target.substr(shared);
      const size_t n = std::min(delta.size(), rest.size());
      size_t same = 0;
      while (same < n && delta[same] == rest[same]) ++same;
      if (same == n) {
        if (delta.size() == rest.size()) {
          *value = std::string_view(p + non_shared, value_len);
          return SeekResult::kFound;
        }
        // A longer key is above target; a shorter one a prefix of it.
        if (delta.size() > rest.size()) return SeekResult::kAbsent;
      } else if (static_cast<unsigned char>(delta[same]) >
                 static_cast<unsigned char>(rest[same])) {
        return SeekResult::kAbsent;
      }
      match = shared + same;
    }
    previous_length = shared + non_shared;
    offset = static_cast<uint32_t>(p + non_shared + value_len - base);
  }
  return SeekResult::kAbsent;
}

Block::SeekResult Block::SeekHashed(std::string_view target,
                                    std::string_view* value,
                                    uint32_t* corrupt_offset) const {
  return SeekHashedFrom(BlockHashHome(BlockHashOf(target), num_buckets_),
                        target, value, corrupt_offset);
}

Block::SeekResult Block::SeekHashedFrom(uint32_t home, std::string_view target,
                                        std::string_view* value,
                                        uint32_t* corrupt_offset) const {
  assert(num_buckets_ != 0 && home < num_buckets_);
  // Every distinct key of the block has its first entry in the table, and
  // a probe ends at an empty bucket (the builder leaves at least one; a
  // corrupt table without one is probed once around).
  const char* buckets = data_.data() + buckets_offset_;
  uint32_t i = home;
  // A probe checks ~2.5 entries on average (a load of 3/4): start loading
  // the first few at once rather than one after another.
  for (uint32_t j = i, n = 0; n < 4; ++n) {
    const uint16_t offset = BlockHashBucket(buckets, j);
    if (offset == kBlockHashEmpty || offset >= restarts_offset_) break;
    __builtin_prefetch(data_.data() + offset);
    j = j + 1 == num_buckets_ ? 0 : j + 1;
  }
  for (uint32_t probes = 0; probes < num_buckets_; ++probes) {
    const uint16_t offset = BlockHashBucket(buckets, i);
    if (offset == kBlockHashEmpty) return SeekResult::kAbsent;
    const SeekResult result = MatchEntry(offset, target, value, corrupt_offset);
    if (result != SeekResult::kAbsent) return result;
    i = i + 1 == num_buckets_ ? 0 : i + 1;
  }
  return SeekResult::kAbsent;
}

uint32_t Block::PrefetchHashedProbe(std::string_view contents,
                                    std::string_view target) {
  // The layout ParseLayout reads, only as far as the hints need it.
  if (contents.size() < 8) return UINT32_MAX;
  const char* base = contents.data();
  const uint32_t footer = DecodeFixed32(base + contents.size() - 4);
  if ((footer & kBlockHashIndexFlag) == 0) return UINT32_MAX;
  const uint32_t num_restarts = footer & ~kBlockHashIndexFlag;
  const uint32_t num_buckets = DecodeFixed32(base + contents.size() - 8);
  const uint64_t tail =
      8 + uint64_t{num_buckets} * 2 + uint64_t{num_restarts} * 4;
  if (num_buckets == 0 || num_restarts == 0 || tail > contents.size()) {
    return UINT32_MAX;
  }
  const char* buckets = base + contents.size() - 8 - 2 * num_buckets;
  const char* restarts = buckets - 4 * num_restarts;
  const uint32_t entries_end = static_cast<uint32_t>(restarts - base);
  const uint32_t home = BlockHashHome(BlockHashOf(target), num_buckets);
  // As SeekHashedFrom's own hints: the first few candidates (their first
  // line, where the key's delta is), and the restart key of the first,
  // which MatchEntry compares when the delta matches.
  for (uint32_t j = home, n = 0; n < 4; ++n) {
    const uint16_t offset = BlockHashBucket(buckets, j);
    if (offset == kBlockHashEmpty || offset >= entries_end) break;
    __builtin_prefetch(base + offset);
    if (n == 0) {
      const uint32_t restart =
          LastRestartAtOrBefore(restarts, num_restarts, offset);
      if (restart < entries_end) __builtin_prefetch(base + restart);
    }
    j = j + 1 == num_buckets ? 0 : j + 1;
  }
  return home;
}

Block::SeekResult Block::MatchEntry(uint32_t offset, std::string_view target,
                                    std::string_view* value,
                                    uint32_t* corrupt_offset) const {
  const char* base = data_.data();
  const char* limit = base + restarts_offset_;
  uint32_t shared, non_shared, value_len;
  const char* p = offset < restarts_offset_
                      ? DecodeEntryHeader(base + offset, limit, &shared,
                                          &non_shared, &value_len)
                      : nullptr;
  if (p == nullptr) {
    *corrupt_offset = offset;
    return SeekResult::kCorrupt;
  }
  // The delta first: another key of the bucket's probe usually differs
  // there, and it lies in the entry's own cache line.
  if (shared > target.size() || target.size() - shared != non_shared ||
      std::memcmp(p, target.data() + shared, non_shared) != 0) {
    return SeekResult::kAbsent;
  }
  if (shared > 0) {
    // The first `shared` bytes are the restart key's: its interval's
    // restart point is the last one at or before `offset`.
    const uint32_t restart = LastRestartAtOrBefore(
        data_.data() + restarts_offset_, num_restarts_, offset);
    uint32_t restart_shared, restart_length, restart_value_len;
    const char* key =
        restart < offset
            ? DecodeEntryHeader(base + restart, limit, &restart_shared,
                                &restart_length, &restart_value_len)
            : nullptr;
    if (key == nullptr || restart_shared != 0 || restart_length < shared) {
      *corrupt_offset = restart < offset ? restart : offset;
      return SeekResult::kCorrupt;
    }
    if (std::memcmp(key, target.data(), shared) != 0) {
      return SeekResult::kAbsent;
    }
  }
  *value = std::string_view(p + non_shared, value_len);
  return SeekResult::kFound;
}

BlockIterator::BlockIterator(const Block* block)
    : block_(block), current_(block->restarts_offset_) {}

void BlockIterator::MarkCorrupt(uint32_t offset) {
  corrupt_ = true;
  corrupt_offset_ = offset;
  key_.clear();
  value_ = {};
  Invalidate();
}

void BlockIterator::SeekToRestart(uint32_t index) {
  key_.clear();
  restart_index_ = index;
  next_ = block_->RestartPoint(index);
}

bool BlockIterator::ParseNextEntry() {
  current_ = next_;
  const char* base = block_->data_.data();
  const char* limit = base + block_->restarts_offset_;
  if (current_ >= block_->restarts_offset_) {
    Invalidate();
    return false;
  }
  uint32_t shared, non_shared, value_len;
  const char* p = DecodeEntryHeader(base + current_, limit, &shared,
                                    &non_shared, &value_len);
  if (p == nullptr || shared > key_.size()) {
    MarkCorrupt(current_);
    return false;
  }
  key_.resize(shared);
  key_.append(p, non_shared);
  value_ = std::string_view(p + non_shared, value_len);
  next_ = static_cast<uint32_t>(p + non_shared + value_len - base);
  while (restart_index_ + 1 < block_->num_restarts_ &&
         block_->RestartPoint(restart_index_ + 1) <= current_) {
    ++restart_index_;
  }
  return true;
}

bool BlockIterator::RestartKey(uint32_t index, std::string_view* key) {
  const char* base = block_->data_.data();
  uint32_t offset = block_->RestartPoint(index);
  uint32_t shared, non_shared, value_len;
  const char* p =
      DecodeEntryHeader(base + offset, base + block_->restarts_offset_, &shared,
                        &non_shared, &value_len);
  if (p == nullptr || shared != 0) {
    MarkCorrupt(offset);
    return false;
  }
  *key = std::string_view(p, non_shared);
  return true;
}

void BlockIterator::SeekToFirst() {
  if (corrupt_ || block_->num_restarts_ == 0) return Invalidate();
  SeekToRestart(0);
  ParseNextEntry();
}

void BlockIterator::SeekToLast() {
  if (corrupt_ || block_->num_restarts_ == 0) return Invalidate();
  SeekToRestart(block_->num_restarts_ - 1);
  while (ParseNextEntry() && next_ < block_->restarts_offset_) {
  }
}

void BlockIterator::Seek(std::string_view target) {
  if (corrupt_ || block_->num_restarts_ == 0) return Invalidate();
  // Binary search for the last restart point whose key is < target; every
  // entry before it is < target too. (Keys may repeat, so "<", not "<=".)
  uint32_t lo = 0, hi = block_->num_restarts_ - 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo + 1) / 2;
    std::string_view mid_key;
    if (!RestartKey(mid, &mid_key)) return;
    if (mid_key < target) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  SeekToRestart(lo);
  while (ParseNextEntry()) {
    if (std::string_view(key_) >= target) return;
  }
}

void BlockIterator::Next() {
  assert(Valid());
  ParseNextEntry();
}

void BlockIterator::Prev() {
  assert(Valid());
  // Walk back to the restart point before the current entry, then forward to
  // the entry just before it.
  const uint32_t original = current_;
  while (block_->RestartPoint(restart_index_) >= original) {
    if (restart_index_ == 0) return Invalidate();
    --restart_index_;
  }
  SeekToRestart(restart_index_);
  while (ParseNextEntry() && next_ < original) {
  }
}

}  // namespace kstone::core
