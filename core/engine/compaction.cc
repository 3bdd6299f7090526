#include "core/engine/compaction.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/engine/merging_iterator.h"
#include "core/util/status_macros.h"

namespace kstone::core {

size_t PickCompactionInputs(const std::vector<uint64_t>& sizes, int max_tables,
                            bool full) {
  const size_t n = sizes.size();
  if (full) return n > 1 ? n : 0;
  const size_t limit = max_tables < 1 ? 1 : static_cast<size_t>(max_tables);
  if (n <= limit) return 0;
  size_t k = n - limit + 1;
  uint64_t chosen = 0;
  for (size_t i = 0; i < k; ++i) chosen += sizes[i];
  while (k < n && sizes[k] <= 2 * chosen) {
    chosen += sizes[k];
    ++k;
  }
  return k;
}

absl::StatusOr<std::optional<TableMeta>> BuildMergedTable(
    TableStore* store, uint64_t number,
    std::vector<std::unique_ptr<TableIterator>> runs, bool drop_tombstones,
    uint64_t input_bytes,
    const std::function<void(const RecordView&)>* on_add) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<TableBuilder> builder,
                      store->NewTable(number));
  if (input_bytes > 0) builder->ExpectBytes(input_bytes);
  RecordMerger merger(std::move(runs));
  std::string last_key;
  bool have_last = false;
  uint64_t added = 0;
  absl::Status status;
  for (merger.SeekToFirst(); merger.Valid(); merger.Next()) {
    const RecordView r = merger.record();
    // Records of a key come newest first: keep only the first.
    if (have_last && r.key == last_key) continue;
    last_key.assign(r.key);
    have_last = true;
    if (r.type == RecordType::kDeletion && drop_tombstones) continue;
    status = builder->Add(r);
    if (!status.ok()) break;
    if (on_add != nullptr) (*on_add)(r);
    ++added;
  }
  if (status.ok()) status = merger.status();
  if (!status.ok() || added == 0) {
    builder->Abandon();
    if (!status.ok()) return status;
    return std::optional<TableMeta>();
  }
  absl::StatusOr<TableMeta> meta = builder->Finish();
  if (!meta.ok()) {
    builder->Abandon();
    return meta.status();
  }
  return std::optional<TableMeta>(std::move(*meta));
}

}  // namespace kstone::core
