#ifndef KSTONE_CORE_ENGINE_STRIPE_H_
#define KSTONE_CORE_ENGINE_STRIPE_H_

// Stripe: one of the engine's 256 independent LSM trees.
//
// A stripe has two locks:
//  - write_mu serialises its writers. A writer holds it (and those of every
//    other stripe of its batch, taken in increasing stripe order) from the
//    check of a conditional write, through sequence assignment, the WAL
//    append (which waits for group commit when syncing) and the memtable
//    inserts, to the end of the write. The WAL does the grouping: each
//    writer calls Wal::Append itself, so writers of different stripes share
//    one sync. Switching the active memtable also needs write_mu.
//  - view_mu guards only the pointer to the stripe's current StripeView and
//    is held for a pointer copy or swap, never for I/O, so readers never wait
//    for a writer's sync, a flush or a compaction. It is a SpinMutex (every
//    read and conditional write takes it; core/util/spin_mutex.h).
// Lock order: write_mu (by stripe index) < view_mu < the engine's locks.
//
// A StripeView is immutable once published: the active memtable (which its
// single writer keeps appending to; readers read it lock-free), the immutable
// memtables waiting for flush, and the tables, each list newest first, with
// the filter over all the tables' keys when the stripe has one.
// Readers copy the shared_ptr and read without locks; flush, compaction and
// memtable switches publish a new view.

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "core/engine/memtable.h"
#include "core/engine/table_key_filter.h"
#include "core/storage/table.h"
#include "core/util/mutex.h"
#include "core/util/spin_mutex.h"

namespace kstone::core {

struct StripeView {
  std::shared_ptr<MemTable> active;
  std::vector<std::shared_ptr<MemTable>> immutables;  // newest first
  std::vector<std::shared_ptr<const Table>> tables;   // newest first
  // Holds every key of `tables` (and maybe more); null: none, ask each
  // table (table_key_filter.h). Only the stripe's table jobs replace it.
  std::shared_ptr<const TableKeyFilter> table_filter;
};

// Thread safety: as described above; the atomics may be read without locks.
struct Stripe {
  std::shared_ptr<const StripeView> view() const ABSL_LOCKS_EXCLUDED(view_mu) {
    MutexLock lock(&view_mu);
    return current;
  }
  void set_view(std::shared_ptr<const StripeView> v)
      ABSL_LOCKS_EXCLUDED(view_mu) {
    // Declared before the lock, so the replaced view is released after the
    // unlock (see EngineImpl::UpdateView).
    std::shared_ptr<const StripeView> replaced;
    MutexLock lock(&view_mu);
    replaced = std::exchange(current, std::move(v));
    current_address.store(current.get(), std::memory_order_release);
  }

  Mutex write_mu;
  // The active memtable, for its writer (also in the view). Only replaced
  // with write_mu held.
  std::shared_ptr<MemTable> active ABSL_GUARDED_BY(write_mu);

  mutable SpinMutex view_mu ABSL_ACQUIRED_AFTER(write_mu);
  std::shared_ptr<const StripeView> current ABSL_GUARDED_BY(view_mu);
  // current.get(), stored with every change of current (under view_mu),
  // so that a writer holding write_mu can tell whether a view it loaded
  // earlier, and still holds, is current without taking view_mu
  // (EngineImpl::LockedViewOf). A held view cannot be freed, so no later
  // view can reuse its address.
  std::atomic<const StripeView*> current_address{nullptr};

  // Highest sequence number applied to this stripe's memtables: an iterator
  // created now must not see anything newer. Stored by writers after their
  // inserts (release), loaded by NewIterator (acquire).
  std::atomic<uint64_t> applied_seq{0};
  // Memory of the active memtable, for picking flush victims.
  std::atomic<uint64_t> active_bytes{0};
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_STRIPE_H_
