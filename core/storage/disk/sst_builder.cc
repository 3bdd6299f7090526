#include "core/storage/disk/sst_builder.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/util/coding.h"
#include "core/util/hash.h"
#include "core/util/status_macros.h"

namespace kstone::core {

std::string EncodeSstMeta(const TableMeta& meta) {
  std::string out;
  PutVarint64(&out, meta.number);
  PutVarint64(&out, meta.entries);
  PutVarint64(&out, meta.min_seq);
  PutVarint64(&out, meta.max_seq);
  PutLengthPrefixed(&out, meta.smallest_key);
  PutLengthPrefixed(&out, meta.largest_key);
  return out;
}

bool DecodeSstMeta(std::string_view input, TableMeta* meta) {
  std::string_view smallest, largest;
  if (!GetVarint64(&input, &meta->number) ||
      !GetVarint64(&input, &meta->entries) ||
      !GetVarint64(&input, &meta->min_seq) ||
      !GetVarint64(&input, &meta->max_seq) ||
      !GetLengthPrefixed(&input, &smallest) ||
      !GetLengthPrefixed(&input, &largest) || !input.empty()) {
    return false;
  }
  meta->smallest_key = std::string(smallest);
  meta->largest_key = std::string(largest);
  return true;
}

absl::StatusOr<std::unique_ptr<SstBuilder>> SstBuilder::Create(
    FileSystem* fs, const std::string& dir, uint64_t number,
    const SstBuilderOptions& options) {
  if (options.format_version < kSstOldestFormatVersion ||
      options.format_version > kSstFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sst: cannot write format version ", options.format_version));
  }
  std::string path = absl::StrCat(dir, "/", SstFileName(number));
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                      fs->NewWritableFile(path));
  return std::unique_ptr<SstBuilder>(new SstBuilder(
      fs, dir, std::move(path), number, options, std::move(file)));
}

SstBuilder::SstBuilder(FileSystem* fs, std::string dir, std::string path,
                       uint64_t number, const SstBuilderOptions& options,
                       std::unique_ptr<WritableFile> file)
    : fs_(fs),
      dir_(std::move(dir)),
      path_(std::move(path)),
      options_(options),
      file_(std::move(file)),
      data_block_(kBlockRestartInterval,
                  /*hash_index=*/options.format_version >= 2),
      index_block_(1),
      bloom_(options.bloom_bits_per_key) {
  meta_.number = number;
}

SstBuilder::~SstBuilder() {
  if (file_ != nullptr) Abandon();
}

absl::Status SstBuilder::Add(const RecordView& record) {
  if (file_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("sst ", path_, ": Add after Finish or Abandon"));
  }
  KS_RETURN_IF_ERROR(status_);
  if (record.seq > kSstMaxSeq) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sst ", path_, ": sequence ", record.seq, " exceeds 2^56-1"));
  }
  bool new_key = true;
  if (meta_.entries > 0) {
    int c = record.key.compare(last_key_);
    if (c < 0 || (c == 0 && record.seq >= last_seq_)) {
      return absl::InvalidArgumentError(
          absl::StrCat("sst ", path_, ": record ", meta_.entries, " (seq ",
                       record.seq, ") is not after the previous record"));
    }
    new_key = c != 0;
  } else {
    meta_.smallest_key = std::string(record.key);
    meta_.min_seq = meta_.max_seq = record.seq;
  }
  if (new_key) bloom_.AddKey(record.key);
  meta_.min_seq = std::min(meta_.min_seq, record.seq);
  meta_.max_seq = std::max(meta_.max_seq, record.seq);
  ++meta_.entries;
  last_key_.assign(record.key.data(), record.key.size());
  last_seq_ = record.seq;

  std::string tag;
  PutVarint64(&tag,
              PackSeqAndType(record.seq, static_cast<uint8_t>(record.type)));
  data_block_.Add(record.key, tag, record.value);
  if (data_block_.SizeEstimate() >= options_.block_size) {
    status_ = FlushDataBlock();
  }
  return status_;
}

absl::Status SstBuilder::FlushDataBlock() {
  if (data_block_.empty()) return absl::OkStatus();
  BlockHandle handle;
  KS_RETURN_IF_ERROR(WriteBlock(data_block_.Finish(), &handle));
  data_block_.Reset();
  std::string encoded;
  EncodeBlockHandle(handle, &encoded);
  // The index maps the last key of each block to it. A key whose versions
  // straddle blocks is indexed by both; Seek finds the first, which holds
  // the newest version.
  index_block_.Add(last_key_, encoded);
  return absl::OkStatus();
}

absl::Status SstBuilder::WriteBlock(std::string_view contents,
                                    BlockHandle* handle) {
  handle->offset = offset_;
  handle->size = contents.size();
  char trailer[kBlockTrailerSize];
  trailer[0] = static_cast<char>(BlockCompression::kNone);
  uint32_t crc = BlockChecksum(contents, BlockCompression::kNone);
  EncodeFixed32(trailer + 1, crc);
  KS_RETURN_IF_ERROR(file_->Append(contents));
  KS_RETURN_IF_ERROR(
      file_->Append(std::string_view(trailer, kBlockTrailerSize)));
  offset_ += contents.size() + kBlockTrailerSize;
  return absl::OkStatus();
}

absl::StatusOr<TableMeta> SstBuilder::Finish() {
  if (file_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("sst ", path_, ": Finish after Finish or Abandon"));
  }
  KS_RETURN_IF_ERROR(status_);
  status_ = FlushDataBlock();
  KS_RETURN_IF_ERROR(status_);
  if (meta_.entries > 0) meta_.largest_key = last_key_;

  SstFooter footer;
  footer.version = options_.format_version;
  std::string filter = bloom_.Build();
  status_ = WriteBlock(filter, &footer.filter);
  if (status_.ok()) status_ = WriteBlock(EncodeSstMeta(meta_), &footer.meta);
  if (status_.ok()) status_ = WriteBlock(index_block_.Finish(), &footer.index);
  if (status_.ok()) status_ = file_->Append(EncodeSstFooter(footer));
  if (!options_.sync) {
    // The caller syncs file and directory later (TakeUnsyncedFile).
    if (status_.ok()) status_ = file_->StartSync();
    KS_RETURN_IF_ERROR(status_);
    offset_ += kSstFooterSize;
    unsynced_file_ = std::move(file_);
    meta_.bytes = offset_;
    return meta_;
  }
  if (status_.ok()) status_ = file_->Sync();
  if (status_.ok()) status_ = file_->Close();
  // The directory entry must be durable too, or a crash could lose the file
  // that the manifest is about to name.
  if (status_.ok()) status_ = fs_->SyncDir(dir_);
  KS_RETURN_IF_ERROR(status_);
  offset_ += kSstFooterSize;
  file_.reset();
  meta_.bytes = offset_;
  return meta_;
}

void SstBuilder::Abandon() {
  if (file_ == nullptr) return;
  // Best effort: the file is garbage either way, and a file left behind is
  // found by TableStore::ListTables as an orphan.
  file_->Close().IgnoreError();
  file_.reset();
  fs_->DeleteFile(path_).IgnoreError();
}

}  // namespace kstone::core
