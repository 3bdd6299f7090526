#ifndef KSTONE_CORE_STORAGE_DISK_BLOCK_H_
#define KSTONE_CORE_STORAGE_DISK_BLOCK_H_

// Block: the parsed contents of one SST block (data or index), as written by
// BlockBuilder, and BlockIterator over its entries in both directions.
//
// Blocks come from disk and may be corrupt even when their checksum matched
// (or when a fuzzer made them): every decode is bounds-checked, and an
// iterator that meets a malformed entry becomes invalid with corrupt() set.
//
// Thread safety: a Block is immutable and safe for concurrent use; it is
// shared (std::shared_ptr) by the block cache and the iterators reading it.
// A BlockIterator is not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kstone::core {

class Block {
 public:
  // Whether the block may end with a hash index (block_hash_index.h): data
  // blocks of SST format version 2. Elsewhere the index's flag is
  // corruption.
  enum class Format { kPlain, kMayHaveHashIndex };

  // Takes the contents of a block; nullptr if its restart array (or hash
  // index) is malformed.
  static std::unique_ptr<const Block> Parse(std::string contents,
                                            Format format = Format::kPlain);
  // A block over bytes it does not own (a mapped file), which must outlive
  // it; nullptr if malformed.
  static std::unique_ptr<const Block> ParseView(std::string_view contents,
                                                Format format = Format::kPlain);
  // Makes *block a view of `contents` (as ParseView, without allocating);
  // false (and *block empty) if malformed.
  static bool ParseInto(std::string_view contents, Block* block,
                        Format format = Format::kPlain);

  // An empty block (no entries), for ParseInto.
  Block() = default;
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  enum class SeekResult { kFound, kAbsent, kCorrupt };
  // A point lookup: the first entry whose key is >= target, as
  // BlockIterator::Seek finds it, but without assembling keys (an entry is
  // compared only where its delta starts, at the bytes it shares with the
  // target). kFound if that entry's key equals target (then *value is its
  // value); kAbsent if it differs or there is none; kCorrupt if a malformed
  // entry was met (then *corrupt_offset is its offset in the block).
  // A block with a hash index answers from the index instead (the same
  // answer for a well-formed block).
  SeekResult SeekExact(std::string_view target, std::string_view* value,
                       uint32_t* corrupt_offset) const;

  bool has_hash_index() const { return num_buckets_ != 0; }
  uint32_t num_buckets() const { return num_buckets_; }

  // For a lookup of target in steps (SstReader::PrefetchStep), while the
  // tail of the block `contents` is in cache: starts loading what
  // SeekExact(target) reads next (the entries of target's first hash
  // buckets, and the restart key of the first) and returns target's home
  // bucket, for SeekHashedFrom. UINT32_MAX (and nothing loaded) if the
  // block has no hash index. Reads only the tail, bounds-checked but not
  // validated as ParseInto does: the block need not be verified, and the
  // answer is only a hint until it is.
  static uint32_t PrefetchHashedProbe(std::string_view contents,
                                      std::string_view target);
  // SeekExact through the hash index, the probe starting at bucket `home`
  // (as PrefetchHashedProbe(target) returned it for this block): the same
  // answer, without hashing target again.
  // REQUIRES: has_hash_index() and home < num_buckets().
  SeekResult SeekHashedFrom(uint32_t home, std::string_view target,
                            std::string_view* value,
                            uint32_t* corrupt_offset) const;

  // Bytes of memory the block holds (for the cache's accounting).
  size_t charge() const { return sizeof(Block) + owned_.capacity(); }

 private:
  friend class BlockIterator;
  // Sets the layout fields of *block from `contents` (its restart array
  // and hash index); false if malformed.
  static bool ParseLayout(std::string_view contents, Format format,
                          Block* block);
  uint32_t RestartPoint(uint32_t i) const;
  // SeekExact through the hash index.
  SeekResult SeekHashed(std::string_view target, std::string_view* value,
                        uint32_t* corrupt_offset) const;
  // SeekHashed's check of the entry at `offset`: kFound (and *value) if its
  // key is target, kAbsent if not.
  SeekResult MatchEntry(uint32_t offset, std::string_view target,
                        std::string_view* value,
                        uint32_t* corrupt_offset) const;

  std::string owned_;             // the contents when the block owns them
  std::string_view data_;         // the contents (owned_ or someone else's)
  uint32_t restarts_offset_ = 0;  // where the entries end
  uint32_t num_restarts_ = 0;
  uint32_t buckets_offset_ = 0;  // where the hash index's buckets start
  uint32_t num_buckets_ = 0;     // 0: no hash index
};

// Iterates the entries of a block. Starts invalid. The block must outlive the
// iterator; key() and value() stay valid until the iterator moves.
class BlockIterator {
 public:
  explicit BlockIterator(const Block* block);

  bool Valid() const { return current_ < block_->restarts_offset_; }
  // True if a malformed entry was met (the iterator is then invalid).
  bool corrupt() const { return corrupt_; }
  // Offset in the block of the entry where corruption was found.
  uint32_t corrupt_offset() const { return corrupt_offset_; }

  void SeekToFirst();
  void SeekToLast();
  // Positions at the first entry whose key is >= target.
  void Seek(std::string_view target);
  // REQUIRES: Valid().
  void Next();
  void Prev();

  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }

 private:
  void Invalidate() { current_ = block_->restarts_offset_; }
  void MarkCorrupt(uint32_t offset);
  void SeekToRestart(uint32_t index);
  // Decodes the entry at next_; false at the end of the entries or on
  // corruption.
  bool ParseNextEntry();
  // The full key stored at restart point `index`; false if malformed.
  bool RestartKey(uint32_t index, std::string_view* key);

  const Block* const block_;
  uint32_t current_;   // offset of the current entry; restarts_offset_ = none
  uint32_t next_ = 0;  // offset just past the current entry
  uint32_t restart_index_ = 0;  // the restart block current_ belongs to
  std::string key_;
  std::string_view value_;
  bool corrupt_ = false;
  uint32_t corrupt_offset_ = 0;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_BLOCK_H_
