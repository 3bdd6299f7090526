#ifndef KSTONE_CORE_STORAGE_MEMORY_MEMORY_TABLE_H_
#define KSTONE_CORE_STORAGE_MEMORY_MEMORY_TABLE_H_

// MemoryTable: an immutable sorted run held in memory, the Table of an
// in-memory database (all of whose data ends up in these), so it is built to
// be compact and fast:
//
//  - every record lives in one contiguous arena, encoded as
//      varint32 suffix_len | key suffix
//      | varint64 ((seq - table's min seq) << 1 | type) | varint32 value_len
//      | value
//    where the key suffix is the key without the prefix that every key of
//    the table shares (kept once per table: at least the stripe and
//    namespace bytes of engine keys, and often much of the partition key),
//    and the sequence number counts from the table's smallest (a table of
//    a million writes: 3 bytes instead of 4). So a record costs its bytes
//    minus that prefix plus ~10 bytes of offset, hints and index, with no
//    per-record heap allocation. The arena grows with realloc, which large
//    allocations satisfy by remapping pages rather than copying, and is
//    rewritten (without the prefix, with relative sequence numbers) and
//    trimmed to its size when the table is finished;
//  - records are located through a compact offset index: per block of 32
//    records a uint64 arena offset, per record a uint16 offset from its
//    block's start. A block whose records span more than 64 KiB (records
//    averaging over 2 KiB) is "wide": its offsets are uint32s in a side
//    array instead (2.25 bytes per record in all, 4.25 in wide blocks);
//  - point lookups go through a hash index, keyed by the whole key's KeyHash
//    (key_hash.h: the hash the engine computes once per lookup for every
//    structure of the stripe): an open-addressing table (load <= 0.8) of
//    uint32 slots in buckets of one cache line (BucketedSlots,
//    bucketed_slots.h), each slot locating a key's newest
//    record plus as many fingerprint bits of the key's hash as the locator
//    leaves free. The locator is the record's arena offset where the arena
//    is small enough to leave kMinOffsetFingerprintBits (up to 4 MiB: a
//    stripe's table up to ~10 M items), so a hit touches only the slot and
//    the record; in a larger table it is the record's index, which leaves
//    more fingerprint bits and costs a third touch, the offset index. The
//    index is also the table's filter: a key whose fingerprint is in no
//    slot of its bucket (and of the buckets it overflowed into) is not in
//    the table, which costs one cache line, like a bloom filter probe, and
//    no separate filter memory.
//  - seeks first search a fence array: the first 16 bytes of the key
//    suffix of every 32nd record as two big-endian integers (0.5 byte per
//    record), contiguous, so its search costs a few cache lines. Inside the
//    group of 32 records the fences leave, a two-byte hint per record (the
//    suffix bytes after those the whole group shares) orders the records,
//    so the seek reads a line of hints and then, usually, the one record
//    it lands on (memory_table_seek.cc). Where many keys share their first
//    16 suffix bytes the fences leave several groups, whose records are
//    searched directly. Either way the seek avoids two cache misses
//    (offset and record) at every step of a search over the whole table.
//
// Thread safety: a finished MemoryTable is immutable and safe for concurrent
// use. MemoryTableBuilder and the iterators are not thread-safe. An iterator
// holds a shared_ptr to its table (tables are always made as shared_ptr), so
// the table lives as long as any iterator over it.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/storage/key_hash.h"
#include "core/storage/memory/bucketed_slots.h"
#include "core/storage/table.h"
#include "core/util/same_bytes.h"

namespace kstone::core {

namespace memory_table_internal {

// A growable byte buffer on malloc/realloc. (Giving large buffers their own
// mmap'ed region returned dropped tables' memory sooner, ~3 B/item less peak
// RSS, but the page faults and TLB shootdowns of mapping and unmapping cost
// the background thread ~half its time: heap memory comes back warm.)
// Not thread-safe.
class RecordArena {
 public:
  RecordArena() = default;
  ~RecordArena() { Release(); }
  RecordArena(const RecordArena&) = delete;
  RecordArena& operator=(const RecordArena&) = delete;

