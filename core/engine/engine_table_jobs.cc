// The table jobs of EngineImpl's background thread: flushing a stripe's
// immutable memtables into a table, replacing a stripe's oldest table by a
// copy without the versions newer tables overwrote, and merging a stripe's
// tables. engine_background.cc decides when they run.

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/engine/compaction.h"
#include "core/engine/engine_impl.h"
#include "core/engine/table_key_filter.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// While writes drive the background jobs, free heap pages are given back
// only by flushes that dropped overwritten versions from an oldest table
// (so under overwrites, never in a fill), once this much was dropped since
// the last release: the merges and flushes of an overwrite load leave freed
// table buffers between live ones, which the heap keeps resident for good
// (kstone_bench mixed, 1 M items: peak 163-167 -> 159-162 B/item with 1
// thread, 168-174 -> 163 with 2 at 64 MiB; 32 MiB took 1 thread to 156, 2
// threads unchanged; docs/performance.md "Session 7: memory of mixed"). In
// a fill the same releases cost the writer its page faults.
constexpr uint64_t kReleaseWhileWritingBytes = 32 << 20;

// Between merges, a stripe's oldest table keeps every version that newer
// writes overwrote, until the size-tiered rule rewrites it (once the newer
// tables reach half its size): under random overwrites, a third of a
// database's memory. Where the store can copy a table without some keys
// cheaply (TableStore::CanCopyTableWithout, the memory store), each flush
// estimates how many records of the stripe's oldest table it overwrites
// (every kShadowSample-th flushed key looked up in that table's filter), and
// once they reach kShadowedPercent of the table's records it is replaced by
// a copy without the keys of the newer tables (EngineImpl::DropShadowed).
constexpr uint64_t kShadowSample = 8;
constexpr uint64_t kShadowedPercent = 10;

}  // namespace

absl::Status EngineImpl::BuildAndOpenTable(
    uint64_t number, std::vector<std::unique_ptr<TableIterator>> runs,
    uint64_t input_bytes, bool drop_tombstones, std::optional<TableMeta>* meta,
    std::shared_ptr<const Table>* table,
    const std::function<void(const RecordView&)>* on_add) {
  KS_ASSIGN_OR_RETURN(
      *meta, BuildMergedTable(tables_, number, std::move(runs), drop_tombstones,
                              input_bytes, on_add));
  if (!meta->has_value()) return absl::OkStatus();  // everything was dropped
  absl::StatusOr<std::shared_ptr<const Table>> opened =
      tables_->OpenTable(number);
  if (!opened.ok()) {
    tables_->DeleteTable(number).IgnoreError();  // an orphan at worst
    return opened.status();
  }
  *table = std::move(*opened);
  return absl::OkStatus();
}

absl::Status EngineImpl::FlushStripe(uint32_t s) { return FlushStripes({s}); }

namespace {

// One stripe's part of a batched flush, between building its table and
// installing it.
struct PreparedFlush {
  uint32_t stripe = 0;
  std::shared_ptr<const StripeView> view;
  std::vector<std::shared_ptr<MemTable>> mems;
  size_t fold = 0;  // how many of the stripe's newest tables were merged in
  uint64_t flushed_seq = 0;
  uint64_t number = 0;
  std::optional<TableMeta> meta;
  std::shared_ptr<const Table> table;
  // Enough of the stripe's oldest table is overwritten: replace it by a
  // copy without the newer tables' keys once the flush is in (DropShadowed).
  bool drop = false;
  std::shared_ptr<const TableKeyFilter> table_filter;  // for the new view
};

}  // namespace

