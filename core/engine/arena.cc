#include "core/engine/arena.h"

#include <cassert>
#include <cstddef>
#include <memory>

namespace kstone::core {

char* Arena::NewBlock(size_t bytes) {
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(bytes));
  memory_usage_.fetch_add(bytes + sizeof(void*), std::memory_order_relaxed);
  return blocks_.back().get();
}

size_t Arena::NextBlockSize() const {
  size_t block_size = kFirstBlockSize;
  while (block_size < kMaxBlockSize && (block_size >> 12) <= blocks_.size()) {
    block_size <<= 1;
  }
  return block_size;
}

char* Arena::AllocateFromEndFallback(size_t bytes) {
  assert(bytes > 0);
  const size_t block_size = NextBlockSize();
  if (bytes > block_size / 4) return NewBlock(bytes);  // see AllocateFallback
  ptr_ = NewBlock(block_size);
  remaining_ = block_size - bytes;
  return ptr_ + remaining_;
}

char* Arena::AllocateFallback(size_t bytes) {
  assert(bytes > 0);
  const size_t block_size = NextBlockSize();
  if (bytes > block_size / 4) {
    // A large record gets a block of its own, so that the rest of the current
    // block is not wasted. new[] memory is aligned for any fundamental type.
    return NewBlock(bytes);
  }
  ptr_ = NewBlock(block_size);
  remaining_ = block_size;
  char* result = ptr_;
  ptr_ += bytes;
  remaining_ -= bytes;
  return result;
}

}  // namespace kstone::core
