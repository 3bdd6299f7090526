#include "core/storage/disk/sst_reader.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/bloom_filter.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_iterator.h"
#include "core/util/coding.h"
#include "core/util/status_macros.h"

namespace kstone::core {

bool SstReader::DecodeRecordValue(std::string_view entry_value,
                                  RecordView* record) {
  uint64_t tag;
  if (!GetVarint64Fast(&entry_value, &tag)) return false;
  uint8_t type = static_cast<uint8_t>(tag & 0xff);
  if (type != static_cast<uint8_t>(RecordType::kDeletion) &&
      type != static_cast<uint8_t>(RecordType::kValue)) {
    return false;
  }
  record->seq = tag >> 8;
  record->type = static_cast<RecordType>(type);
  record->value = entry_value;
  return true;
}

SstReader::SstReader(std::string path, uint64_t number,
                     std::unique_ptr<RandomAccessFile> file,
                     std::shared_ptr<BlockCache> cache, uint64_t data_end)
    : path_(std::move(path)),
      number_(number),
      file_(std::move(file)),
      mapped_(file_->mapped()),
      cache_(std::move(cache)),
      data_end_(data_end) {}

absl::Status SstReader::Corruption(std::string_view what,
                                   uint64_t offset) const {
  return absl::DataLossError(absl::StrCat(
      "sst ", path_, ": ", absl::string_view(what.data(), what.size()),
      " at offset ", offset));
}

absl::StatusOr<std::shared_ptr<const SstReader>> SstReader::Open(
    FileSystem* fs, const std::string& path, uint64_t number,
    std::shared_ptr<BlockCache> cache, bool map_file, bool verify_data_now) {
  std::unique_ptr<RandomAccessFile> file;
  if (map_file) {
    KS_ASSIGN_OR_RETURN(file, fs->NewMappedFile(path));
  } else {
    KS_ASSIGN_OR_RETURN(file, fs->NewRandomAccessFile(path));
  }
  uint64_t size = file->size();
  if (size < kSstFooterSize) {
    return absl::DataLossError(absl::StrCat("sst ", path, ": file too short (",
                                            size, " bytes) at offset 0"));
  }
  const bool is_mapped = !file->mapped().empty();
  if (is_mapped && file->mapped().size() != size) {
    return absl::InternalError(absl::StrCat("sst ", path, ": a mapping of ",
                                            file->mapped().size(),
                                            " bytes for a file of ", size));
  }
  // A mapped table reads in place and needs no block cache.
  std::shared_ptr<SstReader> reader(new SstReader(
      path, number, std::move(file), is_mapped ? nullptr : std::move(cache),
      size - kSstFooterSize));
  KS_RETURN_IF_ERROR(reader->ReadFooterAndMetaBlocks());
  if (verify_data_now) KS_RETURN_IF_ERROR(reader->VerifyAllDataBlocks());
  reader->meta_.bytes = size;
  return std::shared_ptr<const SstReader>(std::move(reader));
}

absl::Status SstReader::ReadFooterAndMetaBlocks() {
  char scratch[kSstFooterSize];
  std::string_view footer_bytes;
  KS_RETURN_IF_ERROR(
      file_->Read(data_end_, kSstFooterSize, &footer_bytes, scratch));
  if (footer_bytes.size() != kSstFooterSize) {
    return Corruption("truncated footer", data_end_);
  }
  SstFooter footer;
  switch (DecodeSstFooter(footer_bytes, &footer)) {
    case FooterError::kOk:
      break;
    case FooterError::kBadMagic:
      return Corruption("bad magic number (not an sst file?) in the footer",
                        data_end_);
    case FooterError::kBadVersion:
      return Corruption(
          absl::StrCat("unsupported format version ", footer.version,
                       " in the footer (this build reads versions ",
                       kSstOldestFormatVersion, " to ", kSstFormatVersion,
                       footer.version > kSstFormatVersion
                           ? "; a newer kstone may have written it)"
                           : ")"),
          data_end_);
    case FooterError::kBadChecksum:
      return Corruption("footer checksum mismatch", data_end_);
  }
  if (footer.version >= 2) {
    data_block_format_ = Block::Format::kMayHaveHashIndex;
  }
  std::string index_storage;
  KS_ASSIGN_OR_RETURN(
      std::string_view index,
      ReadBlockContents(footer.index, "index block", &index_storage));
  index_offset_ = footer.index.offset;
  index_ = mapped() ? Block::ParseView(index)
                    : Block::Parse(std::move(index_storage));
  if (index_ == nullptr) {
    return Corruption("malformed index block", footer.index.offset);
  }
  KS_ASSIGN_OR_RETURN(filter_, ReadBlockContents(footer.filter, "filter block",
                                                 &filter_storage_));
  std::string meta_storage;
  KS_ASSIGN_OR_RETURN(
      std::string_view meta,
      ReadBlockContents(footer.meta, "meta block", &meta_storage));
  if (!DecodeSstMeta(meta, &meta_)) {
    return Corruption("malformed meta block", footer.meta.offset);
  }
  if (meta_.number != number_) {
    return Corruption(absl::StrCat("meta block names table ", meta_.number,
                                   ", expected ", number_),
                      footer.meta.offset);
  }
  if (mapped()) BuildBlockSlots();
  // A malformed index leaves it empty: Get then walks the index block,
  // which reports the corruption.
  point_index_.Build(*index_, data_end_);
  return absl::OkStatus();
}

absl::Status SstReader::CheckRange(const BlockHandle& handle,
                                   std::string_view what) const {
  if (handle.offset > data_end_ || handle.size > data_end_ ||
      handle.offset + handle.size + kBlockTrailerSize > data_end_) {
    return Corruption(
        absl::StrCat(absl::string_view(what.data(), what.size()),
                     " handle out of range (size ", handle.size, ")"),
        handle.offset);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> SstReader::CheckTrailer(
    const BlockHandle& handle, std::string_view raw,
    std::string_view what) const {
  absl::string_view name(what.data(), what.size());
  if (raw.size() != handle.size + kBlockTrailerSize) {
    return Corruption(absl::StrCat("truncated ", name), handle.offset);
  }
  auto type = static_cast<BlockCompression>(raw[handle.size]);
  if (type != BlockCompression::kNone) {
    return Corruption(absl::StrCat("unknown compression type ",
                                   static_cast<int>(static_cast<uint8_t>(type)),
                                   " of ", name),
                      handle.offset);
  }
  uint32_t stored = DecodeFixed32(raw.data() + handle.size + 1);
  std::string_view contents = raw.substr(0, handle.size);
  if (BlockChecksum(contents, type) != stored) {
    return Corruption(absl::StrCat("checksum mismatch in ", name),
                      handle.offset);
  }
  return contents;
}

absl::StatusOr<std::string_view> SstReader::ReadBlockContents(
    const BlockHandle& handle, std::string_view what,
    std::string* storage) const {
  KS_RETURN_IF_ERROR(CheckRange(handle, what));
  size_t n = handle.size + kBlockTrailerSize;
  if (mapped()) {
    return CheckTrailer(handle, mapped_.substr(handle.offset, n), what);
  }
  storage->resize(n);
  std::string_view result;
  KS_RETURN_IF_ERROR(file_->Read(handle.offset, n, &result, storage->data()));
  if (result.size() == n && result.data() != storage->data()) {
    std::memcpy(storage->data(), result.data(), n);
  }
  KS_RETURN_IF_ERROR(
      CheckTrailer(handle, std::string_view(storage->data(), result.size()),
                   what)
          .status());
  storage->resize(handle.size);
  return std::string_view(*storage);
}

void SstReader::BuildBlockSlots() {
  // Offsets of consecutive blocks differ by at least the smallest gap, so
  // offset >> floor(log2(gap)) tells the blocks apart.
  std::vector<BlockHandle> handles;
  BlockIterator it(index_.get());
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view encoded = it.value();
    BlockHandle handle;
    if (!DecodeBlockHandle(&encoded, &handle) ||
        !CheckRange(handle, "data block").ok() ||
        (!handles.empty() && handle.offset < handles.back().offset +
                                                 handles.back().size +
                                                 kBlockTrailerSize)) {
      return;  // malformed or out of order: verify every read
    }
    handles.push_back(handle);
  }
  if (it.corrupt() || handles.empty()) return;
  uint64_t min_gap = UINT64_MAX;
  for (size_t i = 1; i < handles.size(); ++i) {
    min_gap = std::min(min_gap, handles[i].offset - handles[i - 1].offset);
  }
  int shift = 0;
  while (shift < 40 && (uint64_t{2} << shift) <= min_gap) ++shift;
  size_t slots = static_cast<size_t>(handles.back().offset >> shift) + 1;
  // Irregular block sizes would make a sparse, large table: not worth it.
  if (slots > 4 * handles.size() + 64) return;
  slots_ = std::make_unique<BlockSlot[]>(slots);
  for (const BlockHandle& h : handles) {
    BlockSlot& slot = slots_[h.offset >> shift];
    slot.offset = h.offset;
    slot.size = h.size;
  }
  num_slots_ = slots;
  slot_shift_ = shift;
}

absl::Status SstReader::VerifyAllDataBlocks() {
  for (size_t i = 0; i < num_slots_; ++i) {
    const BlockSlot& slot = slots_[i];
    if (slot.offset == UINT64_MAX) continue;
    KS_RETURN_IF_ERROR(
        MappedDataBlock(BlockHandle{slot.offset, slot.size}).status());
  }
  // BuildBlockSlots gave every block of the index a slot, or none.
  data_verified_ = num_slots_ > 0;
  return absl::OkStatus();
}

const SstReader::BlockSlot* SstReader::SlotFor(
    const BlockHandle& handle) const {
  size_t i = static_cast<size_t>(handle.offset >> slot_shift_);
  if (i >= num_slots_) return nullptr;
  const BlockSlot* slot = &slots_[i];
  if (slot->offset != handle.offset || slot->size != handle.size) {
    return nullptr;
  }
  return slot;
}

absl::StatusOr<std::string_view> SstReader::MappedDataBlock(
    const BlockHandle& handle) const {
  assert(mapped());
  KS_RETURN_IF_ERROR(CheckRange(handle, "data block"));
  std::string_view raw =
      mapped_.substr(handle.offset, handle.size + kBlockTrailerSize);
  const BlockSlot* slot = SlotFor(handle);
  if (slot != nullptr && slot->verified.load(std::memory_order_relaxed)) {
    return raw.substr(0, handle.size);
  }
  KS_ASSIGN_OR_RETURN(std::string_view contents,
                      CheckTrailer(handle, raw, "data block"));
  if (slot != nullptr) slot->verified.store(true, std::memory_order_relaxed);
  return contents;
}

absl::StatusOr<std::shared_ptr<const Block>> SstReader::ReadDataBlock(
    const BlockHandle& handle) const {
  if (mapped()) {
    KS_ASSIGN_OR_RETURN(std::string_view contents, MappedDataBlock(handle));
    std::shared_ptr<const Block> block =
        Block::ParseView(contents, data_block_format_);
    if (block == nullptr) {
      return Corruption("malformed data block", handle.offset);
    }
    return block;
  }
  if (cache_ != nullptr) {
    std::shared_ptr<const Block> cached =
        cache_->Lookup(number_, handle.offset);
    if (cached != nullptr) return cached;
  }
  std::string contents;
  KS_RETURN_IF_ERROR(
      ReadBlockContents(handle, "data block", &contents).status());
  std::shared_ptr<const Block> block =
      Block::Parse(std::move(contents), data_block_format_);
  if (block == nullptr) {
    return Corruption("malformed data block", handle.offset);
  }
  if (cache_ != nullptr) cache_->Insert(number_, handle.offset, block);
  return block;
}

bool SstReader::MayContain(std::string_view key) const {
  return BloomFilterMayContain(filter_, key);
}

void SstReader::Prefetch(const HashedKey& key) const {
  BloomFilterPrefetch(filter_, key.key);
}

namespace {

// Hints every cache line of a data block of usual size (a block holding one
// large record is left alone), its end first.
void PrefetchBlock(std::string_view block) {
  constexpr size_t kLine = 64;
  constexpr size_t kMaxBytes = 16 << 10;
  if (block.empty() || block.size() > kMaxBytes) return;
  __builtin_prefetch(block.data() + block.size() - 1);
  for (size_t i = 0; i < block.size(); i += kLine) {
    __builtin_prefetch(block.data() + i);
  }
}

}  // namespace

absl::StatusOr<std::optional<BlockHandle>> SstReader::FindDataBlock(
    std::string_view key) const {
  if (!point_index_.empty()) {
    const size_t i = point_index_.Find(key);
    if (i == point_index_.size()) return std::nullopt;
    return point_index_.handle(i);
  }
  // The first block whose last key is >= key holds the newest version.
  BlockIterator index(index_.get());
  index.Seek(key);
  if (!index.Valid()) {
    if (index.corrupt()) {
      return Corruption(
          absl::StrCat("corrupt entry at block offset ", index.corrupt_offset(),
                       " in the index block"),
          index_offset_);
    }
    return std::nullopt;
  }
  std::string_view encoded = index.value();
  BlockHandle handle;
  if (!DecodeBlockHandle(&encoded, &handle)) {
    return Corruption("bad block handle in the index block", index_offset_);
  }
  KS_RETURN_IF_ERROR(CheckRange(handle, "data block"));
  return handle;
}

absl::StatusOr<std::optional<LookupResult>> SstReader::Get(
    std::string_view key) const {
  LookupResult result;
  KS_ASSIGN_OR_RETURN(const bool found, GetInto(key, &result));
  if (!found) return std::nullopt;
  return result;
}

absl::StatusOr<bool> SstReader::GetInto(std::string_view key,
                                        LookupResult* out) const {
  if (!MayContain(key)) return false;
  KS_ASSIGN_OR_RETURN(std::optional<BlockHandle> found, FindDataBlock(key));
  if (!found.has_value()) return false;
  return GetFromBlock(*found, key, /*home=*/UINT32_MAX, out);
}

absl::StatusOr<std::string_view> SstReader::VerifiedMappedBlock(
    const BlockHandle& handle) const {
  // With data_verified_, every handle of the index was range-checked and
  // verified at Open.
  if (data_verified_) return mapped_.substr(handle.offset, handle.size);
  return MappedDataBlock(handle);
}

absl::StatusOr<bool> SstReader::GetFromBlock(const BlockHandle& handle,
                                             std::string_view key,
                                             uint32_t home,
                                             LookupResult* out) const {
  if (mapped()) {
    KS_ASSIGN_OR_RETURN(std::string_view contents, VerifiedMappedBlock(handle));
    // Without a hash index, the restart array (at the end), the restart
    // keys and the entries are a chain of misses: start loading the whole
    // block at once. With one, a lookup reads the block's tail and one or
    // two entries, and loading 4 KiB would cost more than it saves.
    const bool may_have_index =
        data_block_format_ == Block::Format::kMayHaveHashIndex;
    if (!may_have_index) PrefetchBlock(contents);
    Block block;
    if (!Block::ParseInto(contents, &block, data_block_format_)) {
      return Corruption("malformed data block", handle.offset);
    }
    if (may_have_index && !block.has_hash_index()) PrefetchBlock(contents);
    return GetInBlock(block, key, handle.offset, home, out);
  }
  KS_ASSIGN_OR_RETURN(std::shared_ptr<const Block> block,
                      ReadDataBlock(handle));
  return GetInBlock(*block, key, handle.offset, home, out);
}

absl::StatusOr<bool> SstReader::GetInBlock(const Block& block,
                                           std::string_view key,
                                           uint64_t offset, uint32_t home,
                                           LookupResult* out) const {
  std::string_view value;
  uint32_t corrupt_offset = 0;
  // A home from a step is the one SeekExact would compute (the same bytes);
  // the range check only keeps a stray state from reading out of bounds.
  const Block::SeekResult result =
      home < block.num_buckets()
          ? block.SeekHashedFrom(home, key, &value, &corrupt_offset)
          : block.SeekExact(key, &value, &corrupt_offset);
  switch (result) {
    case Block::SeekResult::kAbsent:
      return false;
    case Block::SeekResult::kCorrupt:
      return Corruption(absl::StrCat("corrupt entry at block offset ",
                                     corrupt_offset, " in the data block"),
                        offset);
    case Block::SeekResult::kFound:
      break;
  }
  RecordView record;
  if (!DecodeRecordValue(value, &record)) {
    return Corruption("bad record tag in the data block", offset);
  }
  out->seq = record.seq;
  out->type = record.type;
  out->value.assign(record.value.data(), record.value.size());
  return true;
}

std::unique_ptr<TableIterator> SstReader::NewIterator() const {
  return NewSstIterator(shared_from_this());
}

}  // namespace kstone::core