absl::Status EngineImpl::FlushStripes(const std::vector<uint32_t>& stripes) {
  // The stripes are busy: no other job changes their tables meanwhile.
  // Writers may add immutables in front of the ones taken here.
  std::vector<PreparedFlush> prepared(stripes.size());
  absl::Status status;
  for (size_t p = 0; p < stripes.size() && status.ok(); ++p) {
    PreparedFlush& f = prepared[p];
    f.stripe = stripes[p];
    f.view = stripes_[f.stripe].view();
    f.mems = f.view->immutables;
    const std::vector<std::shared_ptr<const Table>>& below = f.view->tables;
    std::vector<std::unique_ptr<TableIterator>> runs;
    uint64_t flushed_bytes = 0;
    for (const auto& mem : f.mems) {
      runs.push_back(mem->NewIterator());
      f.flushed_seq = std::max(f.flushed_seq, mem->max_seq());
      flushed_bytes += mem->memory_usage();
    }
    // When the new table would take the stripe past max_tables_per_stripe,
    // the flush folds the newest tables in (picked as a compaction would,
    // with the flushed memtables as the newest input), so a flush never
    // leaves more tables than the bound. A separate compaction would only
    // come later, and a background thread behind on its work would leave
    // point reads touching ever more tables in the meantime.
    std::vector<uint64_t> sizes = {flushed_bytes};
    for (const auto& t : below) sizes.push_back(t->meta().bytes);
    const size_t picked =
        PickCompactionInputs(sizes, options_.max_tables_per_stripe, false);
    f.fold = picked > 0 ? picked - 1 : 0;
    uint64_t input_bytes = flushed_bytes;
    for (size_t i = 0; i < f.fold; ++i) {
      runs.push_back(below[i]->NewIterator());
      input_bytes += below[i]->meta().bytes;
    }
    f.number = next_file_number_.fetch_add(1);
    // Counts the flushed records (not those of folded tables, which were
    // counted when they were flushed) that the oldest table also holds.
    const bool track = f.fold < below.size() && tables_->CanCopyTableWithout();
    const Table* base = track ? below.back().get() : nullptr;
    const uint64_t newest_table_seq =
        below.empty() ? 0 : below.front()->meta().max_seq;
    uint64_t sampled = 0;
    uint64_t shadowed = 0;
    // Output folding in every table: a filter of its keys alone; else the
    // current one, with the flushed keys added.
    const bool all_tables = f.fold == below.size();
    TableKeyFilterBuilder next_filter =
        all_tables ? TableKeyFilterBuilder::Rebuild()
                   : TableKeyFilterBuilder::Extend(f.view->table_filter.get());
    const std::function<void(const RecordView&)> on_add =
        [&](const RecordView& r) {
          next_filter.AddKey(r.key);
          if (track && r.seq > newest_table_seq &&
              sampled++ % kShadowSample == 0 && base->MayContain(r.key)) {
            shadowed += kShadowSample;
          }
        };
    // With no table below the output, nothing older can hold a deleted key.
    status = BuildAndOpenTable(f.number, std::move(runs), input_bytes,
                               /*drop_tombstones=*/all_tables, &f.meta,
                               &f.table, &on_add);
    if (status.ok()) f.table_filter = next_filter.Finish();
    if (status.ok() && track) {
      shadowed_[f.stripe] += shadowed;
      if (shadowed_[f.stripe] * 100 >=
          base->meta().entries * kShadowedPercent) {
        f.drop = true;
      }
    }
  }
  // One edit for all the stripes: a single manifest write (and sync).
  ManifestEdit edit;
  if (status.ok()) {
    for (const PreparedFlush& f : prepared) {
      for (size_t i = 0; i < f.fold; ++i) {
        edit.RemoveTable(f.stripe, f.view->tables[i]->meta().number);
      }
      if (f.meta) edit.AddTable(f.stripe, *f.meta);
      edit.SetFlushedSeq(f.stripe, f.flushed_seq);
    }
    edit.SetNextFileNumber(next_file_number_.load());
    edit.SetLastSequence(last_seq_.load());
    status = LogEdit(edit);
  }
  if (!status.ok()) {
    for (const PreparedFlush& f : prepared) {
      // Orphans at worst (removed by the next open).
      if (f.meta) tables_->DeleteTable(f.number).IgnoreError();
    }
    return status;
  }
  for (const PreparedFlush& f : prepared) {
    const size_t below_size = f.view->tables.size();
    size_t tables_now = 0;
    UpdateView(f.stripe, [&](const StripeView& v) {
      StripeView next;
      next.active = v.active;
      // The flushed memtables are the oldest immutables (the tail).
      assert(v.immutables.size() >= f.mems.size());
      next.immutables.assign(v.immutables.begin(),
                             v.immutables.end() - f.mems.size());
      // Only this job changes the stripe's tables, so they are still the
      // ones read above.
      assert(v.tables.size() == below_size);
      (void)below_size;
      if (f.table) next.tables.push_back(f.table);
      next.tables.insert(next.tables.end(), v.tables.begin() + f.fold,
                         v.tables.end());
      next.table_filter = f.table_filter;
      tables_now = next.tables.size();
      return next;
    });
    uint64_t seen = max_tables_seen_.load();
    while (tables_now > seen &&
           !max_tables_seen_.compare_exchange_weak(seen, tables_now)) {
    }
    flushes_.fetch_add(1);
    if (f.fold > 0) compactions_.fetch_add(1);
    ReleaseFlushed(f.mems);
    for (size_t i = 0; i < f.fold; ++i) {
      // As in CompactStripe: readers of older views keep their handles.
      tables_->DeleteTable(f.view->tables[i]->meta().number).IgnoreError();
      dropped_bytes_.fetch_add(f.view->tables[i]->meta().bytes);
    }
    // The oldest table was merged: nothing of it is overwritten yet.
    if (f.fold == below_size) shadowed_[f.stripe] = 0;
  }
  // Let go of what the batch's flushes replaced before the copies below
  // start: `prepared` holds the flushed memtables and the stripes' views
  // from before the flush (with the folded tables and each stripe's oldest
  // table). While it did, each copy's original stayed alive until the
  // batch's last copy was done: up to 16 replaced oldest tables (~0.5 MB
  // each in a 1 M-item database) and the batch's flushed memtables, the
  // RSS spikes of an overwrite load (docs/performance.md "Session 11:
  // memory of mixed").
  for (PreparedFlush& f : prepared) {
    f.view.reset();
    f.mems.clear();
    f.table.reset();
  }
  // One stripe at a time, so that at most one copy lives beside its
  // original.
  bool replaced = false;
  for (const PreparedFlush& f : prepared) {
    if (!f.drop) continue;
    KS_ASSIGN_OR_RETURN(const bool done, DropShadowed(f.stripe));
    // Copied, or all overwritten and left to the merges: count anew.
    shadowed_[f.stripe] = 0;
    replaced = replaced || done;
  }
  if (replaced && dropped_bytes_.load() >= kReleaseWhileWritingBytes) {
    MaybeReleaseFreeMemory(/*all=*/true);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> EngineImpl::DropShadowed(uint32_t s) {
  const std::shared_ptr<const StripeView> view = stripes_[s].view();
  const std::vector<std::shared_ptr<const Table>>& tables = view->tables;
  if (tables.size() < 2) return false;
  const Table& base = *tables.back();
  std::vector<std::string> keys;
  for (size_t i = 0; i + 1 < tables.size(); ++i) {
    const std::unique_ptr<TableIterator> it = tables[i]->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key = it->record().key;
      if (base.MayContain(key)) keys.emplace_back(key);
    }
    KS_RETURN_IF_ERROR(it->status());
  }
  const uint64_t number = next_file_number_.fetch_add(1);
  KS_ASSIGN_OR_RETURN(
      const std::optional<TableMeta> meta,
      tables_->CopyTableWithout(base.meta().number, number, keys));
  // Every key overwritten: the table stays, for the merges, which also drop
  // the newer tables' tombstones once it is among their inputs (without it,
  // a newest table holding tombstones could be the stripe's only table).
  if (!meta.has_value()) return false;
  absl::StatusOr<std::shared_ptr<const Table>> copy =
      tables_->OpenTable(number);
  absl::Status status = copy.status();
  if (status.ok()) {
    ManifestEdit edit;
    edit.RemoveTable(s, base.meta().number);
    edit.AddTable(s, *meta);
    edit.SetNextFileNumber(next_file_number_.load());
    status = LogEdit(edit);
  }
  if (!status.ok()) {
    tables_->DeleteTable(number).IgnoreError();  // an orphan at worst
    return status;
  }
  UpdateView(s, [&](const StripeView& v) {
    StripeView next;
    next.active = v.active;
    next.immutables = v.immutables;
    // Only this job changes the stripe's tables, so they are still `tables`.
    assert(v.tables.size() == tables.size());
    next.tables = v.tables;
    next.tables.back() = *copy;
    next.table_filter = v.table_filter;  // (the copy holds fewer keys)
    return next;
  });
  // Readers holding an older view keep reading the open handle.
  tables_->DeleteTable(base.meta().number).IgnoreError();
  dropped_bytes_.fetch_add(base.meta().bytes);
  return true;
}

void EngineImpl::ReleaseFlushed(
    const std::vector<std::shared_ptr<MemTable>>& mems) {
  uint64_t bytes = 0;
  for (const auto& mem : mems) bytes += mem->memory_usage();
  dropped_bytes_.fetch_add(bytes);
  immutable_bytes_.fetch_sub(bytes);
  memtable_bytes_.fetch_sub(bytes);
  absl::MutexLock lock(&mu_);
  for (const auto& mem : mems) immutable_ids_.erase(mem->id());
  done_cv_.SignalAll();  // after the subtraction: see WaitForMemtableRoom
}

absl::Status EngineImpl::CompactStripe(uint32_t s, bool full) {
  const std::shared_ptr<const StripeView> view = stripes_[s].view();
  const std::vector<std::shared_ptr<const Table>>& tables = view->tables;
  std::vector<uint64_t> sizes;
  for (const auto& t : tables) sizes.push_back(t->meta().bytes);
  const size_t k =
      PickCompactionInputs(sizes, options_.max_tables_per_stripe, full);
  if (k == 0) return absl::OkStatus();
  std::vector<std::unique_ptr<TableIterator>> runs;
  uint64_t input_bytes = 0;
  for (size_t i = 0; i < k; ++i) {
    runs.push_back(tables[i]->NewIterator());
    input_bytes += tables[i]->meta().bytes;
  }
  const uint64_t number = next_file_number_.fetch_add(1);
  std::optional<TableMeta> meta;
  std::shared_ptr<const Table> output;
  // The inputs are the newest k tables; if they are all of them, nothing
  // older can hold a key, so tombstones go, and the tables' filter is built
  // anew from the output's keys. (A partial merge leaves the same keys: the
  // filter stays.)
  const bool all_tables = k == tables.size();
  TableKeyFilterBuilder next_filter = TableKeyFilterBuilder::Rebuild();
  const std::function<void(const RecordView&)> on_add =
      [&](const RecordView& r) { next_filter.AddKey(r.key); };
  KS_RETURN_IF_ERROR(BuildAndOpenTable(number, std::move(runs), input_bytes,
                                       /*drop_tombstones=*/all_tables, &meta,
                                       &output,
                                       all_tables ? &on_add : nullptr));
  std::shared_ptr<const TableKeyFilter> table_filter =
      all_tables ? next_filter.Finish() : view->table_filter;
  ManifestEdit edit;
  for (size_t i = 0; i < k; ++i) edit.RemoveTable(s, tables[i]->meta().number);
  if (meta) edit.AddTable(s, *meta);
  edit.SetNextFileNumber(next_file_number_.load());
  absl::Status status = LogEdit(edit);
  if (!status.ok()) {
    if (meta) tables_->DeleteTable(number).IgnoreError();  // orphan at worst
    return status;
  }
  UpdateView(s, [&](const StripeView& v) {
    StripeView next;
    next.active = v.active;
    next.immutables = v.immutables;
    // Only this job changes the stripe's tables, so they are still `tables`.
    assert(v.tables.size() == tables.size());
    if (output) next.tables.push_back(output);
    next.tables.insert(next.tables.end(), v.tables.begin() + k, v.tables.end());
    next.table_filter = std::move(table_filter);
    return next;
  });
  compactions_.fetch_add(1);
  if (all_tables) shadowed_[s] = 0;  // the oldest table was merged
  for (size_t i = 0; i < k; ++i) {
    // Readers holding an older view keep reading the open handles. A failed
    // delete leaves an orphan, which the next open removes.
    tables_->DeleteTable(tables[i]->meta().number).IgnoreError();
  }
  dropped_bytes_.fetch_add(input_bytes);
  return absl::OkStatus();
}

}  // namespace kstone::core
