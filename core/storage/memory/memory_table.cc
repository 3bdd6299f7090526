// The reading half of MemoryTable (memory_table.h): point lookups through
// the hash index, the iterator, and the record arena. Building is in
// memory_table_builder.cc, seeks in memory_table_seek.cc, copies without
// some keys in memory_table_copy.cc.

#include "core/storage/memory/memory_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "core/util/coding.h"

namespace kstone::core {
namespace {

// Decodes what follows a record's key (at p): the tag into seq (counted from
// `seq_base`) and type, and the length-prefixed value.
void DecodeRecordTail(const char* p, uint64_t seq_base, RecordView* record) {
  uint64_t tag;
  p = DecodeTrustedVarint64(p, &tag);
  record->seq = seq_base + (tag >> 1);
  record->type = static_cast<RecordType>(tag & 1);
  uint32_t len;
  p = DecodeTrustedVarint32(p, &len);
  record->value = std::string_view(p, len);
}

// Iterates a MemoryTable by record index; size() means "not valid". The
// current record is decoded (and its key assembled) when the position
// changes, so record() is cheap however often the merger asks.
class MemoryTableIterator final : public TableIterator {
 public:
  explicit MemoryTableIterator(std::shared_ptr<const MemoryTable> table)
      : table_(std::move(table)),
        pos_(table_->size()),
        prefix_size_(table_->shared_prefix().size()) {
    // Room for a typical key up front, so that the first record does not
    // allocate the buffer a second time.
    GrowKey(prefix_size_ + 48);
  }

  bool Valid() const override { return pos_ < table_->size(); }
  void SeekToFirst() override {
    MoveTo(0);
    StartReadAhead();
  }
  void SeekToLast() override {
    MoveTo(table_->size() == 0 ? 0 : table_->size() - 1);
  }
  void Seek(std::string_view key) override {
    MoveTo(table_->LowerBound(key));
    StartReadAhead();
  }
  void SeekForPrev(std::string_view key) override {
    size_t upper = table_->UpperBound(key);
    MoveTo(upper == 0 ? table_->size() : upper - 1);
  }
  void Next() override {
    assert(Valid());
    MoveTo(pos_ + 1);
  }
  bool NextRecord(RecordView* record) override {
    assert(Valid());
    MoveTo(pos_ + 1);
    if (!Valid()) return false;
    *record = record_;
    return true;
  }
  void Prev() override {
    assert(Valid());
    MoveTo(pos_ == 0 ? table_->size() : pos_ - 1);
  }
  RecordView record() const override {
    assert(Valid());
    return record_;
  }
  absl::Status status() const override { return absl::OkStatus(); }
  bool KeysUnique() const override { return table_->keys_unique(); }

 private:
  // A seek lands on records whose memory is cold, and a short forward read
  // (a query or scan of ten items) ends before the hardware prefetcher has
  // recognised the stream, so each record waited for its own DRAM miss.
  // After a forward seek the iterator requests the next few records' memory
  // at once (3 % off a 10-item query or scan, paired runs; 1 KiB plus a
  // prefetch ahead on every Next looked no better, in noisier unpaired runs).
  static constexpr size_t kReadAheadBytes = 512;
  void StartReadAhead() {
    if (Valid()) table_->ReadAhead(pos_, kReadAheadBytes);
  }

  void MoveTo(size_t pos) {
    pos_ = pos;
    if (pos_ < table_->size()) {
      std::string_view suffix;
      table_->RecordSuffixAt(pos_, &suffix, &record_);
      const size_t size = prefix_size_ + suffix.size();
      if (size > key_capacity_) GrowKey(size);
      std::memcpy(key_.get() + prefix_size_, suffix.data(), suffix.size());
      record_.key = std::string_view(key_.get(), size);
    }
  }

