// The write path of EngineImpl: Write, WriteLocked, back-pressure and
// memtable switches. See stripe.h for how writers are serialised.

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "core/engine/engine_impl.h"
#include "core/util/same_bytes.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// Keys up to this long are copied where a write keeps one while its check
// function runs (typical engine keys are a few dozen bytes).
constexpr size_t kCopiedKeyBytes = 96;

}  // namespace

// Reads the stripes a WriteLocked call holds. Valid only during its CheckFn.
class EngineImpl::LockedReaderImpl final : public LockedReader {
 public:
  // `view`, if given, is the current view of stripes[0], loaded under its
  // lock (so no later write can change it before the unlock), for a write
  // of one stripe: reads use it instead of loading the view again.
  // `known`, if not null: the first locked key with its hash, in bytes
  // that stay as they are while the reader lives (the check function may
  // move the caller's key), which a read of that key takes instead of
  // hashing it again, with the lookup states `steps` (if not null) that
  // OverlapReadAndInsert left for it.
  LockedReaderImpl(const EngineImpl* engine, absl::Span<const uint32_t> stripes,
                   const StripeView* view, const HashedKey* known,
                   const uint64_t* steps)
      : engine_(engine),
        stripes_(stripes),
        view_(view),
        known_(known),
        steps_(known != nullptr ? steps : nullptr) {}

  absl::StatusOr<std::optional<std::string>> Get(
      std::string_view key) const override {
    return Read(key, /*prefetch=*/true);
  }
  absl::StatusOr<std::optional<std::string>> GetPrefetched(
      std::string_view key) const override {
    return Read(key, /*prefetch=*/false);
  }
  absl::StatusOr<bool> GetPrefetchedInto(std::string_view key,
                                         std::string* value) const override {
    KS_ASSIGN_OR_RETURN(const uint32_t s, LockedStripeOf(key));
    if (IsStepped(key, s)) {
      // The tables write into value's memory.
      LookupResult r;
      r.value.swap(*value);
      absl::StatusOr<bool> found =
          engine_->GetSteppedInto(*view_, *known_, steps_, &r);
      value->swap(r.value);
      return found;
    }
    KS_ASSIGN_OR_RETURN(std::optional<std::string> read,
                        Read(key, /*prefetch=*/false));
    if (!read.has_value()) return false;
    *value = std::move(*read);
    return true;
  }

 private:
  // The stripe of `key`, which must be one of the locked ones.
  absl::StatusOr<uint32_t> LockedStripeOf(std::string_view key) const {
    if (key.empty()) return absl::InvalidArgumentError("engine: empty key");
    const uint32_t s = StripeOfKey(key);
    if (!std::binary_search(stripes_.begin(), stripes_.end(), s)) {
      assert(false && "LockedReader::Get of a key outside the locked stripes");
      return absl::FailedPreconditionError(
          absl::StrCat("engine: LockedReader::Get of a key in stripe ", s,
                       ", which the write did not lock"));
    }
    return s;
  }

  bool IsKnown(std::string_view key) const {
    return known_ != nullptr && SameBytes(key, known_->key);
  }
  // Whether the read of `key` (in stripe s) can use the lookup states that
  // OverlapReadAndInsert left.
  bool IsStepped(std::string_view key, uint32_t s) const {
    return steps_ != nullptr && view_ != nullptr && s == stripes_[0] &&
           IsKnown(key);
  }

  absl::StatusOr<std::optional<std::string>> Read(std::string_view key,
                                                  bool prefetch) const {
    KS_ASSIGN_OR_RETURN(const uint32_t s, LockedStripeOf(key));
    const HashedKey hashed =
        IsKnown(key) ? HashedKey(key, known_->hash) : HashedKey(key);
    if (view_ != nullptr && s == stripes_[0]) {
      return engine_->GetFromView(*view_, hashed, prefetch,
                                  IsStepped(key, s) ? steps_ : nullptr);
    }
    return engine_->GetFromView(*engine_->stripes_[s].view(), hashed, prefetch);
  }

