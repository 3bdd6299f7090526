#include "core/storage/memory/memory_table.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/util/coding.h"
#include "core/util/hash.h"

namespace kstone::core {
namespace {

// Decodes a varint32 at p (the arena was written by us, so it is well formed).
inline const char* DecodeVarint32(const char* p, uint32_t* value) {
  uint32_t byte = static_cast<unsigned char>(*p);
  if (byte < 0x80) {
    *value = byte;
    return p + 1;
  }
  uint32_t result = byte & 0x7f;
  for (int shift = 7;; shift += 7) {
    byte = static_cast<unsigned char>(*++p);
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  *value = result;
  return p + 1;
}

// Iterates a MemoryTable by record index; size() means "not valid".
class MemoryTableIterator final : public TableIterator {
 public:
  explicit MemoryTableIterator(std::shared_ptr<const MemoryTable> table)
      : table_(std::move(table)), pos_(table_->size()) {}

  bool Valid() const override { return pos_ < table_->size(); }
  void SeekToFirst() override { pos_ = 0; }
  void SeekToLast() override {
    pos_ = table_->size() == 0 ? 0 : table_->size() - 1;
  }
  void Seek(std::string_view key) override { pos_ = table_->LowerBound(key); }
  void SeekForPrev(std::string_view key) override {
    size_t upper = table_->UpperBound(key);
    pos_ = upper == 0 ? table_->size() : upper - 1;
  }
  void Next() override {
    assert(Valid());
    ++pos_;
  }
  void Prev() override {
    assert(Valid());
    pos_ = pos_ == 0 ? table_->size() : pos_ - 1;
  }
  RecordView record() const override {
    assert(Valid());
    return table_->RecordAt(pos_);
  }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  const std::shared_ptr<const MemoryTable> table_;
  size_t pos_;
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
  void* grown = std::realloc(data_, wanted);
  if (grown == nullptr) std::abort();  // out of memory, as operator new
  data_ = static_cast<char*>(grown);
  capacity_ = wanted;
}

void RecordArena::ShrinkToFit() {
  if (size_ == capacity_) return;
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

std::string_view MemoryTable::KeyAt(size_t i) const {
  uint32_t key_len;
  const char* p = DecodeVarint32(RecordPtr(i), &key_len);
  return std::string_view(p, key_len);
}

RecordView MemoryTable::RecordAt(size_t i) const {
  assert(i < size());
  RecordView record;
  uint32_t len;
  const char* p = DecodeVarint32(RecordPtr(i), &len);
  record.key = std::string_view(p, len);
  p += len;
  uint64_t tag = static_cast<unsigned char>(*p);
  if (tag < 0x80) {
    ++p;
  } else {
    std::string_view in(p, 10);  // the arena was written by us: well formed
    GetVarint64(&in, &tag);
    p = in.data();
  }
  record.seq = tag >> 8;
  record.type = static_cast<RecordType>(tag & 0xff);
  p = DecodeVarint32(p, &len);
  record.value = std::string_view(p, len);
  return record;
}

size_t MemoryTable::LowerBound(std::string_view key) const {
  size_t lo = 0, n = size();
  while (n > 0) {
    size_t half = n / 2;
    if (KeyAt(lo + half) < key) {
      lo += half + 1;
      n -= half + 1;
    } else {
      n = half;
    }
  }
  return lo;
}

size_t MemoryTable::UpperBound(std::string_view key) const {
  size_t lo = 0, n = size();
  while (n > 0) {
    size_t half = n / 2;
    if (!(key < KeyAt(lo + half))) {
      lo += half + 1;
      n -= half + 1;
    } else {
      n = half;
    }
  }
  return lo;
}

bool MemoryTable::MayContain(std::string_view key) const {
  return BloomFilterMayContain(filter_, key);
}

absl::StatusOr<std::optional<LookupResult>> MemoryTable::Get(
    std::string_view key) const {
  // Most lookups miss (the engine asks each table in turn), and the bloom
  // filter rejects a miss more cheaply than probing the hash index.
  if (!MayContain(key)) return std::nullopt;
  size_t i = Find(key);
  if (i == size()) return std::nullopt;
  RecordView record = RecordAt(i);
  return LookupResult{record.seq, record.type, std::string(record.value)};
}

void MemoryTable::BuildHashIndex() {
  const size_t n = size();
  // Slots hold a record index in 32 bits; past that, Find binary-searches.
  if (n == 0 || n >= UINT32_MAX) return;
  size_t keys = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || KeyAt(i) != KeyAt(i - 1)) ++keys;
  }
  num_slots_ = keys + keys / 4 + 1;
  // Slot values are record index + 1 (0 marks an empty slot).
  index_bits_ = 1;
  while (index_bits_ < 32 && (uint64_t{n} >> index_bits_) != 0) ++index_bits_;
  slots_ = std::make_unique<uint32_t[]>(num_slots_);  // zeroed
  const uint64_t index_mask = (uint64_t{1} << index_bits_) - 1;
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = KeyAt(i);
    if (i > 0 && key == KeyAt(i - 1)) continue;  // only the newest version
    uint64_t h = HashIndexHash(key);
    uint64_t pos = SlotOf(h, num_slots_);
    while (slots_[pos] != 0) pos = pos + 1 == num_slots_ ? 0 : pos + 1;
    uint64_t fingerprint = (h << index_bits_) & ~index_mask;
    slots_[pos] = static_cast<uint32_t>(fingerprint | (i + 1));
  }
}

size_t MemoryTable::Find(std::string_view key) const {
  if (num_slots_ == 0) {
    size_t i = LowerBound(key);
    return i < size() && KeyAt(i) == key ? i : size();
  }
  const uint64_t h = HashIndexHash(key);
  const uint64_t index_mask = (uint64_t{1} << index_bits_) - 1;
  const uint32_t fingerprint =
      static_cast<uint32_t>((h << index_bits_) & ~index_mask);
  uint64_t pos = SlotOf(h, num_slots_);
  for (;;) {
    uint32_t slot = slots_[pos];
    if (slot == 0) return size();
    if ((slot & ~static_cast<uint32_t>(index_mask)) == fingerprint) {
      size_t i = (slot & index_mask) - 1;
      if (KeyAt(i) == key) return i;
    }
    pos = pos + 1 == num_slots_ ? 0 : pos + 1;
  }
}

std::unique_ptr<TableIterator> MemoryTable::NewIterator() const {
  return std::make_unique<MemoryTableIterator>(shared_from_this());
}

MemoryTableBuilder::MemoryTableBuilder(uint64_t number, int bloom_bits_per_key,
                                       PublishFn publish, AbandonFn abandon)
    : table_(new MemoryTable()),
      bloom_(bloom_bits_per_key),
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
  MemoryTable& t = *table_;
  size_t n = t.size();
  bool new_key = true;
  if (n > 0) {
    std::string_view last_key = t.KeyAt(n - 1);
    int c = record.key.compare(last_key);
    if (c < 0 || (c == 0 && record.seq >= last_seq_)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "memory table ", t.meta_.number, ": record ", n, " (seq ", record.seq,
          ") is not after the previous record"));
    }
    new_key = c != 0;
  }
  if ((n & ((size_t{1} << MemoryTable::kGroupShift) - 1)) == 0) {
    t.group_base_.push_back(t.arena_.size());
  }
  uint64_t offset = t.arena_.size() - t.group_base_.back();
  if (offset > UINT32_MAX) {
    // Only reachable with records averaging over 1 MiB (4096 per group).
    return absl::InvalidArgumentError(
        absl::StrCat("memory table ", t.meta_.number, ": records too large (",
                     offset, " bytes in one offset group)"));
  }
  t.offsets_.push_back(static_cast<uint32_t>(offset));
  t.arena_.AppendVarint(record.key.size());
  t.arena_.Append(record.key.data(), record.key.size());
  t.arena_.AppendVarint((record.seq << 8) | static_cast<uint8_t>(record.type));
  t.arena_.AppendVarint(record.value.size());
  t.arena_.Append(record.value.data(), record.value.size());

  if (new_key) bloom_.AddKey(record.key);
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

absl::StatusOr<std::shared_ptr<const MemoryTable>>
MemoryTableBuilder::FinishTable() {
  if (table_ == nullptr) {
    return absl::FailedPreconditionError(
        "memory table: Finish after Finish or Abandon");
  }
  std::shared_ptr<MemoryTable> table(std::move(table_));
  table->arena_.ShrinkToFit();
  table->offsets_.shrink_to_fit();
  table->group_base_.shrink_to_fit();
  table->filter_ = bloom_.Build();
  table->filter_.shrink_to_fit();  // Build's last push_back may double it
  table->BuildHashIndex();
  TableMeta& meta = table->meta_;
  meta.entries = table->size();
  if (meta.entries > 0) {
    meta.largest_key = std::string(table->KeyAt(meta.entries - 1));
  }
  meta.bytes = sizeof(MemoryTable) + table->arena_.capacity() +
               table->offsets_.capacity() * sizeof(uint32_t) +
               table->group_base_.capacity() * sizeof(uint64_t) +
               table->filter_.capacity() +
               table->num_slots_ * sizeof(uint32_t) +
               meta.smallest_key.capacity() + meta.largest_key.capacity();
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
