#include "core/storage/disk/sst_iterator.h"

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/storage/disk/block.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"

namespace kstone::core {
namespace {

// A two-level iterator: the index block picks a data block, a BlockIterator
// walks it. Holds the reader and the current block alive. Not thread-safe.
class SstIterator final : public TableIterator {
 public:
  explicit SstIterator(std::shared_ptr<const SstReader> reader)
      : reader_(std::move(reader)), index_(reader_->index_block()) {}

  bool Valid() const override {
    return status_.ok() && data_.has_value() && data_->Valid();
  }
  void SeekToFirst() override {
    index_.SeekToFirst();
    if (LoadBlock()) data_->SeekToFirst();
    SkipForward();
  }
  void SeekToLast() override {
    index_.SeekToLast();
    if (LoadBlock()) data_->SeekToLast();
    SkipBackward();
  }
  void Seek(std::string_view key) override {
    index_.Seek(key);
    if (LoadBlock()) data_->Seek(key);
    SkipForward();
  }
  void SeekForPrev(std::string_view key) override {
    // The last record with key <= `key` precedes the first record whose key
    // is > `key`, i.e. >= key + '\0' (the smallest longer string).
    std::string after(key);
    after.push_back('\0');
    Seek(after);
    if (Valid()) {
      Prev();
    } else if (status_.ok()) {
      SeekToLast();
    }
  }
  void Next() override {
    assert(Valid());
    data_->Next();
    SkipForward();
  }
  void Prev() override {
    assert(Valid());
    data_->Prev();
    SkipBackward();
  }
  RecordView record() const override {
    assert(Valid());
    return record_;
  }
  absl::Status status() const override { return status_; }

 private:
  void Fail(absl::Status status) {
    status_ = std::move(status);
    data_.reset();
    block_.reset();
  }

  // Loads the block the index iterator points at. False (and data_ null) if
  // the index is exhausted or a read failed.
  bool LoadBlock() {
    data_.reset();
    block_.reset();
    if (!status_.ok()) return false;
    if (!index_.Valid()) {
      if (index_.corrupt()) {
        Fail(absl::DataLossError(absl::StrCat(
            "sst ", reader_->path(), ": corrupt entry at block offset ",
            index_.corrupt_offset(), " in the index block at offset ",
            reader_->index_offset())));
      }
      return false;
    }
    std::string_view encoded = index_.value();
    BlockHandle handle;
    if (!DecodeBlockHandle(&encoded, &handle)) {
      Fail(absl::DataLossError(
          absl::StrCat("sst ", reader_->path(),
                       ": bad block handle in the index block at offset ",
                       reader_->index_offset())));
      return false;
    }
    block_offset_ = handle.offset;
    if (reader_->mapped()) {
      // In place: no allocation, no cache.
      absl::StatusOr<std::string_view> contents =
          reader_->MappedDataBlock(handle);
      if (!contents.ok()) {
        Fail(contents.status());
        return false;
      }
      if (!Block::ParseInto(*contents, &view_, reader_->data_block_format())) {
        Fail(absl::DataLossError(
            absl::StrCat("sst ", reader_->path(),
                         ": malformed data block at offset ", handle.offset)));
        return false;
      }
      data_.emplace(&view_);
      return true;
    }
    auto block = reader_->ReadDataBlock(handle);
    if (!block.ok()) {
      Fail(block.status());
      return false;
    }
    block_ = *std::move(block);
    data_.emplace(block_.get());
    return true;
  }

  // After a move: steps over exhausted blocks forward, then decodes.
  void SkipForward() {
    while (status_.ok() && data_.has_value() && !data_->Valid()) {
      if (CheckBlockCorruption()) return;
      index_.Next();
      if (LoadBlock()) data_->SeekToFirst();
    }
    DecodeCurrent();
  }
  void SkipBackward() {
    while (status_.ok() && data_.has_value() && !data_->Valid()) {
      if (CheckBlockCorruption()) return;
      index_.Prev();
      if (LoadBlock()) data_->SeekToLast();
    }
    DecodeCurrent();
  }
  bool CheckBlockCorruption() {
    if (!data_->corrupt()) return false;
    Fail(absl::DataLossError(
        absl::StrCat("sst ", reader_->path(), ": corrupt entry at offset ",
                     data_->corrupt_offset(), " of the data block at offset ",
                     block_offset_)));
    return true;
  }
  void DecodeCurrent() {
    if (!Valid()) return;
    record_.key = data_->key();
    if (!SstReader::DecodeRecordValue(data_->value(), &record_)) {
      Fail(absl::DataLossError(absl::StrCat(
          "sst ", reader_->path(),
          ": bad record tag in the data block at offset ", block_offset_)));
    }
  }

  const std::shared_ptr<const SstReader> reader_;
  BlockIterator index_;
  std::shared_ptr<const Block> block_;  // the block data_ walks, or null
  Block view_;  // mapped files: the block data_ walks, in the mapping
  uint64_t block_offset_ = 0;
  std::optional<BlockIterator> data_;
  RecordView record_;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<TableIterator> NewSstIterator(
    std::shared_ptr<const SstReader> reader) {
  return std::make_unique<SstIterator>(std::move(reader));
}

}  // namespace kstone::core
