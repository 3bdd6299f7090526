#ifndef KSTONE_CORE_STORAGE_DISK_SST_READER_H_
#define KSTONE_CORE_STORAGE_DISK_SST_READER_H_

// SstReader: an open SST file (docs/formats/sst.md) as a Table. Open reads
// and verifies the footer, index, filter and meta blocks.
//
// Two ways to reach the data blocks:
//  - mapped (FileSystem::NewMappedFile gave a mapping): blocks are parsed in
//    place in the mapping, nothing is copied or cached (the OS page cache is
//    the cache). A data block's checksum is verified on its first use and
//    remembered (one flag per block of the index, set after a successful
//    check), so a block read again is not hashed again; the index, filter
//    and meta blocks are verified at Open as always.
//  - otherwise (a file system that cannot map, a failed mmap, or
//    map_file=false): pread on demand through the BlockCache shared by the
//    store's tables, every block verified when read from the file.
//
// Every checksum, magic, version or structure mismatch is DataLoss naming the
// file and the offset. Bytes are never trusted: a corrupt or malicious file
// yields errors, never a crash (fuzz/sst_reader_fuzzer.cc).
//
// Thread safety: immutable after Open; safe for concurrent use. Iterators
// hold a shared_ptr to the reader, so it lives as long as any of them.

#include <atomic>
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
#include "core/storage/disk/sst_point_index.h"
#include "core/storage/table.h"

