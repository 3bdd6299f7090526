#ifndef KSTONE_CORE_UTIL_RELEASE_MEMORY_H_
#define KSTONE_CORE_UTIL_RELEASE_MEMORY_H_

// ReleaseFreeMemory: hands the allocator's free pages back to the operating
// system, where the C library offers it (glibc's malloc_trim); elsewhere it
// does nothing.
//
// Why: an in-memory database keeps its tables in large heap buffers. When a
// merge replaces a stripe's tables, glibc keeps the freed buffers resident
// (it returns only the top of each heap), so the process's resident memory
// grows with every round of merges although the data does not: after idle
// compaction of 1 M items, 165 MB resident of which 41 MB free. The engine
// calls this once a few MiB of tables and memtables have been dropped while
// idle merges run or a caller waits in Flush() or Compact(); while writes
// drive the background jobs only every 32 MiB and only from flushes that
// dropped overwritten versions (an overwrite load, not a fill): it walks the
// allocator's free lists, and the pages it unmaps fault in again when
// reused (engine_background.cc, kReleaseFreeMemoryBytes and
// kReleaseWhileWritingBytes).
//
// Thread safety: safe to call from any thread.

namespace kstone::core {

void ReleaseFreeMemory();

}  // namespace kstone::core

#endif  // KSTONE_CORE_UTIL_RELEASE_MEMORY_H_
