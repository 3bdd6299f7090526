#include "core/storage/memory/memory_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/util/coding.h"
#include "core/util/hash.h"

namespace kstone::core {
namespace {

// Writes `value` as a varint at p; returns the end.
inline char* EncodeVarintTo(char* p, uint64_t value) {
  while (value >= 0x80) {
    *p++ = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  *p++ = static_cast<char>(value);
  return p;
}

// A record's tag: its sequence number (relative to `seq_base`) and type.
inline uint64_t TagOf(uint64_t seq, uint64_t seq_base, RecordType type) {
  return ((seq - seq_base) << 1) | static_cast<uint64_t>(type);
}

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
      : table_(std::move(table)), pos_(table_->size()) {
    // Room for a typical key up front, so that the first record does not
    // allocate the buffer a second time.
    key_.reserve(table_->shared_prefix().size() + 48);
    key_.assign(table_->shared_prefix());
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
      record_ = table_->RecordAtAfterPrefix(pos_, &key_);
    }
  }

  const std::shared_ptr<const MemoryTable> table_;
  size_t pos_;
  std::string key_;    // the current record's full key (starts with the
                       // table's shared prefix from the start)
  RecordView record_;  // the current record (key views key_)
};

constexpr uint64_t kHashIndexSeed = 0x6d656d7461626c65ULL;  // "memtable"

uint64_t HashIndexHash(std::string_view key) {
  return Hash64(key, kHashIndexSeed);
}

// Maps a hash onto [0, n) by its high bits (Lemire's multiply-shift), so the
// fingerprint, taken from the low bits, is independent of the slot.
uint64_t SlotOf(uint64_t h, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(h) * n) >> 64);
}

}  // namespace