namespace kstone::core {

class SstReader final : public Table,
                        public std::enable_shared_from_this<SstReader> {
 public:
  // Opens `path` as table `number` (the block cache key: unique among the
  // tables sharing `cache`). `cache` may be null (no caching). `fs` must
  // outlive the call only; the reader keeps the file open.
  // map_file: ask the file system for a read-only mapping (it may still
  // give a plain file; see mapped()).
  // verify_data_now: on a mapped file, verify every data block of the index
  // now rather than on its first use (DataLoss if one fails), so that reads
  // never hash a block. For a table this process just wrote, opened by the
  // background job that wrote it: its bytes are in the page cache, and the
  // job pays the hashing instead of the foreground's first reads.
  static absl::StatusOr<std::shared_ptr<const SstReader>> Open(
      FileSystem* fs, const std::string& path, uint64_t number,
      std::shared_ptr<BlockCache> cache, bool map_file = true,
      bool verify_data_now = false);

  SstReader(const SstReader&) = delete;
  SstReader& operator=(const SstReader&) = delete;

  absl::StatusOr<std::optional<LookupResult>> Get(
      std::string_view key) const override;
  bool MayContain(std::string_view key) const override;
  // Starts loading the filter bits Get(key) tests first.
  void Prefetch(const HashedKey& key) const override;
  // The lookup in steps (docs/decisions.md "Disk update in steps"). Step 1
  // tests the filter and finds the data block in the point index; on a
  // mapped table of format version 2 it starts loading the block's tail
  // (hash index, restart array). Step 2, there, reads the tail and starts
  // loading the entries of the key's first buckets. Later steps do
  // nothing. GetAfterSteps goes on from where the steps stopped, with
  // Get's checks (a block is verified before anything read from it is
  // believed). A state is meaningful only for the key whose steps made it.
  void PrefetchStep(const HashedKey& key, uint64_t* state) const override;
  // Writes the value into out->value's memory.
  absl::StatusOr<bool> GetAfterStepsInto(const HashedKey& key, uint64_t state,
                                         LookupResult* out) const override;
  std::unique_ptr<TableIterator> NewIterator() const override;
  const TableMeta& meta() const override { return meta_; }

  // A data block, from the cache or the file (then cached); on a mapped
  // file a view of the mapping (not cached). DataLoss if the handle is out
  // of range or the block is corrupt.
  absl::StatusOr<std::shared_ptr<const Block>> ReadDataBlock(
      const BlockHandle& handle) const;
  // REQUIRES: mapped(). The verified contents of a data block, in the
  // mapping (valid while this reader lives).
  absl::StatusOr<std::string_view> MappedDataBlock(
      const BlockHandle& handle) const;
  // True if the file is mapped (data blocks are read in place).
  bool mapped() const { return !mapped_.empty(); }
  const Block* index_block() const { return index_.get(); }
  uint64_t index_offset() const { return index_offset_; }
  const std::string& path() const { return path_; }
  // How this table's data blocks parse (a hash index is allowed from
  // format version 2 on).
  Block::Format data_block_format() const { return data_block_format_; }

  // Decodes a data block entry's value into *record (key is not touched).
  // False if malformed.
  static bool DecodeRecordValue(std::string_view entry_value,
                                RecordView* record);

 private:
  // A data block of the index, found when the index was walked at Open,
  // and whether its checksum has been verified.
  struct BlockSlot {
    uint64_t offset = UINT64_MAX;  // UINT64_MAX: no block in this slot
    uint64_t size = 0;
    mutable std::atomic<bool> verified{false};
  };

  SstReader(std::string path, uint64_t number,
            std::unique_ptr<RandomAccessFile> file,
            std::shared_ptr<BlockCache> cache, uint64_t data_end);

  absl::Status ReadFooterAndMetaBlocks();
  // Checks that `handle` lies before the footer.
  absl::Status CheckRange(const BlockHandle& handle,
                          std::string_view what) const;
  // Checks the trailer (compression type, checksum) of `raw` (a block and
  // its trailer); returns the block without the trailer.
  absl::StatusOr<std::string_view> CheckTrailer(const BlockHandle& handle,
                                                std::string_view raw,
                                                std::string_view what) const;
  // The verified contents of a block (its trailer checked and stripped):
  // in the mapping when mapped (then *storage is untouched), else read
  // into *storage.
  absl::StatusOr<std::string_view> ReadBlockContents(
      const BlockHandle& handle, std::string_view what,
      std::string* storage) const;
  // Mapped files: walks the index once and fills slots_ (left empty if the
  // index is malformed or its blocks are irregular: every read then
  // verifies).
  void BuildBlockSlots();
  // Mapped files: verifies the data block of every slot and marks it; then
  // sets data_verified_.
  absl::Status VerifyAllDataBlocks();
  // The slot remembering `handle`'s verification, or null.
  const BlockSlot* SlotFor(const BlockHandle& handle) const;
  // The handle of the first data block whose last key is >= key, from
  // point_index_ or else the index block; nullopt if there is none.
  absl::StatusOr<std::optional<BlockHandle>> FindDataBlock(
      std::string_view key) const;
  // Get once the filter passed and the index named the block `handle`,
  // into *out (true if the block holds a record of `key`). `home`: key's
  // home bucket in the block's hash index if a step found it
  // (Block::PrefetchHashedProbe), else UINT32_MAX.
  absl::StatusOr<bool> GetFromBlock(const BlockHandle& handle,
                                    std::string_view key, uint32_t home,
                                    LookupResult* out) const;
  // Looks `key` up in a data block read from `offset` (`home` as above).
  absl::StatusOr<bool> GetInBlock(const Block& block, std::string_view key,
                                  uint64_t offset, uint32_t home,
                                  LookupResult* out) const;
  // Get into *out (true if the table holds a record of `key`).
  absl::StatusOr<bool> GetInto(std::string_view key, LookupResult* out) const;
  // The contents of the mapped data block `handle`, verified (or known to
  // be: data_verified_).
  absl::StatusOr<std::string_view> VerifiedMappedBlock(
      const BlockHandle& handle) const;
  absl::Status Corruption(std::string_view what, uint64_t offset) const;

  // Constant after Open.
  const std::string path_;
  const uint64_t number_;
  const std::unique_ptr<RandomAccessFile> file_;
  const std::string_view mapped_;            // file_->mapped(); may be empty
  const std::shared_ptr<BlockCache> cache_;  // may be null
  uint64_t data_end_;                        // where the footer starts
  uint64_t index_offset_ = 0;
  Block::Format data_block_format_ = Block::Format::kPlain;
  std::unique_ptr<const Block> index_;
  // The index flattened for Get (empty if the index block is malformed:
  // Get then walks index_).
  SstPointIndex point_index_;
  std::string filter_storage_;  // the filter when not mapped
  std::string_view filter_;
  TableMeta meta_;
  // Mapped files: slot i holds the block whose offset >> slot_shift_ is i.
  std::unique_ptr<BlockSlot[]> slots_;
  size_t num_slots_ = 0;
  int slot_shift_ = 0;
  // Every block of the index has a slot and was verified at Open
  // (verify_data_now): Get reads blocks without looking at their slots.
  bool data_verified_ = false;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_SST_READER_H_
