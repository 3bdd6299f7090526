#ifndef KSTONE_CORE_STORAGE_DISK_SST_FORMAT_H_
#define KSTONE_CORE_STORAGE_DISK_SST_FORMAT_H_

// Constants and small codecs of the SST file format. The format itself is
// specified in docs/formats/sst.md; keep the two in step.
//
//   [data block][trailer] ... [data block][trailer]
//   [filter block][trailer] [meta block][trailer] [index block][trailer]
//   [footer: kFooterSize bytes]
//
// Every block is followed by a kBlockTrailerSize-byte trailer: one
// compression-type byte, then BlockChecksum(contents, type) as fixed32. A
// BlockHandle (offset, size) locates a block's contents; size excludes the
// trailer.

#include <cstdint>
#include <string>
#include <string_view>

namespace kstone::core {

inline constexpr uint64_t kSstMagic = 0x54535353454e4f54ULL;  // "TONESSST"
// Version 2: data blocks may end with a hash index (block_hash_index.h).
// Version 1 tables (no hash index) are still read.
inline constexpr uint32_t kSstFormatVersion = 2;
inline constexpr uint32_t kSstOldestFormatVersion = 1;
inline constexpr size_t kBlockTrailerSize = 5;
inline constexpr size_t kSstFooterSize = 64;
// Data blocks start a new restart point (a full, unshared key) every
// kBlockRestartInterval records.
inline constexpr int kBlockRestartInterval = 16;

enum class BlockCompression : uint8_t {
  kNone = 0,
};

// The low 32 bits of XXH3-64(contents) seeded with the compression type, so
// the checksum covers the type byte without copying the contents. For kNone
// (seed 0) it equals Checksum32(contents).
uint32_t BlockChecksum(std::string_view contents, BlockCompression type);

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;  // contents only, without the trailer
};

// Index block entry values: varint64 offset, varint64 size.
void EncodeBlockHandle(const BlockHandle& handle, std::string* dst);
bool DecodeBlockHandle(std::string_view* input, BlockHandle* handle);

// The footer: the handles of the index, filter and meta blocks as fixed64
// pairs (48 bytes), fixed32 format version, fixed32 Checksum32 of the 52
// bytes before it, fixed64 magic. Fixed size, so a reader finds it at
// file_size - kSstFooterSize.
struct SstFooter {
  BlockHandle index;
  BlockHandle filter;
  BlockHandle meta;
  uint32_t version = kSstFormatVersion;
};

std::string EncodeSstFooter(const SstFooter& footer);

enum class FooterError { kOk, kBadMagic, kBadVersion, kBadChecksum };
// REQUIRES: input.size() == kSstFooterSize.
FooterError DecodeSstFooter(std::string_view input, SstFooter* footer);

// A data block record's value: varint64 tag (seq << 8 | type), then the
// record value bytes. Sequence numbers must be below 2^56.
inline constexpr uint64_t kSstMaxSeq = (uint64_t{1} << 56) - 1;
inline uint64_t PackSeqAndType(uint64_t seq, uint8_t type) {
  return (seq << 8) | type;
}

// The file name of table `number`: six or more digits, then ".sst".
std::string SstFileName(uint64_t number);
// Parses a name made by SstFileName. False for anything else.
bool ParseSstFileName(std::string_view name, uint64_t* number);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_SST_FORMAT_H_
