#ifndef KSTONE_CORE_STORAGE_TABLE_H_
#define KSTONE_CORE_STORAGE_TABLE_H_

// Table and TableBuilder: an immutable sorted run of records (an SST).
//
// Records are ordered by (key ascending, seq descending); a table may hold
// several versions of a key and tombstones. Implementations: MemoryTable
// (core/storage/memory/memory_table.h: sorted records in memory, bloom
// filter, no serialisation) and the disk SST (core/storage/disk/sst_*.h,
// format in docs/formats/sst.md).
//
// Thread safety: a finished Table is immutable, its const methods are safe for
// concurrent use, and it is shared (std::shared_ptr) between the engine's
// version and any open iterators; whoever holds the last reference frees it.
// A TableBuilder and a TableIterator are not thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/storage/key_hash.h"
#include "core/storage/record.h"

namespace kstone::core {

// What a finished table holds, recorded in the manifest.
struct TableMeta {
  uint64_t number = 0;   // unique within a database, never reused
  uint64_t entries = 0;  // records, all versions and tombstones
  uint64_t bytes = 0;    // storage size (file size, or memory footprint)
  uint64_t min_seq = 0;
  uint64_t max_seq = 0;
  std::string smallest_key;  // first key (empty table: both empty)
  std::string largest_key;   // last key
};

// An owned copy of one record, as returned by point lookups.
struct LookupResult {
  uint64_t seq = 0;
  RecordType type = RecordType::kValue;
  std::string value;
};

// Iterates a table's records in (key asc, seq desc) order, both directions.
// Starts invalid; position it with a Seek*. key()/value() views stay valid
// until the iterator moves or is destroyed.
class TableIterator {
 public:
  virtual ~TableIterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first record whose key is >= key (its newest version).
  virtual void Seek(std::string_view key) = 0;
  // Positions at the last record whose key is <= key (its oldest version).
  virtual void SeekForPrev(std::string_view key) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual RecordView record() const = 0;
  // Next(), then the record there if Valid(): one call where a merger
  // would make three (Next, Valid, record) per record. REQUIRES: Valid().
  virtual bool NextRecord(RecordView* record) {
    Next();
    if (!Valid()) return false;
    *record = this->record();
    return true;
  }
  // Non-OK if a read failed (the iterator is then invalid): DataLoss for a
  // corrupt block, naming the file and offset.
  virtual absl::Status status() const = 0;
  // True if the table holds at most one record per key, so that Next always
  // lands on another key (a merged table does; a memtable may not). Lets a
  // reader of this table alone skip comparing keys. The default is false.
  virtual bool KeysUnique() const { return false; }
};

class Table {
 public:
  virtual ~Table() = default;

  // The newest record for `key` (value or tombstone), or nullopt if the table
  // has none. Consults the bloom filter first.
  virtual absl::StatusOr<std::optional<LookupResult>> Get(
      std::string_view key) const = 0;

  // False only if the table certainly holds no record for `key`.
  virtual bool MayContain(std::string_view key) const = 0;

  // The lookups below take the key with its KeyHash (key_hash.h), which
  // the engine computes once for all the structures of a stripe it asks: a
  // table indexed by that hash (MemoryTable) need not hash the key again.

  // Get of a key whose hash is known; the default is Get(key.key).
  virtual absl::StatusOr<std::optional<LookupResult>> GetHashed(
      const HashedKey& key) const {
    return Get(key.key);
  }
  // A hint that Get(key) follows soon: a table may start loading the memory
  // its Get will touch first, so that a reader about to ask several tables
  // waits for their cache misses in parallel rather than one after another.
  // Must be cheap and must not block; the default does nothing.
  virtual void Prefetch(const HashedKey& /*key*/) const {}
  // The next step of the same hint, for a caller with more work to do
  // before its Get, called some hundreds of nanoseconds after Prefetch(key)
  // and then after each step: a table whose Get walks a chain of dependent
  // cache lines reads what the last step loaded (by now in cache) and
  // starts loading the next line of the chain. `*state` carries the lookup
  // from step to step for one key, in the table's own terms: 0 before the
  // first step. Same rules as Prefetch; the default does nothing.
  virtual void PrefetchStep(const HashedKey& /*key*/,
                            uint64_t* /*state*/) const {}
  // Get(key) for a caller whose steps of `key` (PrefetchStep) left `state`,
  // into *out: true if the table holds a record for `key`, which is then in
  // *out. A table may use what its steps found instead of searching again,
  // and write the value into out->value's memory instead of allocating
  // (for a caller that keeps *out from one read to the next). The default
  // is Get, moved into *out.
  virtual absl::StatusOr<bool> GetAfterStepsInto(const HashedKey& key,
                                                 uint64_t /*state*/,
                                                 LookupResult* out) const {
    absl::StatusOr<std::optional<LookupResult>> r = Get(key.key);
    if (!r.ok()) return r.status();
    if (!r->has_value()) return false;
    *out = std::move(**r);
    return true;
  }
  // GetAfterStepsInto with Get's result.
  absl::StatusOr<std::optional<LookupResult>> GetAfterSteps(
      const HashedKey& key, uint64_t state) const {
    LookupResult result;
    absl::StatusOr<bool> found = GetAfterStepsInto(key, state, &result);
    if (!found.ok()) return found.status();
    if (!*found) return std::nullopt;
    return result;
  }

  virtual std::unique_ptr<TableIterator> NewIterator() const = 0;

  virtual const TableMeta& meta() const = 0;
};

class TableBuilder {
 public:
  virtual ~TableBuilder() = default;

  // Appends a record. REQUIRES: strictly after the previous record in
  // (key asc, seq desc) order; the builder is not finished.
  virtual absl::Status Add(const RecordView& record) = 0;

  // A hint that the records to come take about `bytes` (keys plus values;
  // an upper bound such as the sum of a merge's inputs), so a builder may
  // size its buffers once instead of growing them. Never changes the
  // result; the default ignores it.
  virtual void ExpectBytes(uint64_t /*bytes*/) {}

  // Completes the table (for disk: writes index, filter, footer and syncs).
  // After success the table can be opened by number through its TableStore.
  virtual absl::StatusOr<TableMeta> Finish() = 0;

  // Discards a table that will not be finished (removes partial output).
  virtual void Abandon() = 0;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_TABLE_H_
