#ifndef KSTONE_CORE_ENGINE_MERGING_ITERATOR_H_
#define KSTONE_CORE_ENGINE_MERGING_ITERATOR_H_

// Iterators that merge several sorted runs (memtables and tables, each a
// TableIterator in (key asc, seq desc) order):
//
//  - NewLiveIterator: the user's view (an EngineIterator): one entry per key,
//    the newest version with seq <= a snapshot sequence number, tombstones
//    hidden; both directions, Seek and SeekForPrev.
//  - RecordMerger: every record of every run in (key asc, seq desc) order,
//    forward only; flush and compaction build tables from it.
//
// Both are not thread-safe. The children are owned by the iterator; whatever
// they read (memtables, tables) must outlive it, which `keep_alive` ensures.

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "core/engine/engine.h"
#include "core/storage/record.h"
#include "core/storage/table.h"

namespace kstone::core {

// A stripe's runs: a Query or Scan reads one or a few (held inline, so that
// opening an iterator does not allocate for them).
using TableIterators = absl::InlinedVector<std::unique_ptr<TableIterator>, 4>;

// `children` in any order. Records with seq > `snapshot_seq` are invisible.
// `keep_alive` is held until the iterator is destroyed.
std::unique_ptr<EngineIterator> NewLiveIterator(
    TableIterators children, uint64_t snapshot_seq,
    std::shared_ptr<const void> keep_alive);

class RecordMerger {
 public:
  explicit RecordMerger(std::vector<std::unique_ptr<TableIterator>> children);
  RecordMerger(const RecordMerger&) = delete;
  RecordMerger& operator=(const RecordMerger&) = delete;

  void SeekToFirst();
  bool Valid() const { return current_ >= 0; }
  // REQUIRES: Valid().
  void Next();
  RecordView record() const { return children_[current_]->record(); }
  // The first error of any child.
  absl::Status status() const;

 private:
  void FindSmallest();

  std::vector<std::unique_ptr<TableIterator>> children_;
  int current_ = -1;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_MERGING_ITERATOR_H_
