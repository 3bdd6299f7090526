#ifndef KSTONE_CORE_ENGINE_COMPACTION_H_
#define KSTONE_CORE_ENGINE_COMPACTION_H_

// Building tables from merged runs (flush and compaction), and the
// compaction policy. The policy and its read bound are described in
// docs/architecture.md ("Compaction policy").
//
// Thread safety: pure functions; the arguments must not be shared with
// another thread during the call.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "core/storage/table.h"
#include "core/storage/table_store.h"

namespace kstone::core {

// How many of a stripe's tables to merge, counted from the newest: 0 for
// none. `sizes` are the tables' bytes, newest first. Size-tiered: when the
// stripe holds more than `max_tables`, merge the newest n - max_tables + 1
// tables (so at most max_tables remain), then keep adding the next older
// table while it is no larger than twice what is already chosen, so that
// big old tables are rewritten rarely. `full` merges all tables (if > 1).
size_t PickCompactionInputs(const std::vector<uint64_t>& sizes, int max_tables,
                            bool full);

// Writes table `number` into `store` from `runs` (any order; each in
// (key asc, seq desc) order): the newest record of every key, dropping
// tombstones when `drop_tombstones` (nothing older than the runs can hold the
// key). Returns the finished table's meta, or nullopt if nothing was left to
// write (no table is created then). On failure the partial table is
// abandoned. `input_bytes` (the inputs' sizes summed, 0 if unknown) is passed
// to the builder as TableBuilder::ExpectBytes. `on_add`, if not null, is
// called with every record added to the table.
absl::StatusOr<std::optional<TableMeta>> BuildMergedTable(
    TableStore* store, uint64_t number,
    std::vector<std::unique_ptr<TableIterator>> runs, bool drop_tombstones,
    uint64_t input_bytes = 0,
    const std::function<void(const RecordView&)>* on_add = nullptr);

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_COMPACTION_H_