  const char* data() const { return data_; }
  char* mutable_data() { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  void Append(const char* bytes, size_t n) {
    if (n > capacity_ - size_) Grow(n);
    if (n > 0) std::memcpy(data_ + size_, bytes, n);
    size_ += n;
  }
  void AppendVarint(uint64_t value);
  // Makes room for at least `n` bytes in all without growing again.
  void Reserve(size_t n) {
    if (n > capacity_) Grow(n - size_);
  }
  // Reserve for an arena of exactly `n` bytes that is filled once: a large
  // one gets its own mapping (given back whole when the table is dropped,
  // where a heap block of that size would be reused only by another as
  // large). REQUIRES: the arena is empty.
  void ReserveExact(size_t n);
  // Drops the bytes past `n`. REQUIRES: n <= size().
  void Truncate(size_t n) { size_ = n; }
  // Releases the unused capacity.
  void ShrinkToFit();

 private:
  void Grow(size_t n);
  void Release();

  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool mapped_ = false;  // data_ is a mapping of capacity_ bytes
};

}  // namespace memory_table_internal

class MemoryTable final : public Table,
                          public std::enable_shared_from_this<MemoryTable> {
 public:
  // Largest sequence number a record may carry (seq shares 8 bytes with type).
  static constexpr uint64_t kMaxSeq = (uint64_t{1} << 56) - 1;

  MemoryTable(const MemoryTable&) = delete;
  MemoryTable& operator=(const MemoryTable&) = delete;

  absl::StatusOr<std::optional<LookupResult>> Get(
      std::string_view key) const override;
  absl::StatusOr<std::optional<LookupResult>> GetHashed(
      const HashedKey& key) const override;
  bool MayContain(std::string_view key) const override;
  // Prefetches the key's hash-index bucket.
  void Prefetch(const HashedKey& key) const override;
  // Step 1: from the slot, the record's offset entries; step 2: from them,
  // the record. *state keeps what step 1 found: the record the slot points
  // to, or that no slot does (the key is not here), which GetAfterSteps
  // then uses instead of hashing and probing again.
  void PrefetchStep(const HashedKey& key, uint64_t* state) const override;
  // Writes the value into out->value's memory.
  absl::StatusOr<bool> GetAfterStepsInto(const HashedKey& key, uint64_t state,
                                         LookupResult* out) const override;
  std::unique_ptr<TableIterator> NewIterator() const override;
  const TableMeta& meta() const override { return meta_; }

  // Number of records.
  size_t size() const { return num_records_; }
  // Whether the hash index locates records by arena offset (see the class
  // comment) rather than by index.
  bool hash_slots_hold_offsets() const { return slots_hold_offsets_; }
  // The i-th record in (key asc, seq desc) order; its key is assembled in
  // *key (which record.key views). REQUIRES: i < size().
  RecordView RecordAt(size_t i, std::string* key) const;
  // The i-th record without its key: *suffix views the key's bytes after
  // shared_prefix() in the table; record->key is left alone. For a reader
  // that assembles keys in a buffer of its own (the iterator).
  // REQUIRES: i < size().
  void RecordSuffixAt(size_t i, std::string_view* suffix,
                      RecordView* record) const;
  // Requests (prefetches) the records from the i-th on, up to `bytes` of
  // them. Records lie in key order in one arena, so this is what a forward
  // read will touch next. REQUIRES: i < size().
  void ReadAhead(size_t i, size_t bytes) const;
  // True if no two records have the same key.
  bool keys_unique() const { return keys_unique_; }
  // The prefix every key of the table starts with (elided from records).
  std::string_view shared_prefix() const { return prefix_; }
  // Index of the first record whose key is >= key (size() if none).
  size_t LowerBound(std::string_view key) const;
  // Index of the first record whose key is > key (size() if none).
  size_t UpperBound(std::string_view key) const;

  // A new table numbered `number` holding the records of `source` except
  // every version of the keys in `keys` (any order; keys not in `source` are
  // ignored), or null if no record is left (InvalidArgument only for records
  // too large to index, as Add). The kept records are copied
  // through as they are encoded (same shared prefix and sequence base), in
  // runs, into an arena sized exactly; only the offset index, the fences and
  // hints and the hash index are built anew (memory_table_copy.cc). This is
  // what makes dropping overwritten versions from a stripe's oldest table
  // cheap enough to do often.
  static absl::StatusOr<std::shared_ptr<const MemoryTable>> CopyWithout(
      const MemoryTable& source, uint64_t number,
      const std::vector<std::string>& keys);

 private:
  friend class MemoryTableBuilder;
  static constexpr int kBlockShift = 5;  // an offset base every 32 records
  static constexpr size_t kBlockSize = size_t{1} << kBlockShift;
  static constexpr int kFenceShift = 5;  // a fence every 32 records
  // Set in block_base_ for a wide block (see the class comment).
  static constexpr uint64_t kWideBlock = uint64_t{1} << 63;
  // The fewest fingerprint bits a hash slot keeps when it holds an arena
  // offset: with ~13 slots of its bucket filled at load 0.8, about 1.3 % of
  // absent keys then cost a record read for a false match.
  static constexpr int kMinOffsetFingerprintBits = 10;

  MemoryTable() = default;
  // Records `n` (the next record's index) as starting at arena offset
  // `offset`: opens a block every kBlockSize records. False if the offset
  // does not fit (see SetRecordOffset).
  bool AppendRecordOffset(size_t n, uint64_t offset);
  // Fills meta_ (entries, keys, bytes) for a finished table whose arena,
  // offsets, prefix and indexes are complete.
  void FinishMeta();
  // The i-th record's offset in the arena.
  size_t RecordOffset(size_t i) const {
    const uint64_t base = block_base_[i >> kBlockShift];
    if (__builtin_expect((base & kWideBlock) == 0, 1)) {
      return static_cast<size_t>(base) + offsets_[i];
    }
    return WideRecordOffset(i, base);
  }
  size_t WideRecordOffset(size_t i, uint64_t base) const;
  // Where the offsets of wide block b start in wide_offsets_.
  size_t WideIndex(size_t b) const {
    return offsets_[b * kBlockSize + 1] |
           (size_t{offsets_[b * kBlockSize + 2]} << 16);
  }
  // Records the offset (from its block's start) of record i, the newest
  // record of the last block; turns the block wide if it does not fit 16
  // bits. False if it does not fit 32 bits either.
  bool SetRecordOffset(size_t i, uint64_t relative);
  const char* RecordPtr(size_t i) const {
    return arena_.data() + RecordOffset(i);
  }
  // The record a hash slot's locator (its value less one) points to.
  const char* RecordOfLocator(uint64_t locator) const {
    return slots_hold_offsets_ ? arena_.data() + locator
                               : RecordPtr(static_cast<size_t>(locator));
  }
  // The key (without the shared prefix) of the record at `record`.
  static std::string_view SuffixOf(const char* record);
  // The i-th record's key without the shared prefix.
  std::string_view SuffixAt(size_t i) const { return SuffixOf(RecordPtr(i)); }
  // Compares the i-th record's key with `key`, like memcmp.
  int CompareKeyAt(size_t i, std::string_view key) const;
  // The range [*lo, *hi) of record indexes that the fences leave for a
  // search of `suffix` (a key without the shared prefix): every record
  // before *lo is < suffix and the record at *hi (if any) is > suffix.
  void FenceRange(std::string_view suffix, size_t* lo, size_t* hi) const;
  // LowerBound (upper = false) or UpperBound (upper = true).
  size_t Bound(std::string_view key, bool upper) const;
  // Bound within the one fence group [lo, hi) (lo a multiple of the group
  // size) that FenceRange left, through the group's hints.
  size_t GroupBound(size_t lo, size_t hi, std::string_view suffix,
                    bool upper) const;
  // Builds fences_, group_shared_ and hints_ (and first_word_, last_word_).
  void BuildFences();
  // Bytes [0, 8) of `s`, zero-padded, as a big-endian integer: a smaller
  // word means a smaller string (equal words decide nothing).
  static uint64_t LeadingWord(std::string_view s) {
    if (s.size() >= 8) return LoadBigEndian64(s.data());
    uint64_t w = 0;
    for (size_t i = 0; i < 8; ++i) {
      w = (w << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0);
    }
    return w;
  }
  static uint64_t LoadBigEndian64(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, sizeof(w));
    return __builtin_bswap64(w);  // (kstone builds for little-endian)
  }
  // Whether `key` begins with the table's shared prefix (which every key
  // of the table has). Inline: a probe of every table of a stripe asks it
  // once or twice, and memcmp's call costs more than comparing a prefix
  // of a few dozen bytes.
  bool HasPrefix(std::string_view key) const {
    return key.size() >= prefix_.size() &&
           SameBytes(key.substr(0, prefix_.size()), prefix_);
  }
  // True if `key`, whose first prefix_.size() bytes are prefix_, is
  // certainly below the table's first key or above its last: then it is
  // not here, and no line of the hash index need be loaded to say so. A
  // new key of a growing id is above every table of its stripe, and a
  // conditional Put of it probes them all.
  bool OutsideKeyRange(std::string_view key) const {
    const size_t n = key.size() - prefix_.size();  // the suffix's length
    uint64_t w;
    if (n >= 8) {
      w = LoadBigEndian64(key.data() + prefix_.size());
    } else if (key.size() >= 8 && n > 0) {
      // A short suffix: the key's last eight bytes, shifted past the
      // prefix bytes among them (a shift, not a loop of loads).
      w = LoadBigEndian64(key.data() + key.size() - 8) << (8 * (8 - n));
    } else {
      w = LeadingWord(key.substr(prefix_.size()));
    }
    return w < first_word_ || w > last_word_;
  }
  struct Fence;
  static Fence FenceOf(std::string_view s);
  // Bytes [from, from + 2) of `s`, zero-padded, big-endian.
  static uint16_t HintOf(std::string_view s, size_t from);
  // Rewrites the arena without the first `prefix_len` bytes of every key
  // and with sequence numbers relative to seq_base_ (records are built with
  // absolute ones).
  void RewriteRecords(size_t prefix_len);
  void BuildHashIndex();
  // The locator + 1 of the newest record of `key`, or 0 if there is none.
  // REQUIRES: a hash index.
  uint64_t FindLocator(const HashedKey& key) const;
  // The newest record of `key`, or null if there is none.
  const char* FindRecord(const HashedKey& key) const;
  // The index of the record that starts at arena offset `offset`.
  size_t IndexOfOffset(size_t offset) const;
  // Index of the newest record of `key`, or size() if there is none.
  size_t Find(std::string_view key) const;
  // The locator + 1 of the first slot in the probe run of the key whose
  // KeyHash is `key_hash` whose fingerprint matches and whose locator
  // `accept` takes, or 0 if none. REQUIRES: a hash index. Defined and used
  // in memory_table.cc only.
  template <typename AcceptFn>
  uint64_t Probe(uint64_t key_hash, AcceptFn accept) const;
  // Probe for the first fingerprint match: 0 means the key is certainly not
  // in the table.
  uint64_t FirstCandidate(uint64_t key_hash) const;
  // Starts loading the record at `record` (PrefetchStep).
  void PrefetchRecord(const char* record) const;
  // Get's result for the record at `record` (whose key was compared);
  // ResultInto writes it into *out, reusing out->value's memory.
  LookupResult ResultOf(const char* record) const;
  void ResultInto(const char* record, LookupResult* out) const;
  // PrefetchStep's states besides 0 (no step yet) and ((c << 1) | r) (step
  // 1 found the candidate c that FirstCandidate returned; r: step 2 asked
  // for the record).
  static constexpr uint64_t kStepNotHere = ~uint64_t{0};
  static constexpr uint32_t kMaxRecordPrefetch = 256;
  static constexpr uint64_t kStepSearch = ~uint64_t{0} - 1;  // no hash index