namespace memory_table_internal {
namespace {

// ReserveExact maps arenas of at least this many bytes (glibc's initial mmap
// threshold, which it raises as mapped blocks are freed).
constexpr size_t kMapBytes = 128 << 10;

}  // namespace

void RecordArena::AppendVarint(uint64_t value) {
  char buf[10];
  size_t n = 0;
  while (value >= 0x80) {
    buf[n++] = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  buf[n++] = static_cast<char>(value);
  Append(buf, n);
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

std::string_view MemoryTable::SuffixAt(size_t i) const {
  uint32_t key_len;
  const char* p = DecodeTrustedVarint32(RecordPtr(i), &key_len);
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
  key->assign(prefix_);
  return RecordAtAfterPrefix(i, key);
}

RecordView MemoryTable::RecordAtAfterPrefix(size_t i, std::string* key) const {
  assert(i < size());
  assert(key->compare(0, prefix_.size(), prefix_) == 0);
  RecordView record;
  uint32_t len;
  const char* p = DecodeTrustedVarint32(RecordPtr(i), &len);
  key->resize(prefix_.size());
  key->append(p, len);
  record.key = *key;
  DecodeRecordTail(p + len, seq_base_, &record);
  return record;
}

bool MemoryTable::MayContain(std::string_view key) const {
  if (num_slots_ == 0) return size() > 0;  // no index: cannot tell
  if (key.substr(0, prefix_.size()) != prefix_) return false;
  const std::string_view suffix = key.substr(prefix_.size());
  const uint64_t h = HashIndexHash(suffix);
  const uint32_t index_mask = (uint32_t{1} << index_bits_) - 1;
  const uint32_t fingerprint =
      static_cast<uint32_t>(h << index_bits_) & ~index_mask;
  for (uint64_t pos = SlotOf(h, num_slots_);;
       pos = pos + 1 == num_slots_ ? 0 : pos + 1) {
    const uint32_t slot = slots_[pos];
    if (slot == 0) return false;
    if ((slot & ~index_mask) == fingerprint) return true;
  }
}

void MemoryTable::Prefetch(std::string_view key) const {
  if (num_slots_ == 0 || key.substr(0, prefix_.size()) != prefix_) return;
  const uint64_t h = HashIndexHash(key.substr(prefix_.size()));
  __builtin_prefetch(&slots_[SlotOf(h, num_slots_)]);
}

absl::StatusOr<std::optional<LookupResult>> MemoryTable::Get(
    std::string_view key) const {
  size_t i = Find(key);
  if (i == size()) return std::nullopt;
  // Past the key (which Find compared) and without assembling it.
  uint32_t key_len;
  const char* p = DecodeTrustedVarint32(RecordPtr(i), &key_len);
  RecordView record;
  DecodeRecordTail(p + key_len, seq_base_, &record);
  return LookupResult{record.seq, record.type, std::string(record.value)};
}

size_t MemoryTable::WideRecordOffset(size_t i, uint64_t base) const {
  return static_cast<size_t>(base & ~kWideBlock) +
         wide_offsets_[WideIndex(i >> kBlockShift) + (i & (kBlockSize - 1))];
}

bool MemoryTable::SetRecordOffset(size_t i, uint64_t relative) {
  const size_t b = i >> kBlockShift;
  const size_t j = i & (kBlockSize - 1);
  if (relative > UINT32_MAX) return false;
  if ((block_base_[b] & kWideBlock) != 0) {
    wide_offsets_[WideIndex(b) + j] = static_cast<uint32_t>(relative);
    return true;
  }
  if (relative <= UINT16_MAX) {
    offsets_[i] = static_cast<uint16_t>(relative);
    return true;
  }
  // The block turns wide: its offsets so far move to wide_offsets_, and its
  // entries 1 and 2 in offsets_ say where.
  const size_t index = wide_offsets_.size();
  if (index > UINT32_MAX - kBlockSize) return false;
  wide_offsets_.resize(index + kBlockSize, 0);
  for (size_t k = 0; k < j; ++k) {
    wide_offsets_[index + k] = offsets_[b * kBlockSize + k];
  }
  wide_offsets_[index + j] = static_cast<uint32_t>(relative);
  offsets_[b * kBlockSize + 1] = static_cast<uint16_t>(index & 0xffff);
  offsets_[b * kBlockSize + 2] = static_cast<uint16_t>(index >> 16);
  block_base_[b] |= kWideBlock;
  return true;
}

bool MemoryTable::AppendRecordOffset(size_t n, uint64_t offset) {
  if ((n & (kBlockSize - 1)) == 0) {
    block_base_.push_back(offset);
    offsets_.resize(offsets_.size() + kBlockSize, 0);
    return true;
  }
  return SetRecordOffset(n, offset - (block_base_.back() & ~kWideBlock));
}

void MemoryTable::FinishMeta() {
  meta_.entries = size();
  meta_.bytes = sizeof(MemoryTable) + arena_.capacity() +
                offsets_.capacity() * sizeof(uint16_t) +
                block_base_.capacity() * sizeof(uint64_t) +
                wide_offsets_.capacity() * sizeof(uint32_t) +
                prefix_.capacity() + num_slots_ * sizeof(uint32_t) +
                fences_.capacity() * sizeof(Fence) + group_shared_.capacity() +
                hints_.capacity() * sizeof(uint16_t) +
                meta_.smallest_key.capacity() + meta_.largest_key.capacity();
}

void MemoryTable::RewriteRecords(size_t prefix_len) {
  if (prefix_len == 0 && seq_base_ == 0) return;  // nothing would change
  // Records only shrink (a shorter key, a smaller tag), so each moves to or
  // before where it was, and the bytes it is written over have been read
  // already. Offsets only shrink too, so a block's offsets keep fitting.
  char* const base = arena_.mutable_data();
  size_t out = 0;
  size_t block_start = 0;  // the block's new start
  uint64_t old_block_start = 0;
  for (size_t i = 0; i < size(); ++i) {
    const size_t b = i >> kBlockShift;
    const size_t j = i & (kBlockSize - 1);
    if (j == 0) old_block_start = block_base_[b] & ~kWideBlock;
    const uint64_t relative = j == 0 ? 0
                              : (block_base_[b] & kWideBlock) != 0
                                  ? wide_offsets_[WideIndex(b) + j]
                                  : offsets_[i];
    const char* const record = base + old_block_start + relative;
    uint32_t key_len;
    const char* const key = DecodeTrustedVarint32(record, &key_len);
    uint64_t tag;
    const char* const tail = DecodeTrustedVarint64(key + key_len, &tag);
    uint32_t value_len;
    const char* const value = DecodeTrustedVarint32(tail, &value_len);
    const char* const end = value + value_len;

    if (j == 0) {
      block_start = out;
      block_base_[b] = (block_base_[b] & kWideBlock) | out;
    } else {
      // Fits: the offset only shrank.
      SetRecordOffset(i, out - block_start);
    }
    char* p = base + out;
    p = EncodeVarintTo(p, key_len - static_cast<uint32_t>(prefix_len));
    const size_t suffix_len = key_len - prefix_len;
    std::memmove(p, key + prefix_len, suffix_len);
    p += suffix_len;
    p = EncodeVarintTo(
        p, TagOf(tag >> 1, seq_base_, static_cast<RecordType>(tag & 1)));
    const size_t rest = static_cast<size_t>(end - tail);
    std::memmove(p, tail, rest);
    out = static_cast<size_t>(p + rest - base);
  }
  arena_.Truncate(out);
}

void MemoryTable::BuildHashIndex() {
  const size_t n = size();
  // Slots hold a record index in 32 bits; past that, Find binary-searches.
  if (n == 0 || n >= UINT32_MAX) return;
  size_t keys = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || SuffixAt(i) != SuffixAt(i - 1)) ++keys;
  }
  keys_unique_ = keys == n;
  num_slots_ = keys + keys / 4 + 1;
  // Slot values are record index + 1 (0 marks an empty slot).
  index_bits_ = 1;
  while (index_bits_ < 32 && (uint64_t{n} >> index_bits_) != 0) ++index_bits_;
  slots_ = std::make_unique<uint32_t[]>(num_slots_);  // zeroed
  const uint64_t index_mask = (uint64_t{1} << index_bits_) - 1;
  for (size_t i = 0; i < n; ++i) {
    std::string_view suffix = SuffixAt(i);
    if (i > 0 && suffix == SuffixAt(i - 1)) continue;  // newest version only
    uint64_t h = HashIndexHash(suffix);
    uint64_t pos = SlotOf(h, num_slots_);
    while (slots_[pos] != 0) pos = pos + 1 == num_slots_ ? 0 : pos + 1;
    uint64_t fingerprint = (h << index_bits_) & ~index_mask;
    slots_[pos] = static_cast<uint32_t>(fingerprint | (i + 1));
  }
}

size_t MemoryTable::Find(std::string_view key) const {
  if (num_slots_ == 0) {
    size_t i = LowerBound(key);
    return i < size() && CompareKeyAt(i, key) == 0 ? i : size();
  }
  if (key.substr(0, prefix_.size()) != prefix_) return size();
  const std::string_view suffix = key.substr(prefix_.size());
  const uint64_t h = HashIndexHash(suffix);
  const uint64_t index_mask = (uint64_t{1} << index_bits_) - 1;
  const uint32_t fingerprint =
      static_cast<uint32_t>((h << index_bits_) & ~index_mask);
  uint64_t pos = SlotOf(h, num_slots_);
  for (;;) {
    uint32_t slot = slots_[pos];
    if (slot == 0) return size();
    if ((slot & ~static_cast<uint32_t>(index_mask)) == fingerprint) {
      size_t i = (slot & index_mask) - 1;
      if (SuffixAt(i) == suffix) return i;
    }
    pos = pos + 1 == num_slots_ ? 0 : pos + 1;
  }
}

std::unique_ptr<TableIterator> MemoryTable::NewIterator() const {
  return std::make_unique<MemoryTableIterator>(shared_from_this());
}

MemoryTableBuilder::MemoryTableBuilder(uint64_t number,
                                       int /*bloom_bits_per_key*/,
                                       PublishFn publish, AbandonFn abandon)
    : table_(new MemoryTable()),
      publish_(std::move(publish)),
      abandon_(std::move(abandon)) {
  table_->meta_.number = number;
}

MemoryTableBuilder::~MemoryTableBuilder() {
  if (table_ != nullptr) Abandon();
}

absl::Status MemoryTableBuilder::Add(const RecordView& record) {
  if (table_ == nullptr) {
    return absl::FailedPreconditionError(
        "memory table: Add after Finish or Abandon");
  }
  if (record.seq > MemoryTable::kMaxSeq) {
    return absl::InvalidArgumentError(
        absl::StrCat("memory table ", table_->meta_.number, ": sequence ",
                     record.seq, " exceeds 2^56-1"));
  }
  if (record.type != RecordType::kValue &&
      record.type != RecordType::kDeletion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "memory table ", table_->meta_.number, ": record type ",
        static_cast<int>(record.type), " is neither a value nor a deletion"));
  }
  MemoryTable& t = *table_;
  size_t n = t.size();
  if (n > 0) {
    std::string_view last_key = t.SuffixAt(n - 1);  // no prefix yet
    int c = record.key.compare(last_key);
    if (c < 0 || (c == 0 && record.seq >= last_seq_)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "memory table ", t.meta_.number, ": record ", n, " (seq ", record.seq,
          ") is not after the previous record"));
    }
  }
  if (!t.AppendRecordOffset(n, t.arena_.size())) {
    // Only reachable with records averaging over 128 MiB (32 per block).
    return absl::InvalidArgumentError(absl::StrCat(
        "memory table ", t.meta_.number, ": records too large (over 4 GiB ",
        "in one block of ", MemoryTable::kBlockSize, " records)"));
  }
  ++t.num_records_;
  t.arena_.AppendVarint(record.key.size());
  t.arena_.Append(record.key.data(), record.key.size());
  // The sequence number counts from 0 until the table is finished.
  t.arena_.AppendVarint(TagOf(record.seq, 0, record.type));
  t.arena_.AppendVarint(record.value.size());
  t.arena_.Append(record.value.data(), record.value.size());

  TableMeta& meta = t.meta_;
  if (n == 0) {
    meta.smallest_key = std::string(record.key);
    meta.min_seq = meta.max_seq = record.seq;
  }
  meta.min_seq = std::min(meta.min_seq, record.seq);
  meta.max_seq = std::max(meta.max_seq, record.seq);
  last_seq_ = record.seq;
  return absl::OkStatus();
}

