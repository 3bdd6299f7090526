#include "core/engine/engine_impl.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/engine/merging_iterator.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// An iterator over nothing that reports an error (a bad stripe index).
class ErrorIterator final : public EngineIterator {
 public:
  explicit ErrorIterator(absl::Status status) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(std::string_view) override {}
  void SeekForPrev(std::string_view) override {}
  void Next() override {}
  void Prev() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  absl::Status status() const override { return status_; }

 private:
  const absl::Status status_;
};

// A memtable's key filter gets 16 bits per record for the records a stripe's
// active memtable usually holds: memtables are switched once the active ones
// together pass half the memory cap (MakeRoom), and records take at least
// ~64 bytes. Between 512 bytes and 64 KiB per memtable.
size_t MemTableFilterBytes(const EngineOptions& options) {
  const uint64_t records = options.total_memtable_bytes / 2 / kStripeCount / 64;
  return static_cast<size_t>(
      std::clamp<uint64_t>(records * 16 / 8, 512, 64 << 10));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(
    std::unique_ptr<Storage> storage, const EngineOptions& options) {
  KS_RETURN_IF_ERROR(options.Validate());
  if (storage == nullptr) {
    return absl::InvalidArgumentError("engine: Open without storage");
  }
  auto engine = std::make_unique<EngineImpl>(std::move(storage), options);
  KS_RETURN_IF_ERROR(engine->Start());
  return std::unique_ptr<Engine>(std::move(engine));
}

EngineImpl::EngineImpl(std::unique_ptr<Storage> storage,
                       const EngineOptions& options)
    : options_(options),
      storage_(std::move(storage)),
      wal_(storage_->wal()),
      tables_(storage_->tables()),
      rotate_bytes_(
          std::max<uint64_t>(options.total_memtable_bytes / 8, 64 * 1024)),
      wal_limit_bytes_(
          std::max<uint64_t>(options.total_memtable_bytes, 1 << 20)),
      memtable_filter_bytes_(MemTableFilterBytes(options)),
      idle_compaction_ms_(options.idle_compaction_ms) {}

std::shared_ptr<MemTable> EngineImpl::NewMemTable() {
  return std::make_shared<MemTable>(next_memtable_id_.fetch_add(1),
                                    memtable_filter_bytes_);
}

EngineImpl::~EngineImpl() {
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    work_cv_.SignalAll();
    done_cv_.SignalAll();
    sync_cv_.SignalAll();
  }
  // A running flush or compaction finishes first; queued ones are abandoned
  // (their data stays in the WAL).
  for (std::thread& t : threads_) t.join();
  if (options_.sync_mode != SyncMode::kEveryCommit && !has_error_.load()) {
    // Best effort on a clean close: nothing can report an error any more,
    // and the data is at worst as durable as the sync mode promised.
    wal_->Sync().IgnoreError();
  }
}

absl::Status EngineImpl::Start() {
  KS_RETURN_IF_ERROR(Recover());
  for (int i = 0; i < options_.background_threads; ++i) {
    threads_.emplace_back([this] { BackgroundLoop(); });
  }
  if (options_.sync_mode == SyncMode::kInterval) {
    threads_.emplace_back([this] { SyncLoop(); });
  }
  if (options_.sync_mode == SyncMode::kNone) {
    // One write() per commit costs more than the rest of a small write;
    // under kNone the WAL may hold records in this process for about a
    // millisecond (decisions.md, "kNone buffers the WAL").
    wal_->BufferUnsyncedAppends(absl::Milliseconds(1));
  }
  return absl::OkStatus();
}

absl::Status EngineImpl::error() const {
  absl::MutexLock lock(&error_mu_);
  return error_;
}

void EngineImpl::SetError(const absl::Status& status) {
  if (status.ok()) return;
  {
    absl::MutexLock lock(&error_mu_);
    if (!error_.ok()) return;
    error_ = status;
    has_error_.store(true);
  }
  // Wake writers waiting for room and callers waiting for flushes.
  absl::MutexLock lock(&mu_);
  done_cv_.SignalAll();
}

void EngineImpl::PrefetchProbes(const StripeView& view, const HashedKey& key,
                                bool likely_absent) {
  view.active->PrefetchFilter(key.hash);
  for (const auto& mem : view.immutables) mem->PrefetchFilter(key.hash);
  if (view.table_filter != nullptr) {
    view.table_filter->Prefetch(key.hash);
    if (likely_absent) return;
  }
  for (const auto& table : view.tables) table->Prefetch(key);
}

