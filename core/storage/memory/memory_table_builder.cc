// The building half of MemoryTable (memory_table.h): MemoryTableBuilder,
// which encodes records into a table's arena and offset index as they come,
// and the finishing steps (the shared prefix cut out of every record, the
// metadata, the hash index). memory_table.cc reads what this builds.

#include <algorithm>
#include <cassert>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/storage/memory/memory_table.h"
#include "core/util/coding.h"

namespace kstone::core {
namespace {

// A record's tag: its sequence number (relative to `seq_base`) and type.
inline uint64_t TagOf(uint64_t seq, uint64_t seq_base, RecordType type) {
  return ((seq - seq_base) << 1) | static_cast<uint64_t>(type);
}

}  // namespace

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
                prefix_.capacity() + slots_.num_slots() * sizeof(uint32_t) +
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
    p = EncodeVarint64(p, key_len - static_cast<uint32_t>(prefix_len));
    const size_t suffix_len = key_len - prefix_len;
    std::memmove(p, key + prefix_len, suffix_len);
    p += suffix_len;
    p = EncodeVarint64(
        p, TagOf(tag >> 1, seq_base_, static_cast<RecordType>(tag & 1)));
    const size_t rest = static_cast<size_t>(end - tail);
    std::memmove(p, tail, rest);
    out = static_cast<size_t>(p + rest - base);
  }
  arena_.Truncate(out);
}

void MemoryTable::BuildHashIndex() {
  const size_t n = size();
  // A slot holds a record index in 32 bits; past that, lookups search.
  if (n == 0 || n >= UINT32_MAX) return;
  size_t keys = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || SuffixAt(i) != SuffixAt(i - 1)) ++keys;
  }
  keys_unique_ = keys == n;
  record_prefetch_bytes_ = static_cast<uint32_t>(
      std::min<uint64_t>(arena_.size() / n, kMaxRecordPrefetch));
  slots_.Reset(keys);
  // Slot values are locator + 1 (0 marks an empty slot): the arena offset
  // where that leaves enough fingerprint bits, else the record index.
  auto bits_for = [](uint64_t v) {
    int bits = 1;
    while (bits < 32 && (v >> bits) != 0) ++bits;
    return bits;
  };
  const int offset_bits = bits_for(arena_.size());
  slots_hold_offsets_ = 32 - offset_bits >= kMinOffsetFingerprintBits;
  locator_bits_ = slots_hold_offsets_ ? offset_bits : bits_for(n);
  const uint64_t locator_mask = (uint64_t{1} << locator_bits_) - 1;
  // Slots are keyed by the whole key's KeyHash, which lookups bring.
  std::string key = prefix_;
  for (size_t i = 0; i < n; ++i) {
    std::string_view suffix = SuffixAt(i);
    if (i > 0 && suffix == SuffixAt(i - 1)) continue;  // newest version only
    key.resize(prefix_.size());
    key.append(suffix);
    const uint64_t h = KeyHash(key);
    uint64_t fingerprint = (h << locator_bits_) & ~locator_mask;
    const uint64_t locator = slots_hold_offsets_ ? RecordOffset(i) : i;
    slots_.Insert(slots_.BucketOf(h),
                  static_cast<uint32_t>(fingerprint | (locator + 1)));
  }
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