void MemoryTableBuilder::ExpectBytes(uint64_t bytes) {
  // Bounded, so that a wild hint cannot reserve without limit.
  constexpr uint64_t kMaxReserve = uint64_t{1} << 30;
  if (table_ != nullptr) {
    table_->arena_.Reserve(static_cast<size_t>(std::min(bytes, kMaxReserve)));
  }
}

absl::StatusOr<std::shared_ptr<const MemoryTable>>
MemoryTableBuilder::FinishTable() {
  if (table_ == nullptr) {
    return absl::FailedPreconditionError(
        "memory table: Finish after Finish or Abandon");
  }
  std::shared_ptr<MemoryTable> table(std::move(table_));
  TableMeta& meta = table->meta_;
  meta.entries = table->size();
  if (meta.entries > 0) {
    // Keys are sorted, so what the first and last share, all share.
    meta.largest_key = std::string(table->SuffixAt(meta.entries - 1));
    const std::string& first = meta.smallest_key;
    const std::string& last = meta.largest_key;
    size_t shared = 0;
    while (shared < first.size() && shared < last.size() &&
           first[shared] == last[shared]) {
      ++shared;
    }
    table->seq_base_ = meta.min_seq;
    table->RewriteRecords(shared);
    table->prefix_ = first.substr(0, shared);
  }
  table->arena_.ShrinkToFit();
  table->offsets_.shrink_to_fit();
  table->block_base_.shrink_to_fit();
  table->wide_offsets_.shrink_to_fit();
  table->BuildHashIndex();
  table->BuildFences();
  table->FinishMeta();
  abandon_ = nullptr;
  if (publish_) {
    absl::Status status = publish_(table);
    if (!status.ok()) return status;
  }
  return std::shared_ptr<const MemoryTable>(std::move(table));
}

absl::StatusOr<TableMeta> MemoryTableBuilder::Finish() {
  auto table = FinishTable();
  if (!table.ok()) return table.status();
  return (*table)->meta();
}

void MemoryTableBuilder::Abandon() {
  table_.reset();
  if (abandon_) {
    AbandonFn abandon = std::move(abandon_);
    abandon_ = nullptr;
    abandon();
  }
}

}  // namespace kstone::core
