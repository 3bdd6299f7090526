// Overwritten versions in a stripe's oldest table: where the store copies
// tables cheaply (memory), flushes drop them from that table once about a
// tenth of it is overwritten, instead of keeping them until the size-tiered
// rule merges it. Reads must not notice: every key keeps its newest value,
// deleted keys stay deleted, on both backends.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "core/engine/engine.h"
#include "core/storage/storage.h"
#include "core/storage/table_store.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_fixture.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {
namespace {

constexpr uint32_t kStripe = 5;
constexpr int kKeys = 2000;

std::string KeyOf(int i) { return K(kStripe, absl::StrFormat("key%06d", i)); }

TEST_P(EngineTest, OverwrittenVersionsLeaveTheOldestTableAndReadsAgree) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 rng(seed);
  EngineOptions o = SmallOptions();
  o.memtable_max_records_per_stripe = 1 << 20;  // flushes only when asked
  o.max_tables_per_stripe = 4;
  o.idle_compaction_ms = 0;  // no merges but the flushes' own
  KS_ASSERT_OK(Open(o));
  std::map<std::string, std::string> model;
  const std::string filler(80, 'x');
  for (int i = 0; i < kKeys; ++i) {
    model[KeyOf(i)] = absl::StrCat("v0-", i, filler);
    KS_ASSERT_OK(Put(e(), KeyOf(i), model[KeyOf(i)]));
  }
  KS_ASSERT_OK(e()->Compact());  // one table of kKeys records
  ASSERT_EQ(e()->Stats().table_entries, static_cast<uint64_t>(kKeys));

  // Rounds of random overwrites (and a few deletes), one flush each.
  uint64_t most_dead = 0;
  for (int round = 1; round <= 40; ++round) {
    for (int j = 0; j < 50; ++j) {
      const std::string key = KeyOf(static_cast<int>(rng() % kKeys));
      if (rng() % 20 == 0) {
        model.erase(key);
        KS_ASSERT_OK(Del(e(), key));
      } else {
        model[key] = absl::StrCat("v", round, "-", j, filler);
        KS_ASSERT_OK(Put(e(), key, model[key]));
      }
    }
    KS_ASSERT_OK(e()->Flush());
    const EngineStats stats = e()->Stats();
    // Records beyond one per key: versions (and tombstones) no read needs.
    most_dead =
        std::max<uint64_t>(most_dead, stats.table_entries - model.size());
    if (round % 10 == 0) {
      for (int i = 0; i < kKeys; ++i) {
        auto it = model.find(KeyOf(i));
        const std::optional<std::string> want =
            it == model.end() ? std::nullopt
                              : std::optional<std::string>(it->second);
        absl::StatusOr<std::optional<std::string>> got = e()->Get(KeyOf(i));
        KS_ASSERT_OK(got.status());
        ASSERT_EQ(*got, want) << "round " << round << ", key " << i;
      }
      std::map<std::string, std::string> scanned;
      auto it = e()->NewIterator(kStripe);
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        scanned.emplace(std::string(it->key()), std::string(it->value()));
      }
      KS_ASSERT_OK(it->status());
      ASSERT_EQ(scanned, model) << "round " << round;
    }
  }
  // 2000 overwrites of 2000 keys: kept until the merges, the overwritten
  // versions reach ~45 % of the live records before the oldest table is
  // rewritten; dropped at a tenth, about a quarter (a tenth of the oldest
  // table plus the newer tables' own older versions and tombstones).
  if (GetParam() == Backend::kMemory) {
    EXPECT_LT(most_dead, model.size() * 3 / 10) << "live " << model.size();
  }
  KS_ASSERT_OK(Reopen());
  for (const auto& [key, value] : model) {
    KS_ASSERT_OK_AND_ASSIGN(std::optional<std::string> got, e()->Get(key));
    ASSERT_EQ(got, std::optional<std::string>(value));
  }
}

// The memory store, watched: NewTable can be held at a gate (so that the
// stripes queued meanwhile are flushed together, in one batch), and every
// copy notes how many tables that earlier copies replaced are still alive.
class WatchedTableStore final : public TableStore {
 public:
  explicit WatchedTableStore(TableStore* base) : base_(base) {}

  void CloseGate() { gated_.store(true); }
  void OpenGate() { gate_open_.Notify(); }
  int copies() const {
    absl::MutexLock lock(&mu_);
    return copies_;
  }
  // The most tables replaced by earlier copies that were still alive when a
  // copy started.
  int most_replaced_alive() const {
    absl::MutexLock lock(&mu_);
    return most_replaced_alive_;
  }