  // Makes key_ hold at least `size` bytes, the shared prefix first.
  void GrowKey(size_t size) {
    const size_t capacity = std::max(size, 2 * key_capacity_);
    auto grown = std::make_unique<char[]>(capacity);
    const std::string_view prefix = table_->shared_prefix();
    std::memcpy(grown.get(), prefix.data(), prefix.size());
    key_ = std::move(grown);
    key_capacity_ = capacity;
  }

  const std::shared_ptr<const MemoryTable> table_;
  size_t pos_;
  const size_t prefix_size_;
  // The current record's full key: the table's shared prefix, written once,
  // then the record's own bytes, copied in per record (a plain copy into a
  // buffer: a scan's hot path, where string bookkeeping showed).
  std::unique_ptr<char[]> key_;
  size_t key_capacity_ = 0;
  RecordView record_;  // the current record (key views key_)
};

}  // namespace

namespace memory_table_internal {
namespace {

// ReserveExact maps arenas of at least this many bytes (glibc's initial mmap
// threshold, which it raises as mapped blocks are freed).
constexpr size_t kMapBytes = 128 << 10;

}  // namespace

void RecordArena::AppendVarint(uint64_t value) {
  char buf[10];
  Append(buf, static_cast<size_t>(EncodeVarint64(buf, value) - buf));
}

void RecordArena::Grow(size_t n) {
  size_t wanted =
      std::max({size_ + n, capacity_ + capacity_ / 2, size_t{4096}});
  if (mapped_) {
    // Not expected (a mapped arena is filled once): move it to the heap.
    char* moved = static_cast<char*>(std::malloc(wanted));
    if (moved == nullptr) std::abort();
    std::memcpy(moved, data_, size_);
    Release();
    data_ = moved;
    capacity_ = wanted;
    return;
  }
  void* grown = std::realloc(data_, wanted);
  if (grown == nullptr) std::abort();  // out of memory, as operator new
  data_ = static_cast<char*>(grown);
  capacity_ = wanted;
}

void RecordArena::Release() {
  if (mapped_) {
    munmap(data_, capacity_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
  capacity_ = 0;
  mapped_ = false;
}

void RecordArena::ReserveExact(size_t n) {
  assert(size_ == 0);
  if (n >= kMapBytes) {
    void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p != MAP_FAILED) {
      Release();
      data_ = static_cast<char*>(p);
      capacity_ = n;
      mapped_ = true;
      return;
    }
  }
  Reserve(n);
}

void RecordArena::ShrinkToFit() {
  if (size_ == capacity_ || mapped_) return;
  if (size_ == 0) {
    std::free(data_);
    data_ = nullptr;
    capacity_ = 0;
    return;
  }
  void* shrunk = std::realloc(data_, size_);
  if (shrunk == nullptr) return;  // keep the larger block
  data_ = static_cast<char*>(shrunk);
  capacity_ = size_;
}

}  // namespace memory_table_internal

void MemoryTable::ReadAhead(size_t i, size_t bytes) const {
  assert(i < size());
  const char* from = RecordPtr(i);
  const char* end = arena_.data() + arena_.size();
  const char* until =
      end - from > static_cast<ptrdiff_t>(bytes) ? from + bytes : end;
  for (const char* p = from; p < until; p += 64) __builtin_prefetch(p);
}

std::string_view MemoryTable::SuffixOf(const char* record) {
  uint32_t key_len;
  const char* p = DecodeTrustedVarint32(record, &key_len);
  return std::string_view(p, key_len);
}

int MemoryTable::CompareKeyAt(size_t i, std::string_view key) const {
  // Every key of the table is prefix_ + suffix.
  const size_t n = std::min(prefix_.size(), key.size());
  if (n > 0) {
    const int c = std::memcmp(prefix_.data(), key.data(), n);
    if (c != 0) return c;
  }
  if (key.size() < prefix_.size()) return 1;  // key is a proper prefix
  return SuffixAt(i).compare(key.substr(prefix_.size()));
}

RecordView MemoryTable::RecordAt(size_t i, std::string* key) const {
  RecordView record;
  std::string_view suffix;
  RecordSuffixAt(i, &suffix, &record);
  key->assign(prefix_);
  key->append(suffix);
  record.key = *key;
  return record;
}

void MemoryTable::RecordSuffixAt(size_t i, std::string_view* suffix,
                                 RecordView* record) const {
  assert(i < size());
  uint32_t len;
  const char* p = DecodeTrustedVarint32(RecordPtr(i), &len);
  *suffix = std::string_view(p, len);
  DecodeRecordTail(p + len, seq_base_, record);
}

bool MemoryTable::MayContain(std::string_view key) const {
  if (slots_.empty()) return size() > 0;  // no index: cannot tell
  if (!HasPrefix(key) || OutsideKeyRange(key)) {
    return false;
  }
  return FirstCandidate(KeyHash(key)) != 0;
}

template <typename AcceptFn>
uint64_t MemoryTable::Probe(uint64_t h, AcceptFn accept) const {
  const uint32_t locator_mask = (uint32_t{1} << locator_bits_) - 1;
  const uint32_t fingerprint =
      static_cast<uint32_t>(h << locator_bits_) & ~locator_mask;
  const uint32_t slot =
      slots_.Find(slots_.BucketOf(h), fingerprint, ~locator_mask,
                  [&](uint32_t s) { return accept((s & locator_mask) - 1); });
  return slot & locator_mask;
}

uint64_t MemoryTable::FirstCandidate(uint64_t key_hash) const {
  return Probe(key_hash, [](uint64_t) { return true; });
}

void MemoryTable::Prefetch(const HashedKey& key) const {
  // (A key without the table's prefix, or outside its range, is not here:
  // no line to load.)
  if (slots_.empty() || !HasPrefix(key.key) || OutsideKeyRange(key.key)) {
    return;
  }
  slots_.Prefetch(slots_.BucketOf(key.hash));
}

void MemoryTable::PrefetchStep(const HashedKey& key, uint64_t* state) const {
  if (*state == 0) {
    // Step 1.
    if (slots_.empty()) {
      *state = kStepSearch;
      return;
    }
    // (No OutsideKeyRange here: steps serve reads of keys likely present,
    // an Update's or a conditional overwrite's, inside the range.)
    if (!HasPrefix(key.key)) {
      *state = kStepNotHere;
      return;
    }
    // The record Find compares first (a fingerprint's false match costs a
    // useless prefetch, and GetAfterSteps then searches as Get does).
    const uint64_t candidate = FirstCandidate(key.hash);
    if (candidate == 0) {
      *state = kStepNotHere;
      return;
    }
    *state = candidate << 1;
    if (slots_hold_offsets_) {
      // The record itself; step 2 has nothing left to load.
      PrefetchRecord(arena_.data() + candidate - 1);
      *state |= 1;
      return;
    }
    // (A wide block's offsets are in wide_offsets_: step 2 then waits for
    // one, as Get would.)
    const size_t i = static_cast<size_t>(candidate - 1);
    __builtin_prefetch(&block_base_[i >> kBlockShift]);
    __builtin_prefetch(&offsets_[i]);
    return;
  }
  if (*state == kStepNotHere || *state == kStepSearch || (*state & 1) != 0) {
    return;  // nothing left to load
  }
  PrefetchRecord(RecordOfLocator((*state >> 1) - 1));
  *state |= 1;
}

void MemoryTable::PrefetchRecord(const char* record) const {
  // The lines an average record of the table spans from where this one
  // starts: records of ~120 bytes span three lines more often than two,
  // and the read goes through all of the record.
  const uintptr_t first = reinterpret_cast<uintptr_t>(record) >> 6;
  const uintptr_t last = (reinterpret_cast<uintptr_t>(record) +
                          std::max<uint32_t>(record_prefetch_bytes_, 1) - 1) >>
                         6;
  for (uintptr_t line = first; line <= last; ++line) {
    __builtin_prefetch(record + ((line - first) << 6));
  }
}

LookupResult MemoryTable::ResultOf(const char* record) const {
  LookupResult result;
  ResultInto(record, &result);
  return result;
}

void MemoryTable::ResultInto(const char* record, LookupResult* out) const {
  // Past the key and without assembling it.
  uint32_t key_len;
  const char* p = DecodeTrustedVarint32(record, &key_len);
  RecordView view;
  DecodeRecordTail(p + key_len, seq_base_, &view);
  out->seq = view.seq;
  out->type = view.type;
  out->value.assign(view.value.data(), view.value.size());
}

absl::StatusOr<std::optional<LookupResult>> MemoryTable::Get(
    std::string_view key) const {
  return GetHashed(HashedKey(key));
}

absl::StatusOr<std::optional<LookupResult>> MemoryTable::GetHashed(
    const HashedKey& key) const {
  const char* record = FindRecord(key);
  if (record == nullptr) return std::nullopt;
  return ResultOf(record);
}

absl::StatusOr<bool> MemoryTable::GetAfterStepsInto(const HashedKey& key,
                                                    uint64_t state,
                                                    LookupResult* out) const {
  if (state == kStepNotHere) return false;
  const char* record = nullptr;
  if (state != 0 && state != kStepSearch) {
    record = RecordOfLocator((state >> 1) - 1);
    if (!SameBytes(SuffixOf(record), key.key.substr(prefix_.size()))) {
      record = nullptr;
    }
  }
  if (record == nullptr) record = FindRecord(key);  // Get's search
  if (record == nullptr) return false;
  ResultInto(record, out);
  return true;
}

size_t MemoryTable::WideRecordOffset(size_t i, uint64_t base) const {
  return static_cast<size_t>(base & ~kWideBlock) +
         wide_offsets_[WideIndex(i >> kBlockShift) + (i & (kBlockSize - 1))];
}

uint64_t MemoryTable::FindLocator(const HashedKey& key) const {
  if (!HasPrefix(key.key)) return 0;
  const std::string_view suffix = key.key.substr(prefix_.size());
  if (OutsideKeyRange(key.key)) return 0;
  return Probe(key.hash, [&](uint64_t locator) {
    return SameBytes(SuffixOf(RecordOfLocator(locator)), suffix);
  });
}

const char* MemoryTable::FindRecord(const HashedKey& key) const {
  if (slots_.empty()) {
    const size_t i = Find(key.key);
    return i == size() ? nullptr : RecordPtr(i);
  }
  const uint64_t locator = FindLocator(key);
  return locator == 0 ? nullptr : RecordOfLocator(locator - 1);
}

size_t MemoryTable::Find(std::string_view key) const {
  if (slots_.empty()) {
    const size_t i = LowerBound(key);
    return i < size() && CompareKeyAt(i, key) == 0 ? i : size();
  }
  const uint64_t locator = FindLocator(HashedKey(key));
  if (locator == 0) return size();
  return slots_hold_offsets_ ? IndexOfOffset(locator - 1)
                             : static_cast<size_t>(locator - 1);
}

size_t MemoryTable::IndexOfOffset(size_t offset) const {
  // The last block starting at or before `offset`, then the record in it.
  const auto block_start = [](uint64_t base) { return base & ~kWideBlock; };
  const auto after = std::upper_bound(
      block_base_.begin(), block_base_.end(), offset,
      [&](size_t o, uint64_t base) { return o < block_start(base); });
  assert(after != block_base_.begin());
  const size_t b = static_cast<size_t>(after - block_base_.begin()) - 1;
  const size_t first = b << kBlockShift;
  const size_t last = std::min(size(), first + kBlockSize);
  for (size_t i = first; i < last; ++i) {
    if (RecordOffset(i) == offset) return i;
  }
  assert(false && "IndexOfOffset: not the start of a record");
  return size();
}

std::unique_ptr<TableIterator> MemoryTable::NewIterator() const {
  return std::make_unique<MemoryTableIterator>(shared_from_this());
}

}  // namespace kstone::core
