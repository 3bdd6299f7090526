#ifndef KSTONE_CORE_STORAGE_DISK_SST_READER_H_
#define KSTONE_CORE_STORAGE_DISK_SST_READER_H_

// SstReader: an open SST file (docs/formats/sst.md) as a Table. Open reads
// and verifies the footer, index, filter and meta blocks and keeps them in
// memory; data blocks are read with pread (RandomAccessFile) on demand,
// through the BlockCache shared by the store's tables.
//
// Every checksum, magic, version or structure mismatch is DataLoss naming the
// file and the offset. Bytes are never trusted: a corrupt or malicious file
// yields errors, never a crash (fuzz/sst_reader_fuzzer.cc).
//
// Thread safety: immutable after Open; safe for concurrent use. Iterators
// hold a shared_ptr to the reader, so it lives as long as any of them.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/storage/disk/block.h"
#include "core/storage/disk/block_cache.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/table.h"

namespace kstone::core {

class SstReader final : public Table,
                        public std::enable_shared_from_this<SstReader> {
 public:
  // Opens `path` as table `number` (the block cache key: unique among the
  // tables sharing `cache`). `cache` may be null (no caching). `fs` must
  // outlive the call only; the reader keeps the file open.
  static absl::StatusOr<std::shared_ptr<const SstReader>> Open(
      FileSystem* fs, const std::string& path, uint64_t number,
      std::shared_ptr<BlockCache> cache);

  SstReader(const SstReader&) = delete;
  SstReader& operator=(const SstReader&) = delete;

  absl::StatusOr<std::optional<LookupResult>> Get(
      std::string_view key) const override;
  bool MayContain(std::string_view key) const override;
  std::unique_ptr<TableIterator> NewIterator() const override;
  const TableMeta& meta() const override { return meta_; }

  // A data block, from the cache or the file (then cached). DataLoss if the
  // handle is out of range or the block is corrupt.
  absl::StatusOr<std::shared_ptr<const Block>> ReadDataBlock(
      const BlockHandle& handle) const;
  const Block* index_block() const { return index_.get(); }
  uint64_t index_offset() const { return index_offset_; }
  const std::string& path() const { return path_; }

  // Decodes a data block entry's value into *record (key is not touched).
  // False if malformed.
  static bool DecodeRecordValue(std::string_view entry_value,
                                RecordView* record);

 private:
  SstReader(std::string path, uint64_t number,
            std::unique_ptr<RandomAccessFile> file,
            std::shared_ptr<BlockCache> cache, uint64_t data_end);

  absl::Status ReadFooterAndMetaBlocks();
  // The verified contents of a block (its trailer checked and stripped).
  absl::StatusOr<std::string> ReadBlockContents(const BlockHandle& handle,
                                                std::string_view what) const;
  absl::Status Corruption(std::string_view what, uint64_t offset) const;

  // Constant after Open.
  const std::string path_;
  const uint64_t number_;
  const std::unique_ptr<RandomAccessFile> file_;
  const std::shared_ptr<BlockCache> cache_;  // may be null
  uint64_t data_end_;                        // where the footer starts
  uint64_t index_offset_ = 0;
  std::unique_ptr<const Block> index_;
  std::string filter_;
  TableMeta meta_;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_SST_READER_H_
