#include "core/storage/memory/memory_table.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/util/coding.h"

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
  if (!MayContain(key)) return std::nullopt;
  size_t i = LowerBound(key);
  if (i == size()) return std::nullopt;
  RecordView record = RecordAt(i);
  if (record.key != key) return std::nullopt;
  return LookupResult{record.seq, record.type, std::string(record.value)};
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
  TableMeta& meta = table->meta_;
  meta.entries = table->size();
  if (meta.entries > 0) {
    meta.largest_key = std::string(table->KeyAt(meta.entries - 1));
  }
  meta.bytes = sizeof(MemoryTable) + table->arena_.capacity() +
               table->offsets_.capacity() * sizeof(uint32_t) +
               table->group_base_.capacity() * sizeof(uint64_t) +
               table->filter_.capacity() + meta.smallest_key.capacity() +
               meta.largest_key.capacity();
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
