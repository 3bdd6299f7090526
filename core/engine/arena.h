#ifndef KSTONE_CORE_ENGINE_ARENA_H_
#define KSTONE_CORE_ENGINE_ARENA_H_

// Arena: bump allocation out of large blocks, freed all at once when the
// arena is destroyed. Backs a memtable, so that a record costs its bytes and
// no per-record heap allocation.
//
// Thread safety: Allocate needs external synchronisation (the memtable's
// single writer); memory_usage() may be read from any thread.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace kstone::core {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `bytes` bytes aligned for any pointer or 8-byte integer.
  // REQUIRES: bytes > 0.
  char* AllocateAligned(size_t bytes);

  // Returns `bytes` bytes with no alignment, taken from the other end of
  // the current block: AllocateAligned fills a block upwards from its start,
  // this downwards from its end, so two kinds of data share the blocks but
  // not cache lines (the memtable keeps its skiplist nodes apart from the
  // values that way). REQUIRES: bytes > 0.
  char* AllocateFromEnd(size_t bytes) {
    if (bytes <= remaining_) {
      remaining_ -= bytes;
      return ptr_ + remaining_;
    }
    return AllocateFromEndFallback(bytes);
  }

  // Bytes of blocks allocated so far (what the arena costs in memory).
  size_t memory_usage() const {
    return memory_usage_.load(std::memory_order_relaxed);
  }

 private:
  // Blocks grow from kFirstBlockSize to kMaxBlockSize, so that the many
  // memtables of cold stripes stay small, and stay small: a memtable's
  // newest block is partly empty, and an in-memory database holds hundreds
  // of memtables of a few dozen KiB (one per stripe, plus those being
  // flushed). With blocks growing to 64 KiB (32 KiB from a memtable's
  // fifth block on), memtables took 205-240 bytes per 100-byte record at
  // the end of a 1 M fill instead of 175-185, and flushes, which reserve
  // their output from a memtable's bytes, left the excess as free heap: the
  // fill peaked ~8 bytes per item higher (docs/decisions.md).
  static constexpr size_t kFirstBlockSize = 4 * 1024;
  static constexpr size_t kMaxBlockSize = 8 * 1024;

  char* AllocateFallback(size_t bytes);
  char* AllocateFromEndFallback(size_t bytes);
  // Size of the next block (bytes > a quarter of it: a block of its own).
  size_t NextBlockSize() const;
  char* NewBlock(size_t bytes);

  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<size_t> memory_usage_{0};
};

inline char* Arena::AllocateAligned(size_t bytes) {
  constexpr size_t kAlign = 8;
  static_assert(alignof(void*) <= kAlign && alignof(uint64_t) <= kAlign);
  const size_t misalign = reinterpret_cast<uintptr_t>(ptr_) & (kAlign - 1);
  const size_t pad = misalign == 0 ? 0 : kAlign - misalign;
  if (bytes + pad <= remaining_) {
    char* result = ptr_ + pad;
    ptr_ += bytes + pad;
    remaining_ -= bytes + pad;
    return result;
  }
  return AllocateFallback(bytes);
}

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_ARENA_H_