  const EngineImpl* const engine_;
  const absl::Span<const uint32_t> stripes_;
  const StripeView* const view_;
  const HashedKey* const known_;
  const uint64_t* const steps_;
};

void EngineImpl::Prefetch(std::string_view key) const {
  // The probes GetFromView starts right before it probes; issued earlier,
  // their misses overlap the caller's work instead of stalling the read.
  PrefetchHandle unused;
  PrefetchForWrite(key, &unused);
}

void EngineImpl::PrefetchForWrite(std::string_view key,
                                  PrefetchHandle* handle) const {
  PrefetchKey(key, /*likely_absent=*/false, handle);
}

void EngineImpl::PrefetchForInsert(std::string_view key,
                                   PrefetchHandle* handle) const {
  PrefetchKey(key, /*likely_absent=*/true, handle);
}

void EngineImpl::PrefetchKey(std::string_view key, bool likely_absent,
                             PrefetchHandle* handle) const {
  if (key.empty()) return;
  std::shared_ptr<const StripeView> view = stripes_[StripeOfKey(key)].view();
  const HashedKey hashed(key);
  PrefetchProbes(*view, hashed, likely_absent);
  handle->loaded_ = std::move(view);
  handle->Remember(hashed);
}

std::shared_ptr<const StripeView> EngineImpl::LockedViewOf(
    uint32_t s, PrefetchHandle* handle) const {
  if (handle != nullptr && handle->loaded_ != nullptr &&
      stripes_[s].current_address.load(std::memory_order_acquire) ==
          handle->loaded_.get()) {
    // Still current: taken as it is (no view_mu, no count taken). A write
    // that replaces the view needs this write_mu, which the caller holds;
    // a background job's replacement can come at any time, before the
    // check or after it, and holds the same records.
    return std::static_pointer_cast<const StripeView>(
        std::move(handle->loaded_));
  }
  if (handle != nullptr) handle->loaded_.reset();
  return stripes_[s].view();
}

void EngineImpl::OverlapReadAndInsert(
    const StripeView& view, const HashedKey& key,
    absl::InlinedVector<uint64_t, 4>* states) {
  // One lookup state per table (a stripe rarely has more than a few; push
  // backs within the inline capacity cost less than assign's generic fill).
  states->clear();
  for (size_t i = 0; i < view.tables.size(); ++i) states->push_back(0);
  // Step 1 once the walk has loaded its first node and step 2 at its
  // third: by then the index slot that Engine::Prefetch started loading
  // before the lock has had a node's worth of misses to arrive, and a
  // memory table's offset entries two (a table whose slots hold record
  // offsets starts the record at step 1 and has nothing left for step 2).
  // (Measured: a step at every level came too early, the first levels being
  // short; steps at nodes 1 and 3 beat 0 and 2, and 2 and 4-5; with offset
  // slots, step 1 at nodes 2-4 did no better than at node 1.)
  static constexpr int kStepNodes[] = {1, 3};
  // (A stripe without tables has no lookup to advance.)
  const absl::Span<const int> step_nodes =
      states->empty() ? absl::Span<const int>() : kStepNodes;
  view.active->PrepareAdd(key.key, step_nodes, [&] {
    for (size_t i = 0; i < states->size(); ++i) {
      view.tables[i]->PrefetchStep(key, &(*states)[i]);
    }
  });
}

absl::StatusOr<std::vector<uint32_t>> EngineImpl::StripesOf(
    absl::Span<const std::string_view> keys) {
  std::vector<uint32_t> stripes;
  stripes.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("engine: key ", i, " of the write is empty"));
    }
    stripes.push_back(StripeOfKey(keys[i]));
  }
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  return stripes;
}

// The set of locks depends on the batch, which the thread-safety analysis
// cannot follow; the order (increasing stripe index) is what prevents
// deadlock.
void EngineImpl::LockStripes(absl::Span<const uint32_t> stripes)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (uint32_t s : stripes) stripes_[s].write_mu.Lock();
}

void EngineImpl::UnlockStripes(absl::Span<const uint32_t> stripes)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  for (auto it = stripes.rbegin(); it != stripes.rend(); ++it) {
    stripes_[*it].write_mu.Unlock();
  }
}

