#ifndef KSTONE_CORE_STORAGE_DISK_SST_BUILDER_H_
#define KSTONE_CORE_STORAGE_DISK_SST_BUILDER_H_

// SstBuilder: writes one SST file (docs/formats/sst.md) from records added in
// (key asc, seq desc) order: data blocks of about block_size bytes, then the
// bloom filter, meta and index blocks and the footer. Finish syncs the file
// and its directory, so a finished table survives a crash (unless
// SstBuilderOptions::sync is false: then the caller syncs later).
//
// Not thread-safe.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/storage/bloom_filter.h"
#include "core/storage/disk/block_builder.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/table.h"

namespace kstone::core {

struct SstBuilderOptions {
  uint64_t block_size = 4096;
  int bloom_bits_per_key = 10;
  // false: Finish hands the file to the OS but neither syncs it nor its
  // directory; the caller takes the open file (TakeUnsyncedFile) and must
  // sync it and the directory before anything durable names the table
  // (DiskTableStore does, before each manifest write).
  bool sync = true;
  // The format to write: kSstFormatVersion, or 1 (no data block hash
  // index; for tests of reading old tables).
  uint32_t format_version = kSstFormatVersion;
};

class SstBuilder final : public TableBuilder {
 public:
  // Creates dir/SstFileName(number) (truncating any file of that name).
  // `fs` must outlive the builder.
  static absl::StatusOr<std::unique_ptr<SstBuilder>> Create(
      FileSystem* fs, const std::string& dir, uint64_t number,
      const SstBuilderOptions& options);

  // An unfinished builder abandons its file.
  ~SstBuilder() override;
  SstBuilder(const SstBuilder&) = delete;
  SstBuilder& operator=(const SstBuilder&) = delete;

  // InvalidArgument if the record is out of order or its seq is >= 2^56;
  // FailedPrecondition after Finish/Abandon; the write error once a write
  // has failed (the builder is then unusable: Abandon it).
  absl::Status Add(const RecordView& record) override;
  // Writes the filter, meta and index blocks and the footer, syncs the file
  // and the directory, and returns the table's meta (bytes = file size).
  absl::StatusOr<TableMeta> Finish() override;
  // Closes and deletes the partial file.
  void Abandon() override;
  // After a successful Finish with options.sync false: the written, still
  // open, unsynced file (null otherwise, or when taken already).
  std::unique_ptr<WritableFile> TakeUnsyncedFile() {
    return std::move(unsynced_file_);
  }

 private:
  SstBuilder(FileSystem* fs, std::string dir, std::string path, uint64_t number,
             const SstBuilderOptions& options,
             std::unique_ptr<WritableFile> file);

  absl::Status FlushDataBlock();
  // Appends contents and its trailer; sets *handle.
  absl::Status WriteBlock(std::string_view contents, BlockHandle* handle);
  std::string EncodeMeta() const;

  // Constant after construction.
  FileSystem* const fs_;
  const std::string dir_;
  const std::string path_;
  const SstBuilderOptions options_;

  std::unique_ptr<WritableFile> file_;  // null once finished or abandoned
  std::unique_ptr<WritableFile> unsynced_file_;  // see TakeUnsyncedFile
  absl::Status status_;                          // first write error (sticky)
  uint64_t offset_ = 0;                          // bytes written so far
  BlockBuilder data_block_;
  BlockBuilder index_block_;
  BloomFilterBuilder bloom_;
  TableMeta meta_;
  std::string last_key_;
  uint64_t last_seq_ = 0;
};

// Encoding of the meta block (shared with the reader).
std::string EncodeSstMeta(const TableMeta& meta);
bool DecodeSstMeta(std::string_view input, TableMeta* meta);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_SST_BUILDER_H_
