#ifndef KSTONE_CORE_ENGINE_MEMTABLE_H_
#define KSTONE_CORE_ENGINE_MEMTABLE_H_

// MemTable: a stripe's in-memory sorted buffer of recent mutations, ordered
// by (key ascending, sequence number descending), like a table.
//
// Layout: one Arena holds the skiplist (branching 4, at most kMaxHeight
// levels): each node with its record right after its links, encoded as
//     varint32 key_len | key | fixed64 (seq << 8 | type)
//     | fixed64 address of the value | varint32 value_len
// filling each block from its start, and the values, filling it from its
// end. A search touches nodes and keys only, so keeping the values out of
// the way packs ~3x more nodes per cache line and per MiB of cache (the
// walk is a chain of cache misses: this is where an insert spends its
// time), and sharing the blocks costs no more blocks than before. A record
// costs its bytes plus ~18 bytes of header plus 8 bytes per skiplist level
// (1.33 on average).
//
// An optional key filter answers most Gets of keys the memtable does not hold
// without walking the skiplist (a walk costs a cache miss per node visited,
// and most point reads miss the memtable): a blocked bloom filter of fixed
// size, one 64-bit word per key with two bits set, sized by the engine for
// the number of records a memtable usually reaches. A memtable that grows
// past that only sees more false positives, which cost a walk, never a wrong
// answer. The filter is not part of memory_usage() (a few KiB per memtable).
//
// Insert hint: the writer remembers where its last Add linked the new node
// at each level (the "splice"). An Add first checks whether the splice still
// brackets the new record at every level the new node will occupy, and if so
// links it there without searching. Keys that arrive in ascending order (a
// sequential load, whose keys each stripe sees ascending) therefore insert
// in O(1) instead of a walk of ~18 nodes, each a likely cache miss. The check
// costs one or two comparisons when it fails (random keys); the full search
// follows. The splice is the writer's alone and never read by readers.
//
// Thread safety: one writer at a time (Add needs external synchronisation:
// the stripe's write lock), and any number of concurrent readers without any
// lock (Get, NewIterator and the accessors). A reader sees every record whose
// Add completed before it looked, and maybe some added while it looks. Nodes
// are published with release stores and read with acquire loads; nothing is
// ever removed or modified once published.
//
// Lifetime: memtables are shared (std::shared_ptr) between the stripe's view
// and open iterators; an iterator must not outlive its memtable.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "core/engine/arena.h"
#include "core/storage/key_hash.h"
#include "core/storage/record.h"
#include "core/storage/table.h"

namespace kstone::core {

class MemTable {
 public:
  // Largest sequence number a record may carry (seq shares 8 bytes with the
  // type).
  static constexpr uint64_t kMaxSeq = (uint64_t{1} << 56) - 1;
  static constexpr uint64_t kNoEpoch = UINT64_MAX;

  // `id` identifies the memtable within the engine (increasing in creation
  // order). `filter_bytes` sizes the key filter (rounded down to whole
  // 8-byte words; 0: no filter).
  explicit MemTable(uint64_t id, size_t filter_bytes = 0);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // The key filter hashes keys with KeyHash (key_hash.h), as every memory
  // table does. A caller that asks several of them about one key, or
  // prefetches a key's filter word before adding it, computes it once and
  // passes it to the overloads below that take a `filter_hash`, each of
  // which REQUIRES filter_hash == KeyHash(key).

  // Inserts a record. REQUIRES: external synchronisation with other Add
  // calls; seq <= kMaxSeq; (key, seq) is not already present.
  void Add(uint64_t seq, RecordType type, std::string_view key,
           std::string_view value) {
    Add(seq, type, key, value, filter_words_ > 0 ? KeyHash(key) : 0);
  }
  void Add(uint64_t seq, RecordType type, std::string_view key,
           std::string_view value, uint64_t filter_hash);

  // Prepares the next Add of `key`, whose sequence number will be above every
  // record's here: walks to where that record goes and keeps the place as
  // the insert hint (splice_), so that the Add links it without a search.
  // The walk is a chain of cache misses, and the caller may have a chain of
  // its own to advance meanwhile, a step at a time: `on_step` runs once
  // the walk has loaded its step_nodes[0]-th node (counting from 1), again
  // at its step_nodes[1]-th, and so on (increasing). Steps the walk does not
  // reach (a short walk, or none when the current hint brackets `key`
  // already, as for keys arriving in order) run after it, so `on_step` runs
  // step_nodes.size() times in all. (Only at those nodes, so that the
  // walk's loop makes no call.) The Add of `key`'s newest record that
  // follows links at the place without checking it. Only a hint: an Add of
  // another key, or after another Add, searches as usual. REQUIRES: Add's
  // synchronisation.
  void PrepareAdd(std::string_view key, absl::Span<const int> step_nodes,
                  absl::FunctionRef<void()> on_step);

  // The newest record for `key` (value or tombstone), or nullopt.
  std::optional<LookupResult> Get(std::string_view key) const {
    return Get(key, filter_words_ > 0 ? KeyHash(key) : 0);
  }
  std::optional<LookupResult> Get(std::string_view key,
                                  uint64_t filter_hash) const;
  // Get into *out (true if the key is here, reusing out->value's memory),
  // read at the place the last PrepareAdd found instead of searching: the
  // record after it is the key's newest if the key is here. REQUIRES:
  // PrepareAdd(key) was the last PrepareAdd, with no Add since (under Add's
  // synchronisation throughout).
  bool GetPreparedInto(std::string_view key, LookupResult* out) const;
  // Starts loading the filter word of the key whose KeyHash is
  // `filter_hash` (see Table::Prefetch).
  void PrefetchFilter(uint64_t filter_hash) const {
    if (filter_words_ > 0) {
      __builtin_prefetch(&filter_[FilterWord(filter_hash)]);
    }
  }