absl::Status EngineImpl::WaitForMemtableRoom() {
  const uint64_t cap = options_.total_memtable_bytes;
  if (memtable_bytes_.load(std::memory_order_relaxed) < cap) {
    return absl::OkStatus();
  }
  RequestMaintenance(/*rotate=*/false, /*make_room=*/true);
  stalls_.fetch_add(1);
  absl::MutexLock lock(&mu_);
  // Flushes subtract from memtable_bytes_ and then signal done_cv_ under mu_,
  // so a decrease cannot slip between the check and the wait.
  while (memtable_bytes_.load() >= cap && !has_error_.load() &&
         !shutting_down_) {
    done_cv_.Wait(&mu_);
  }
  return absl::OkStatus();
}

absl::Status EngineImpl::Write(WriteBatch batch) {
  if (batch.mutations.empty()) return absl::OkStatus();
  if (batch.mutations.size() == 1) {
    // One key, one stripe: no key or stripe lists to build.
    const std::string& key = batch.mutations[0].key;
    if (key.empty()) {
      return absl::InvalidArgumentError("engine: key 0 of the write is empty");
    }
    const uint32_t stripe[1] = {StripeOfKey(key)};
    KS_RETURN_IF_ERROR(WaitForMemtableRoom());
    LockStripes(stripe);
    absl::Status status = CommitLocked(stripe, &batch.mutations);
    UnlockStripes(stripe);
    return status;
  }
  std::vector<std::string_view> keys;
  keys.reserve(batch.mutations.size());
  for (const Mutation& m : batch.mutations) keys.push_back(m.key);
  KS_ASSIGN_OR_RETURN(std::vector<uint32_t> stripes, StripesOf(keys));
  KS_RETURN_IF_ERROR(WaitForMemtableRoom());
  LockStripes(stripes);
  absl::Status status = CommitLocked(stripes, &batch.mutations);
  UnlockStripes(stripes);
  return status;
}

absl::Status EngineImpl::WriteLocked(
    absl::Span<const std::string_view> lock_keys, CheckFn fn) {
  return LockedWrite(lock_keys, fn, /*read_modify_write=*/false, nullptr);
}

absl::Status EngineImpl::ReadModifyWrite(std::string_view key, CheckFn fn) {
  const std::string_view lock_keys[1] = {key};
  return LockedWrite(lock_keys, fn, /*read_modify_write=*/true, nullptr);
}

absl::Status EngineImpl::WriteLocked(std::string_view key, CheckFn fn,
                                     PrefetchHandle* handle) {
  const std::string_view lock_keys[1] = {key};
  return LockedWrite(lock_keys, fn, /*read_modify_write=*/false, handle);
}

absl::Status EngineImpl::ReadModifyWrite(std::string_view key, CheckFn fn,
                                         PrefetchHandle* handle) {
  const std::string_view lock_keys[1] = {key};
  return LockedWrite(lock_keys, fn, /*read_modify_write=*/true, handle);
}

absl::Status EngineImpl::WriteLocked(std::string_view key, FillFn fn,
                                     PrefetchHandle* handle,
                                     std::vector<Mutation>* mutations) {
  const std::string_view lock_keys[1] = {key};
  return LockedWrite(lock_keys, fn, /*read_modify_write=*/false, handle,
                     mutations);
}

absl::Status EngineImpl::ReadModifyWrite(std::string_view key, FillFn fn,
                                         PrefetchHandle* handle,
                                         std::vector<Mutation>* mutations) {
  const std::string_view lock_keys[1] = {key};
  return LockedWrite(lock_keys, fn, /*read_modify_write=*/true, handle,
                     mutations);
}

absl::Status EngineImpl::LockedWrite(
    absl::Span<const std::string_view> lock_keys, CheckFn fn,
    bool read_modify_write, PrefetchHandle* handle) {
  std::vector<Mutation> mutations;
  auto fill = [&](const LockedReader& reader,
                  std::vector<Mutation>* out) -> absl::Status {
    absl::StatusOr<std::vector<Mutation>> made = fn(reader);
    if (!made.ok()) return made.status();
    *out = std::move(*made);
    return absl::OkStatus();
  };
  return LockedWrite(lock_keys, fill, read_modify_write, handle, &mutations);
}

