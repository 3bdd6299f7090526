// Recovery at open: the manifest, the tables it lists, orphan tables, then
// the WAL replayed into memtables.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/engine/engine_impl.h"
#include "core/util/status_macros.h"

namespace kstone::core {

absl::Status EngineImpl::Recover() {
  for (uint32_t s = 0; s < static_cast<uint32_t>(kStripeCount); ++s) {
    auto mem = NewMemTable();
    MutexLock lock(&stripes_[s].write_mu);
    stripes_[s].active = mem;
    auto view = std::make_shared<StripeView>();
    view->active = mem;
    stripes_[s].set_view(std::move(view));
  }
  ManifestState state;
  KS_RETURN_IF_ERROR(LoadManifest(&state));
  KS_RETURN_IF_ERROR(OpenTables(state));
  KS_RETURN_IF_ERROR(DeleteOrphans(state));
  KS_RETURN_IF_ERROR(ReplayWal(state));

  // Sequence numbers continue after everything ever assigned: the manifest's
  // record (which covers tables whose newest records were dropped by
  // compaction), every flushed stripe, and the WAL.
  uint64_t last = std::max(state.last_sequence(), recovery_report_.max_seq);
  for (uint32_t s = 0; s < static_cast<uint32_t>(kStripeCount); ++s) {
    last = std::max(last, state.stripe(s).flushed_seq);
    for (const TableMeta& meta : state.stripe(s).tables) {
      last = std::max(last, meta.max_seq);
    }
  }
  last_seq_.store(last);
  for (Stripe& stripe : stripes_) stripe.applied_seq.store(last);

  // Start a compact manifest holding only the recovered state.
  ManifestEdit snapshot = state.Snapshot();
  snapshot.SetNextFileNumber(next_file_number_.load());
  snapshot.SetLastSequence(last);
  {
    absl::MutexLock lock(&manifest_mu_);
    KS_RETURN_IF_ERROR(manifest_.Apply(snapshot));
    KS_RETURN_IF_ERROR(tables_->manifest()->Rewrite(
        {snapshot.Encode(), ManifestEdit().Encode()}));
  }

  // Close the replayed segments: they become epoch 0, deleted once the
  // replayed memtables (tagged with epoch 0) are flushed.
  KS_RETURN_IF_ERROR(RotateWal());
  KS_RETURN_IF_ERROR(CollectWalSegments());
  return absl::OkStatus();
}

absl::Status EngineImpl::LoadManifest(ManifestState* state) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> records,
                      tables_->manifest()->ReadAll());
  if (records.empty()) {
    // A manifest is never empty once written (see LogEdit): if tables exist
    // without one, its only record was lost, and opening would delete them
    // as orphans.
    KS_ASSIGN_OR_RETURN(std::vector<uint64_t> present, tables_->ListTables());
    if (!present.empty()) {
      return absl::DataLossError(absl::StrCat(
          "manifest of ", storage_->description(), " is empty but ",
          present.size(), " tables exist (the manifest was damaged)"));
    }
  }
  for (size_t i = 0; i < records.size(); ++i) {
    absl::StatusOr<ManifestEdit> edit = ManifestEdit::Decode(records[i]);
    absl::Status status = edit.ok() ? state->Apply(*edit) : edit.status();
    if (!status.ok()) {
      return absl::DataLossError(
          absl::StrCat("manifest of ", storage_->description(), ": record ", i,
                       ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status EngineImpl::OpenTables(const ManifestState& state) {
  uint64_t max_number = 0;
  for (uint32_t s = 0; s < static_cast<uint32_t>(kStripeCount); ++s) {
    std::vector<std::shared_ptr<const Table>> opened;
    for (const TableMeta& meta : state.stripe(s).tables) {
      absl::StatusOr<std::shared_ptr<const Table>> table =
          tables_->OpenTable(meta.number);
      if (!table.ok()) {
        if (absl::IsNotFound(table.status())) {
          return absl::DataLossError(
              absl::StrCat("engine: table ", meta.number, " of stripe ", s,
                           " is listed in the manifest but missing: ",
                           table.status().message()));
        }
        return table.status();
      }
      opened.push_back(std::move(*table));
      max_number = std::max(max_number, meta.number);
    }
    UpdateView(s, [&](const StripeView& v) {
      StripeView next = v;
      next.tables = opened;  // newest first, as the manifest keeps them
      // No filter over the tables' keys: building one would read every
      // key. The stripe's first merge of all its tables builds it.
      next.table_filter = nullptr;
      return next;
    });
  }
  next_file_number_.store(std::max(state.next_file_number(), max_number + 1));
  return absl::OkStatus();
}

absl::Status EngineImpl::DeleteOrphans(const ManifestState& state) {
  std::set<uint64_t> live;
  for (uint32_t s = 0; s < static_cast<uint32_t>(kStripeCount); ++s) {
    for (const TableMeta& meta : state.stripe(s).tables) {
      live.insert(meta.number);
    }
  }
  KS_ASSIGN_OR_RETURN(std::vector<uint64_t> present, tables_->ListTables());
  uint64_t max_number = 0;
  for (uint64_t number : present) {
    max_number = std::max(max_number, number);
    // Left by a flush or compaction interrupted before its manifest edit.
    if (!live.contains(number)) {
      KS_RETURN_IF_ERROR(tables_->DeleteTable(number));
    }
  }
  // Never reuse a number, even an orphan's.
  if (max_number + 1 > next_file_number_.load()) {
    next_file_number_.store(max_number + 1);
  }
  return absl::OkStatus();
}

absl::Status EngineImpl::ReplayWal(const ManifestState& state) {
  KS_ASSIGN_OR_RETURN(recovery_report_,
                      wal_->Replay([&](const WriteBatch& batch) {
                        return ReplayBatch(state, batch);
                      }));
  return absl::OkStatus();
}

absl::Status EngineImpl::ReplayBatch(const ManifestState& state,
                                     const WriteBatch& batch)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  // Single-threaded: the background threads have not started, so the stripe
  // locks are not needed (SwitchMemtableLocked's bookkeeping still runs).
  for (size_t i = 0; i < batch.mutations.size(); ++i) {
    const Mutation& m = batch.mutations[i];
    const uint64_t seq = batch.first_seq + i;
    if (m.key.empty() || seq > MemTable::kMaxSeq) {
      return absl::DataLossError(
          absl::StrCat("engine: WAL batch at seq ", batch.first_seq,
                       " holds an invalid mutation ", i));
    }
    const uint32_t s = StripeOfKey(m.key);
    // Already in a table: the flush that wrote it recorded its seq.
    if (seq <= state.stripe(s).flushed_seq) continue;
    Stripe& stripe = stripes_[s];
    MemTable* mem = stripe.active.get();
    const uint64_t before = mem->memory_usage();
    mem->NoteEpoch(0);
    mem->Add(seq, m.type, m.key, m.value);
    memtable_bytes_.fetch_add(mem->memory_usage() - before);
    stripe.active_bytes.store(mem->memory_usage());
    if (mem->records() >= options_.memtable_max_records_per_stripe ||
        mem->memory_usage() >= options_.memtable_max_bytes_per_stripe) {
      SwitchMemtableLocked(s);
    }
  }
  return absl::OkStatus();
}

}  // namespace kstone::core
