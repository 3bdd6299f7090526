#ifndef KSTONE_CORE_ENGINE_TABLE_KEY_FILTER_H_
#define KSTONE_CORE_ENGINE_TABLE_KEY_FILTER_H_

// TableKeyFilter: one filter over the keys of all the tables of a stripe,
// kept in its StripeView. A point read of a key that no table holds (the
// check of a conditional Put of a new item, a read of a missing key) then
// costs one cache line however many tables the stripe has; asking each
// table's own filter or hash index costs a line per table, and under
// sustained writes a stripe holds several (docs/decisions.md, "One filter
// over a stripe's tables").
//
// A blocked bloom filter keyed by KeyHash (key_hash.h), which the engine
// has computed for the memtables' filters anyway: each key sets four bits
// of one 64-bit word, so a query is one load and one compare. It has room
// for a number of keys, `capacity`, at 6 bits each: measured false
// positives ~7 % when full, ~2.5 % right after a rebuild, which gives it
// room for 1.5 times its keys. (8 bits per key with room for twice the
// keys answered a few more conditional Puts but cost ~2 B per item, more
// than the memory targets leave: docs/decisions.md.)
//
// Add counts only keys that set a new bit: a key added again (an
// overwritten item flushed once more) uses no room. Once `capacity` keys
// are counted, Add refuses new ones; the engine then drops the filter (the
// stripe's tables are asked one by one again) until it builds the next.
// See EngineImpl's table jobs for when it does.
//
// Thread safety: built by one thread; once published in a view it is only
// read, by any number of threads.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "core/storage/key_hash.h"

namespace kstone::core {

class TableKeyFilter {
 public:
  // The least room a filter is given (a stripe's first flush may hold a
  // handful of keys; the next flushes add to it): 96 bytes.
  static constexpr uint64_t kMinCapacity = 128;
  static constexpr int kBitsPerKey = 6;

  // An empty filter with room for max(capacity, kMinCapacity) keys.
  explicit TableKeyFilter(uint64_t capacity)
      : capacity_(std::max(capacity, kMinCapacity)),
        words_((capacity_ * kBitsPerKey + 63) / 64) {}
  // A copy, for a flush to add its keys to.
  TableKeyFilter(const TableKeyFilter&) = default;
  TableKeyFilter& operator=(const TableKeyFilter&) = delete;

  // Adds the key whose KeyHash is `key_hash`. False if it would set a new
  // bit but the filter already counts `capacity` keys: then the key is not
  // in the filter, which must not be used any more.
  bool Add(uint64_t key_hash) {
    uint64_t& word = words_[WordOf(key_hash)];
    const uint64_t mask = MaskOf(key_hash);
    if ((word & mask) == mask) return true;
    if (keys_ >= capacity_) return false;
    word |= mask;
    ++keys_;
    return true;
  }

  // False only if the key whose KeyHash is `key_hash` was certainly never
  // added.
  bool MayContain(uint64_t key_hash) const {
    const uint64_t mask = MaskOf(key_hash);
    return (words_[WordOf(key_hash)] & mask) == mask;
  }

  // Starts loading the word MayContain(key_hash) reads.
  void Prefetch(uint64_t key_hash) const {
    __builtin_prefetch(&words_[WordOf(key_hash)]);
  }

  uint64_t keys() const { return keys_; }
  uint64_t capacity() const { return capacity_; }
  size_t memory_bytes() const { return words_.size() * sizeof(uint64_t); }

 private:
  // KeyHash also picks the memtable filter's word and bits and the memory
  // tables' buckets; a multiplication by an odd constant (a bijection)
  // gives this filter bits of its own.
  static uint64_t Remix(uint64_t key_hash) {
    return key_hash * 0x9e3779b97f4a7c15ULL;
  }
  size_t WordOf(uint64_t key_hash) const {
    return static_cast<size_t>(((Remix(key_hash) >> 32) * words_.size()) >> 32);
  }
  static uint64_t MaskOf(uint64_t key_hash) {
    const uint64_t h = Remix(key_hash);
    return (uint64_t{1} << (h & 63)) | (uint64_t{1} << ((h >> 6) & 63)) |
           (uint64_t{1} << ((h >> 12) & 63)) |
           (uint64_t{1} << ((h >> 18) & 63));
  }

  uint64_t capacity_;  // (before words_, which is sized by it)
  std::vector<uint64_t> words_;
  uint64_t keys_ = 0;
};

// The filter a table job leaves its stripe, from the keys of the table it
// writes (AddKey, called with each).
class TableKeyFilterBuilder {
 public:
  // For a job whose output holds every key the stripe's tables will hold
  // (a merge of all of them, with or without flushed memtables): a filter
  // of the output's keys alone, with room for half as many again. (Under
  // the size-tiered policy the next merge of all of a stripe's tables
  // comes once its newer tables reach about half the oldest one.)
  static TableKeyFilterBuilder Rebuild() { return TableKeyFilterBuilder(); }
  // For a flush that leaves older tables in place: a copy of `current`
  // with the output's keys added; none if `current` is null (the stripe has
  // no filter) or too full to take them.
  static TableKeyFilterBuilder Extend(const TableKeyFilter* current) {
    TableKeyFilterBuilder b;
    b.rebuild_ = false;
    if (current != nullptr) {
      b.extended_ = std::make_unique<TableKeyFilter>(*current);
    }
    return b;
  }

  void AddKey(std::string_view key) {
    if (rebuild_) {
      hashes_.push_back(KeyHash(key));
    } else if (extended_ != nullptr && !extended_->Add(KeyHash(key))) {
      extended_.reset();  // full
    }
  }

  // The filter for the stripe's tables after the job, or null for none.
  std::shared_ptr<const TableKeyFilter> Finish() {
    if (!rebuild_) return std::move(extended_);
    auto filter =
        std::make_shared<TableKeyFilter>(hashes_.size() + hashes_.size() / 2);
    for (uint64_t h : hashes_) filter->Add(h);  // (room for all: never false)
    return filter;
  }

 private:
  TableKeyFilterBuilder() = default;

  bool rebuild_ = true;
  std::vector<uint64_t> hashes_;              // rebuild: the output's keys
  std::unique_ptr<TableKeyFilter> extended_;  // extend: the copy so far
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_TABLE_KEY_FILTER_H_