  memory_table_internal::RecordArena arena_;
  size_t num_records_ = 0;
  // Per block of kBlockSize records: the arena offset of its first record,
  // with kWideBlock set for a wide block.
  std::vector<uint64_t> block_base_;
  // Per record (padded to whole blocks): its offset from its block's start.
  // In a wide block entries 1 and 2 hold WideIndex instead.
  std::vector<uint16_t> offsets_;
  // The offsets of the records of wide blocks, kBlockSize per block.
  std::vector<uint32_t> wide_offsets_;
  // What records' sequence numbers count from (the table's smallest).
  uint64_t seq_base_ = 0;
  std::string prefix_;  // shared by every key (see the class comment)
  // The first 16 suffix bytes (zero-padded) of records 0, 32, 64, ...
  struct Fence {
    uint64_t high;  // bytes 0..7, big-endian
    uint64_t low;   // bytes 8..15
    friend bool operator<(const Fence& a, const Fence& b) {
      return a.high != b.high ? a.high < b.high : a.low < b.low;
    }
  };
  std::vector<Fence> fences_;
  // Per fence group: how many leading suffix bytes all its records share
  // (at most 16, so that the fence holds them). Per record: the two suffix
  // bytes after those (HintOf). Inside a group hints are non-decreasing and
  // order records as their keys do (equal hints decide nothing), so a seek
  // in a group reads one or two cache lines of hints and then, usually, a
  // single record, instead of a record per step of a binary search.
  std::vector<uint8_t> group_shared_;
  std::vector<uint16_t> hints_;
  // LeadingWord of the first and the last key's suffix (an empty table:
  // first above last, so that every key is outside).
  uint64_t first_word_ = ~uint64_t{0};
  uint64_t last_word_ = 0;
  // The hash index (see above); empty only for an empty table.
  memory_table_internal::BucketedSlots slots_;
  // The low bits of a slot: locator + 1 (0 = an empty slot).
  int locator_bits_ = 0;
  bool slots_hold_offsets_ = false;  // locators are arena offsets
  bool keys_unique_ = false;         // set by BuildHashIndex
  // Bytes of the table's average record (at most kMaxRecordPrefetch), the
  // span PrefetchStep loads from a record's start (set by BuildHashIndex).
  uint32_t record_prefetch_bytes_ = 0;
  TableMeta meta_;
};

// Builds a MemoryTable from records added in (key asc, seq desc) order.
// Not thread-safe.
class MemoryTableBuilder final : public TableBuilder {
 public:
  // Called by Finish with the finished table (e.g. to register it in a
  // store); its error becomes Finish's. May be empty.
  using PublishFn =
      std::function<absl::Status(std::shared_ptr<const MemoryTable>)>;
  // Called by Abandon (and by the destructor of an unfinished builder).
  using AbandonFn = std::function<void()>;

