#ifndef KSTONE_CORE_STORAGE_DISK_SST_POINT_INDEX_H_
#define KSTONE_CORE_STORAGE_DISK_SST_POINT_INDEX_H_

// SstPointIndex: an SST's index block, flattened in memory when the table is
// opened, for point lookups (SstReader::Get).
//
// The index block stores one entry per data block (its last key and its
// handle, as varints, with restart points to binary-search). Searching it
// decodes a varint header at every probe, and the probes land on cache lines
// spread over the whole block. The flat form keeps, per data block:
//  - an 8-byte big-endian integer of the separator key's bytes after the
//    prefix every separator of the table shares (zero-padded), in one
//    contiguous array: the binary search compares integers and touches a
//    few cache lines of that array;
//  - the full separator key, compared only when two integers tie;
//  - the decoded handle.
// The answer is the same as the index block's: the first data block whose
// separator key is >= the key.
//
// Built only from a well-formed index: every entry decodes, its handle lies
// inside the file's data area, and the separator keys never decrease
// (Build returns false otherwise, and the reader walks the index block as
// before). The bytes are never trusted beyond that.
//
// Thread safety: immutable after Build; safe for concurrent readers.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/storage/disk/block.h"
#include "core/storage/disk/sst_format.h"

namespace kstone::core {

class SstPointIndex {
 public:
  SstPointIndex() = default;
  SstPointIndex(const SstPointIndex&) = delete;
  SstPointIndex& operator=(const SstPointIndex&) = delete;

  // Flattens `index` (an index block). Every handle must end, with its
  // trailer, at or before `data_end`. False (and the index left empty) if
  // an entry is malformed, a handle out of range or the keys out of order.
  bool Build(const Block& index, uint64_t data_end);

  // Number of data blocks; 0 if not built.
  size_t size() const { return handles_.size(); }
  bool empty() const { return handles_.empty(); }

  // The first block whose separator key is >= `key`: an index in
  // [0, size()], size() meaning that every key of the table is < `key`.
  size_t Find(std::string_view key) const;

  // REQUIRES: i < size().
  const BlockHandle& handle(size_t i) const { return handles_[i]; }
  std::string_view key(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : key_ends_[i - 1];
    return std::string_view(keys_).substr(begin, key_ends_[i] - begin);
  }

  // Bytes of memory held (for tests and accounting).
  size_t memory_usage() const;

 private:
  // The 8 bytes of `key` after the shared prefix, big-endian, zero-padded.
  // REQUIRES: key starts with prefix_.
  uint64_t Head(std::string_view key) const;

  std::string prefix_;              // shared by every separator key
  std::vector<uint64_t> heads_;     // Head(key(i))
  std::vector<uint32_t> key_ends_;  // key(i) ends at keys_[key_ends_[i]]
  std::string keys_;                // the separator keys, concatenated
  std::vector<BlockHandle> handles_;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_SST_POINT_INDEX_H_