absl::Status EngineImpl::LockedWrite(
    absl::Span<const std::string_view> lock_keys, FillFn fn,
    bool read_modify_write, PrefetchHandle* handle,
    std::vector<Mutation>* mutations) {
  uint32_t one_stripe[1];
  std::vector<uint32_t> many_stripes;
  absl::Span<const uint32_t> stripes;
  if (lock_keys.size() == 1) {
    // The common case (a conditional write of one item): no lists to build.
    if (lock_keys[0].empty()) {
      return absl::InvalidArgumentError("engine: key 0 of the write is empty");
    }
    one_stripe[0] = StripeOfKey(lock_keys[0]);
    stripes = one_stripe;
  } else {
    KS_ASSIGN_OR_RETURN(many_stripes, StripesOf(lock_keys));
    stripes = many_stripes;
  }
  // The first key with its hash, for its read and its write, in bytes that
  // stay put while the check function runs: the handle's copy and hash if
  // it is of this key, else a copy here (a longer key, rare, goes without:
  // it is hashed again where it is needed).
  char copy[kCopiedKeyBytes];
  const bool remembered = handle != nullptr && handle->Remembers(lock_keys[0]);
  const bool copied = !remembered && lock_keys[0].size() <= sizeof(copy);
  if (copied) std::memcpy(copy, lock_keys[0].data(), lock_keys[0].size());
  const HashedKey first_key =
      remembered ? HashedKey(handle->remembered_key(), handle->key_hash_)
      : copied   ? HashedKey(std::string_view(copy, lock_keys[0].size()))
                 : HashedKey(lock_keys[0]);
  KS_RETURN_IF_ERROR(WaitForMemtableRoom());
  LockStripes(stripes);
  std::shared_ptr<const StripeView> view;
  absl::InlinedVector<uint64_t, 4> steps;
  if (read_modify_write || handle != nullptr) {
    // Under the stripe's lock its active memtable (view->active) is the
    // stripe's, which only this lock's holder replaces.
    view = LockedViewOf(one_stripe[0], handle);
  }
  if (read_modify_write) OverlapReadAndInsert(*view, first_key, &steps);
  absl::Status status;
  // (A key that is neither remembered nor copied may move away.)
  const HashedKey* known = remembered || copied ? &first_key : nullptr;
  LockedReaderImpl reader(this, stripes, view.get(), known,
                          read_modify_write ? steps.data() : nullptr);
  status = fn(reader, mutations);
  if (status.ok()) {
    for (const Mutation& m : *mutations) {
      if (m.key.empty() || !std::binary_search(stripes.begin(), stripes.end(),
                                               StripeOfKey(m.key))) {
        status = absl::InvalidArgumentError(
            "engine: WriteLocked mutation outside the locked stripes");
        break;
      }
    }
    if (status.ok() && !mutations->empty()) {
      status = CommitLocked(stripes, mutations, known);
    }
  }
  UnlockStripes(stripes);
  return status;
}