  // `bloom_bits_per_key` is accepted for symmetry with the disk backend and
  // ignored: the hash index is the filter (see MemoryTable).
  MemoryTableBuilder(uint64_t number, int bloom_bits_per_key,
                     PublishFn publish = nullptr, AbandonFn abandon = nullptr);
  ~MemoryTableBuilder() override;
  MemoryTableBuilder(const MemoryTableBuilder&) = delete;
  MemoryTableBuilder& operator=(const MemoryTableBuilder&) = delete;

  // InvalidArgument if the record is not strictly after the previous one, or
  // its seq exceeds MemoryTable::kMaxSeq; FailedPrecondition once finished.
  absl::Status Add(const RecordView& record) override;
  // Reserves the arena (records shrink by the shared prefix later, and the
  // unused rest is returned when the table is finished).
  void ExpectBytes(uint64_t bytes) override;
  absl::StatusOr<TableMeta> Finish() override;
  void Abandon() override;

  // Like Finish, but hands back the table itself.
  absl::StatusOr<std::shared_ptr<const MemoryTable>> FinishTable();

 private:
  std::unique_ptr<MemoryTable> table_;  // null once finished or abandoned
  std::string last_key_;
  uint64_t last_seq_ = 0;
  PublishFn publish_;
  AbandonFn abandon_;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_MEMORY_MEMORY_TABLE_H_
