#ifndef KSTONE_API_WRITE_BUFFERS_H_
#define KSTONE_API_WRITE_BUFFERS_H_

// WriteBuffers: the strings a thread's single-item conditional writes (the
// short Update, a Put with attribute_(not_)exists) fill, kept from one write
// to the next. Such a write reads the stored item and writes one mutation
// (key and value); with fresh strings each time that was four allocations
// and four frees per write, as many instructions as the patch of the item
// itself. Kept, their memory is reused (Engine's FillFn overloads of
// ReadModifyWrite and WriteLocked, LockedReader::GetPrefetchedInto).
//
// Used by one write at a time: nothing a write calls while it holds them
// (encoding, the patch, decoding the returned item) writes to a database.
//
// Thread safety: one instance per thread (ThisThread).

#include <string>
#include <vector>

#include "api/this_thread.h"
#include "core/engine/engine.h"

namespace kstone {

struct WriteBuffers {
  // The calling thread's buffers (api/this_thread.h).
  static WriteBuffers& ThisThread() {
    return ThisThreadsInstance<WriteBuffers>();
  }

  // After a write: gives memory beyond kKeepBytes back, so that a thread
  // that once wrote a large item does not hold that much for good.
  void Trim() {
    for (core::Mutation& m : mutations) {
      if (m.value.capacity() > kKeepBytes) std::string().swap(m.value);
    }
    if (stored.capacity() > kKeepBytes) std::string().swap(stored);
  }

  static constexpr size_t kKeepBytes = 16 * 1024;

  std::string engine_key;                 // the item's key, encoded
  std::string stored;                     // the item read under the lock
  std::vector<core::Mutation> mutations;  // what the write writes
};

}  // namespace kstone

#endif  // KSTONE_API_WRITE_BUFFERS_H_
