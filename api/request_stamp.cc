// internal::NewRequestStamp (kstone/write_options.h): the stamps of request
// builders. Every setter of a builder takes one, so they come from a block
// per thread (one pointer load, api/this_thread.h) rather than from the
// shared counter each time, whose cache line would move between threads
// that build requests at once.

#include <atomic>
#include <cstdint>

#include "api/this_thread.h"
#include "kstone/write_options.h"

namespace kstone::internal {
namespace {

constexpr uint64_t kStampsPerBlock = 1 << 16;

// The next block's first stamp (0 is never handed out).
std::atomic<uint64_t> next_block{1};

struct StampBlock {
  uint64_t next = 0;
  uint64_t end = 0;
};

}  // namespace

uint64_t NewRequestStamp() {
  StampBlock& block = ThisThreadsInstance<StampBlock>();
  if (block.next == block.end) [[unlikely]] {
    block.next =
        next_block.fetch_add(kStampsPerBlock, std::memory_order_relaxed);
    block.end = block.next + kStampsPerBlock;
  }
  return block.next++;
}

}  // namespace kstone::internal