  absl::StatusOr<std::unique_ptr<TableBuilder>> NewTable(
      uint64_t number) override {
    if (gated_.load()) gate_open_.WaitForNotification();
    return base_->NewTable(number);
  }
  absl::StatusOr<std::shared_ptr<const Table>> OpenTable(
      uint64_t number) override {
    absl::StatusOr<std::shared_ptr<const Table>> table =
        base_->OpenTable(number);
    if (table.ok()) {
      absl::MutexLock lock(&mu_);
      opened_[number] = *table;
    }
    return table;
  }
  absl::Status DeleteTable(uint64_t number) override {
    return base_->DeleteTable(number);
  }
  absl::StatusOr<std::vector<uint64_t>> ListTables() override {
    return base_->ListTables();
  }
  ManifestLog* manifest() override { return base_->manifest(); }
  bool CanCopyTableWithout() const override {
    return base_->CanCopyTableWithout();
  }
  absl::StatusOr<std::optional<TableMeta>> CopyTableWithout(
      uint64_t source, uint64_t number,
      const std::vector<std::string>& keys) override {
    {
      absl::MutexLock lock(&mu_);
      int alive = 0;
      for (uint64_t replaced : replaced_) {
        if (!opened_[replaced].expired()) ++alive;
      }
      most_replaced_alive_ = std::max(most_replaced_alive_, alive);
      replaced_.push_back(source);
      ++copies_;
    }
    return base_->CopyTableWithout(source, number, keys);
  }

 private:
  TableStore* const base_;
  std::atomic<bool> gated_{false};
  absl::Notification gate_open_;
  mutable absl::Mutex mu_;
  std::map<uint64_t, std::weak_ptr<const Table>> opened_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> replaced_ ABSL_GUARDED_BY(mu_);
  int copies_ ABSL_GUARDED_BY(mu_) = 0;
  int most_replaced_alive_ ABSL_GUARDED_BY(mu_) = 0;
};

class WatchedStorage final : public Storage {
 public:
  explicit WatchedStorage(std::unique_ptr<Storage> base)
      : base_(std::move(base)), tables_(base_->tables()) {}
  Wal* wal() override { return base_->wal(); }
  TableStore* tables() override { return &tables_; }
  bool created() const override { return base_->created(); }
  std::string description() const override { return base_->description(); }
  WatchedTableStore* watched() { return &tables_; }

 private:
  std::unique_ptr<Storage> base_;
  WatchedTableStore tables_;
};

// A batch of flushes replaces the oldest table of several stripes by copies,
// one stripe at a time; each replaced table (about the size of a stripe's
// data) must be gone before the next copy is made, or a batch holds up to 16
// of them (and its flushed memtables) at once: the peak RSS of an overwrite
// load (docs/performance.md "Session 11: memory of mixed").
TEST(ShadowedVersionsTest, ReplacedOldestTablesGoBeforeTheNextCopy) {
  constexpr int kStripes = 8;
  constexpr int kKeysPerStripe = 200;
  constexpr int kOverwrites = 60;  // 30 % of a stripe's oldest table
  absl::StatusOr<std::unique_ptr<Storage>> memory = OpenMemoryStorage();
  KS_ASSERT_OK(memory.status());
  auto storage = std::make_unique<WatchedStorage>(std::move(*memory));
  WatchedTableStore* store = storage->watched();
  EngineOptions o;
  o.memtable_max_records_per_stripe = kOverwrites;  // a switch per stripe
  o.total_memtable_bytes = 64 << 20;
  o.background_threads = 1;  // one job: the queued stripes form one batch
  o.idle_compaction_ms = 0;
  o.sync_mode = SyncMode::kNone;
  KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Engine> engine,
                          Engine::Open(std::move(storage), o));
  auto key = [](int stripe, int i) {
    return K(static_cast<uint32_t>(stripe), absl::StrFormat("key%06d", i));
  };
  const std::string value(100, 'v');
  for (int s = 0; s < kStripes; ++s) {
    for (int i = 0; i < kKeysPerStripe; ++i) {
      KS_ASSERT_OK(Put(engine.get(), key(s, i), value));
    }
  }
  KS_ASSERT_OK(engine->Compact());  // one table per stripe
  ASSERT_EQ(store->copies(), 0);

  // Each stripe's 60th overwrite switches its memtable and queues the
  // stripe; the job that takes the first is held until all are queued, so
  // that the others are flushed (and copied) together.
  store->CloseGate();
  for (int s = 0; s < kStripes; ++s) {
    for (int i = 0; i < kOverwrites; ++i) {
      KS_ASSERT_OK(Put(engine.get(), key(s, i * 3), "new" + value));
    }
  }
  store->OpenGate();
  KS_ASSERT_OK(engine->Flush());
  Impl(engine.get())->TEST_WaitForIdle();
  EXPECT_EQ(store->copies(), kStripes);
  EXPECT_EQ(store->most_replaced_alive(), 0);
  for (int s = 0; s < kStripes; ++s) {
    for (int i = 0; i < kKeysPerStripe; ++i) {
      ASSERT_EQ(GetOrDie(engine.get(), key(s, i)),
                i % 3 == 0 && i / 3 < kOverwrites ? "new" + value : value);
    }
  }
}

}  // namespace
}  // namespace kstone::core::testing
