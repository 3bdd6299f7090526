#ifndef KSTONE_CORE_STORAGE_DISK_BLOCK_BUILDER_H_
#define KSTONE_CORE_STORAGE_DISK_BLOCK_BUILDER_H_

// BlockBuilder: builds the contents of one SST block (data or index) from
// entries added in key order. Keys are prefix-compressed against the previous
// key, with a restart point (a full key) every `restart_interval` entries; the
// restart offsets follow the entries. With a hash index (data blocks of SST
// format version 2) a key shares its prefix with its interval's restart key
// instead, and the index follows the restart offsets (block_hash_index.h).
// Layout in docs/formats/sst.md.
//
// Not thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/storage/disk/block_hash_index.h"

namespace kstone::core {

class BlockBuilder {
 public:
  // hash_index: end the block with a hash index of its keys (when every
  // key's first entry starts at an offset the index can hold).
  explicit BlockBuilder(int restart_interval, bool hash_index = false);
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // Appends an entry whose value is value_head followed by value_tail (so a
  // data record's tag and value need no concatenation).
  // REQUIRES: key >= the previous key; Finish has not been called since the
  // last Reset.
  void Add(std::string_view key, std::string_view value_head,
           std::string_view value_tail = {});

  // Appends the restart array and returns the block contents, valid until
  // Reset or destruction.
  std::string_view Finish();
  void Reset();

  // The size of the contents Finish would return now.
  size_t SizeEstimate() const;
  bool empty() const { return entries_ == 0; }

 private:
  const int restart_interval_;
  const bool hash_index_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  std::string last_key_;
  std::string restart_key_;  // with hash_index_: the interval's first key
  BlockHashIndexBuilder index_;
  int counter_ = 0;  // entries since the last restart
  uint64_t entries_ = 0;
  bool finished_ = false;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_BLOCK_BUILDER_H_