absl::StatusOr<std::optional<std::string>> EngineImpl::GetFromView(
    const StripeView& view, const HashedKey& key, bool prefetch,
    const uint64_t* steps) const {
  using Result = absl::StatusOr<std::optional<std::string>>;
  if (steps != nullptr) {
    LookupResult r;
    absl::StatusOr<bool> found = GetSteppedInto(view, key, steps, &r);
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<std::string>();
    return Result(absl::in_place, std::move(r.value));
  }
  // The value goes into the result in place: a move per wrapper (optional,
  // StatusOr) cost as much as the rest of the read's bookkeeping.
  auto from_lookup = [](LookupResult& r) -> Result {
    if (r.type == RecordType::kDeletion) return std::optional<std::string>();
    return Result(absl::in_place, std::move(r.value));
  };
  // Most of a point read's time is these misses.
  if (prefetch) PrefetchProbes(view, key);
  if (std::optional<LookupResult> r = view.active->Get(key.key, key.hash)) {
    return from_lookup(*r);
  }
  for (const auto& mem : view.immutables) {
    if (std::optional<LookupResult> r = mem->Get(key.key, key.hash)) {
      return from_lookup(*r);
    }
  }
  if (view.table_filter != nullptr &&
      !view.table_filter->MayContain(key.hash)) {
    return std::optional<std::string>();
  }
  for (size_t i = 0; i < view.tables.size(); ++i) {
    // A table consults its filter (or hash index) first.
    absl::StatusOr<std::optional<LookupResult>> r =
        view.tables[i]->GetHashed(key);
    if (!r.ok()) return r.status();
    if (r->has_value()) return from_lookup(**r);
  }
  return std::optional<std::string>();
}

absl::StatusOr<bool> EngineImpl::GetSteppedInto(const StripeView& view,
                                                const HashedKey& key,
                                                const uint64_t* steps,
                                                LookupResult* out) const {
  // ReadModifyWrite's walk to where `key` goes has found where it is, too:
  // the active memtable needs no search.
  bool found = view.active->GetPreparedInto(key.key, out);
  if (!found) {
    for (const auto& mem : view.immutables) {
      if (std::optional<LookupResult> r = mem->Get(key.key, key.hash)) {
        *out = std::move(*r);
        found = true;
        break;
      }
    }
  }
  // (No look at the tables' filter: a read-modify-write reads a key that
  // is likely there, whose lines in the tables its steps have loaded.
  // The filter would only cost its instructions, ~25 per Update.)
  for (size_t i = 0; !found && i < view.tables.size(); ++i) {
    absl::StatusOr<bool> in_table =
        view.tables[i]->GetAfterStepsInto(key, steps[i], out);
    if (!in_table.ok()) return in_table.status();
    found = *in_table;
  }
  return found && out->type != RecordType::kDeletion;
}

absl::StatusOr<std::optional<std::string>> EngineImpl::Get(
    std::string_view key) const {
  if (key.empty()) return absl::InvalidArgumentError("engine: empty key");
  const std::shared_ptr<const StripeView> view =
      stripes_[StripeOfKey(key)].view();
  return GetFromView(*view, HashedKey(key), /*prefetch=*/true);
}

std::unique_ptr<EngineIterator> EngineImpl::NewIterator(uint32_t stripe) const {
  if (stripe >= static_cast<uint32_t>(kStripeCount)) {
    return std::make_unique<ErrorIterator>(absl::InvalidArgumentError(
        absl::StrCat("engine: stripe ", stripe, " out of range")));
  }
  const Stripe& s = stripes_[stripe];
  // Load the snapshot before the view: everything with seq <= snapshot was
  // applied before, so it is in this view's memtables or tables.
  const uint64_t snapshot = s.applied_seq.load(std::memory_order_acquire);
  std::shared_ptr<const StripeView> view = s.view();
  TableIterators children;
  children.reserve(1 + view->immutables.size() + view->tables.size());
  // An empty memtable adds nothing but a seek to every move. (The active
  // memtable may fill after this check, but only with records newer than
  // `snapshot`, which the iterator would skip anyway.)
  if (!view->active->empty()) children.push_back(view->active->NewIterator());
  for (const auto& mem : view->immutables) {
    if (!mem->empty()) children.push_back(mem->NewIterator());
  }
  for (const auto& table : view->tables) {
    children.push_back(table->NewIterator());
  }
  return NewLiveIterator(std::move(children), snapshot, std::move(view));
}

std::string EngineImpl::metadata() const {
  absl::MutexLock lock(&manifest_mu_);
  return manifest_.metadata();
}

absl::Status EngineImpl::SetMetadata(std::string metadata) {
  KS_RETURN_IF_ERROR(error());
  ManifestEdit edit;
  edit.SetMetadata(std::move(metadata));
  absl::Status status = LogEdit(edit);
  SetError(status);
  return status;
}

EngineStats EngineImpl::Stats() const {
  EngineStats stats;
  stats.last_sequence = last_seq_.load();
  stats.memtable_bytes = memtable_bytes_.load();
  for (const Stripe& s : stripes_) {
    const std::shared_ptr<const StripeView> view = s.view();
    uint64_t records = view->active->records();
    for (const auto& mem : view->immutables) records += mem->records();
    stats.memtable_records += records;
    for (const auto& table : view->tables) {
      ++stats.tables;
      stats.table_bytes += table->meta().bytes;
      stats.table_entries += table->meta().entries;
    }
    if (records > 0 || !view->tables.empty()) ++stats.stripes_in_use;
    if (view->table_filter != nullptr) {
      ++stats.table_filters;
      stats.table_filter_bytes += view->table_filter->memory_bytes();
    }
  }
  const WalStats wal = wal_->stats();
  stats.wal_bytes = wal.bytes;
  stats.wal_segments = wal.segments;
  stats.flushes = flushes_.load();
  stats.compactions = compactions_.load();
  return stats;
}

}  // namespace kstone::core