  // An iterator over every record (all versions and tombstones). It sees
  // records added after its creation too; see the class comment.
  std::unique_ptr<TableIterator> NewIterator() const;

  uint64_t id() const { return id_; }
  bool empty() const { return records() == 0; }
  uint64_t records() const { return records_.load(std::memory_order_acquire); }
  // Approximate memory footprint: the arena's blocks.
  uint64_t memory_usage() const { return arena_.memory_usage(); }
  // Smallest and largest sequence numbers added (0 while empty). Read them
  // only when no Add can run concurrently (the memtable is immutable or the
  // caller holds the write lock).
  uint64_t min_seq() const { return min_seq_; }
  uint64_t max_seq() const { return max_seq_; }

  // The engine's WAL epoch of the oldest data in this memtable (kNoEpoch
  // while empty): the WAL segments of that epoch and later must stay until
  // this memtable is in a table. Set by the writer (NoteEpoch), read by the
  // WAL garbage collector from any thread.
  void NoteEpoch(uint64_t epoch) {
    if (min_epoch_.load(std::memory_order_relaxed) == kNoEpoch) {
      min_epoch_.store(epoch, std::memory_order_release);
    }
  }
  uint64_t min_epoch() const {
    return min_epoch_.load(std::memory_order_acquire);
  }

 private:
  static constexpr int kMaxHeight = 12;
  struct Node;
  class Iterator;

  // Orders encoded records: key ascending, then seq descending.
  static int Compare(const char* a, const char* b);
  // Compares the record at `entry` with (key, seq).
  static int CompareWith(const char* entry, std::string_view key, uint64_t seq);

  // The filter word of `hash` and the two bits a key sets in it.
  size_t FilterWord(uint64_t hash) const {
    return static_cast<size_t>(((hash >> 32) * filter_words_) >> 32);
  }
  static uint64_t FilterMask(uint64_t hash) {
    return (uint64_t{1} << (hash & 63)) | (uint64_t{1} << ((hash >> 6) & 63));
  }
  // False only if the key whose KeyHash is `filter_hash` was certainly
  // never added.
  bool FilterMayContain(uint64_t filter_hash) const;

  int RandomHeight();
  Node* NewHead();
  int max_height() const { return max_height_.load(std::memory_order_relaxed); }
  // First node >= (key, seq), or null. If prev is not null, fills prev[level]
  // with the last node < (key, seq) at each level.
  Node* FindGreaterOrEqual(std::string_view key, uint64_t seq,
                           Node** prev) const;
  // FindGreaterOrEqual's walk, calling on_node() after each node it compares
  // (PrepareAdd's step counter, inlined). Defined and used in memtable.cc
  // only.
  template <typename OnNode>
  Node* Walk(std::string_view key, uint64_t seq, Node** prev,
             OnNode on_node) const;
  // True if splice_ brackets (key, seq) at levels [0, height): for each,
  // splice_[i] < (key, seq) < its successor at level i (or no successor).
  bool SpliceFits(std::string_view key, uint64_t seq, int height) const;
  // If the record at `node` is one of `key`, writes it into *out as Get's
  // result and returns true (the first node >= (key, kMaxSeq) holds the
  // key's newest record if any).
  static bool ResultIfKey(const Node* node, std::string_view key,
                          LookupResult* out);
  // Last node < the record at `entry` (head_ if none).
  Node* FindLessThan(const char* entry) const;
  // Last node whose key is <= key (head_ if none).
  Node* FindLastKeyAtMost(std::string_view key) const;
  Node* FindLast() const;

  const uint64_t id_;
  Arena arena_;  // nodes and keys from each block's start, values from its end
  // The head node lives outside the arena, so that an empty memtable has
  // allocated nothing there (memory_usage() is 0 until the first Add).
  std::unique_ptr<char[]> head_storage_;
  Node* const head_;
  std::atomic<int> max_height_{1};
  std::atomic<uint64_t> records_{0};
  std::atomic<uint64_t> min_epoch_{kNoEpoch};
  uint64_t min_seq_ = 0;  // written by the writer only
  uint64_t max_seq_ = 0;
  uint32_t rnd_;  // the writer's random state for node heights
  // The writer's insert hint (see the class comment): at each level, the
  // node the last Add linked its node after, or the node itself where it
  // has that level; head_ before the first Add.
  Node* splice_[kMaxHeight];
  // The key the last PrepareAdd walked to, while no Add has come since
  // (prepared_size_ > 0): splice_ then brackets it at every level, so that
  // an Add of it with a sequence number above every record's links there
  // without checking (SpliceFits: two key comparisons per level). Kept
  // here, next to the splice, rather than in a string of its own (a
  // cache line elsewhere, one per memtable); longer keys, rare, are not
  // noted and take the check.
  static constexpr size_t kPreparedKeyBytes = 64;
  size_t prepared_size_ = 0;
  char prepared_key_[kPreparedKeyBytes];
  // The key filter (see the class comment); null when filter_words_ is 0.
  // Only the writer sets bits, before it publishes the record they cover.
  const size_t filter_words_;
  std::unique_ptr<std::atomic<uint64_t>[]> filter_;
};

// Decodes the record at `entry` (a MemTable arena record).
RecordView DecodeMemTableEntry(const char* entry);

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_MEMTABLE_H_