absl::Status EngineImpl::CommitLocked(
    absl::Span<const uint32_t> stripes, std::vector<Mutation>* mutations,
    const HashedKey* known) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (has_error_.load()) return error();
  const uint64_t n = mutations->size();
  if (last_seq_.load() + n > MemTable::kMaxSeq) {
    return absl::ResourceExhaustedError("engine: sequence numbers exhausted");
  }
  // Memory of each touched stripe's active memtable before the inserts.
  absl::InlinedVector<uint64_t, 4> before(stripes.size());
  for (size_t i = 0; i < stripes.size(); ++i) {
    before[i] = stripes_[stripes[i]].active->memory_usage();
  }
  // Start loading each key's memtable filter word (a random cache line)
  // now, so that the miss overlaps the WAL append. The Add below takes the
  // same hash.
  absl::InlinedVector<uint64_t, 4> filter_hashes;
  for (const Mutation& m : *mutations) {
    filter_hashes.push_back(known != nullptr && SameBytes(m.key, known->key)
                                ? known->hash
                                : KeyHash(m.key));
    stripes_[StripeOfKey(m.key)].active->PrefetchFilter(filter_hashes.back());
  }
  uint64_t log_bytes = 0;
  {
    ReaderLock wal_lock(&wal_mu_);
    // Under the stripe locks, so a stripe's sequence numbers increase in the
    // order its writes are logged and applied.
    const uint64_t first = last_seq_.fetch_add(n) + 1;
    // The batch borrows the mutations and gives them back on every return.
    WriteBatch batch{first, std::move(*mutations)};
    absl::Cleanup give_back = [&] { *mutations = std::move(batch.mutations); };
    absl::Status status =
        wal_->Append(batch, options_.sync_mode == SyncMode::kEveryCommit);
    if (!status.ok()) {
      // The record may or may not be in the log; either way this write is
      // not applied, and no later write may be.
      SetError(status);
      return status;
    }
    const uint64_t epoch = wal_epoch_.load();
    for (uint64_t i = 0; i < n; ++i) {
      const Mutation& m = batch.mutations[i];
      MemTable* mem = stripes_[StripeOfKey(m.key)].active.get();
      mem->NoteEpoch(epoch);
      mem->Add(first + i, m.type, m.key, m.value, filter_hashes[i]);
      log_bytes += m.key.size() + m.value.size() + 8;
    }
    for (uint32_t s : stripes) {
      // The batch's last mutation of each stripe has its highest seq; a
      // plain max is simpler and correct.
      uint64_t top = 0;
      for (uint64_t i = 0; i < n; ++i) {
        if (StripeOfKey(batch.mutations[i].key) == s) top = first + i;
      }
      stripes_[s].applied_seq.store(top, std::memory_order_release);
    }
  }
  uint64_t grown = 0;
  for (size_t i = 0; i < stripes.size(); ++i) {
    Stripe& stripe = stripes_[stripes[i]];
    const uint64_t now = stripe.active->memory_usage();
    grown += now - before[i];
    stripe.active_bytes.store(now, std::memory_order_relaxed);
  }
  memtable_bytes_.fetch_add(grown);

  for (uint32_t s : stripes) {
    const MemTable& mem = *stripes_[s].active;
    if (mem.records() >= options_.memtable_max_records_per_stripe ||
        mem.memory_usage() >= options_.memtable_max_bytes_per_stripe) {
      SwitchMemtableLocked(s);
    }
  }
  const bool rotate =
      wal_bytes_since_rotate_.fetch_add(log_bytes) + log_bytes >= rotate_bytes_;
  const uint64_t active = memtable_bytes_.load() - immutable_bytes_.load();
  const bool room = active > options_.total_memtable_bytes / 2;
  if ((rotate && !rotate_signalled_.exchange(true)) ||
      (room && !room_signalled_.exchange(true))) {
    RequestMaintenance(rotate, room);
  }
  return absl::OkStatus();
}

void EngineImpl::SwitchMemtableLocked(uint32_t s)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Stripe& stripe = stripes_[s];
  std::shared_ptr<MemTable> old = stripe.active;
  if (old->empty()) return;
  auto fresh = NewMemTable();
  // Account for the memtable before a flush can see it in the view, or the
  // flush's release could come first and leave a stale id behind.
  immutable_bytes_.fetch_add(old->memory_usage());
  {
    absl::MutexLock lock(&mu_);
    immutable_ids_.insert(old->id());
  }
  UpdateView(s, [&](const StripeView& v) {
    StripeView next;
    next.active = fresh;
    next.immutables.reserve(v.immutables.size() + 1);
    next.immutables.push_back(old);
    next.immutables.insert(next.immutables.end(), v.immutables.begin(),
                           v.immutables.end());
    next.tables = v.tables;
    next.table_filter = v.table_filter;
    return next;
  });
  stripe.active = std::move(fresh);
  stripe.active_bytes.store(0, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  ScheduleStripeLocked(s);
}

}  // namespace kstone::core
