// Query and Scan benchmarks through the public api, on :memory: and disk
// (argument 0: 0 = memory, 1 = disk with SyncMode::kNone and a block cache
// large enough for the whole table, so disk reads are cache hits as the
// issue-3 disk target assumes).
//
// The table has a partition key "pk" and a sort key "sk": kItems items
// (1 M by default; $KSTONE_BENCH_ITEMS lowers it, e.g. 100000) in partitions
// of kPerPartition = 100 items, about 100 bytes each (bench_util.h), with
// sort keys "s" + 6 digits. Items are written outside the timed region, in
// an order that spreads consecutive writes over the partitions, and then
// flushed, so reads come from tables (the steady state).
//
//   BM_Query/<backend>/<n>      one page of the first n items (Limit(n)) of
//                               a random partition; items/s = n * queries/s
//   BM_QueryMemtable/<backend>/<n>  the same on 100 k items that are still in
//                               the memtables (no flush)
//   BM_ScanAll/<backend>        a full Scan, page by page (1 MB pages);
//                               items/s
//   BM_ScanSegments/<backend>/real_time/threads:<t>  t threads, thread i
//                               scanning segment i of t; items/s of all
//                               threads together ("combined/s", wall time)
//
// Example:
//   KSTONE_BENCH_ITEMS=100000 build/bench/bench/query_benchmark
//       --benchmark_min_time=0.01

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "bench/bench_util.h"
#include "benchmark/benchmark.h"
#include "kstone/kstone.h"

namespace kstone::bench {
namespace {

constexpr int64_t kPerPartition = 100;
constexpr int64_t kMemtableItems = 100000;

// Items of the flushed table (BenchItemsFromEnv), rounded down to whole
// partitions.
int64_t TableItems() {
  return BenchItemsFromEnv(kPerPartition) / kPerPartition * kPerPartition;
}

std::string SortKey(int64_t i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "s%06lld", static_cast<long long>(i));
  return buf;
}

// A filled (pk, sk) table on one backend, with a block cache that holds it
// all; a disk database's directory is removed by the destructor.
class QueryDb {
 public:
  QueryDb(benchmark::State& state, int64_t backend, int64_t items, bool flush)
      : bench_(state, backend, CachedOptions(),
               TableSchema().PartitionKey("pk").SortKey("sk")) {
    if (!bench_.ok()) return;
    Database& db = bench_.db();
    const int64_t partitions = items / kPerPartition;
    for (int64_t i = 0; i < kPerPartition; ++i) {
      for (int64_t p = 0; p < partitions; ++p) {
        Item item = BenchItem(static_cast<uint64_t>(p * kPerPartition + i));
        item.Remove("pk");
        if (!CheckOk(state, db.Put(Key(BenchKey(p), SortKey(i)), item))) {
          return;
        }
      }
    }
    if (flush && !CheckOk(state, db.Flush())) return;
    items_ = items;
  }
  QueryDb(const QueryDb&) = delete;
  QueryDb& operator=(const QueryDb&) = delete;

  // False if opening or filling failed (the run was told why).
  bool ok() const { return bench_.ok() && items_ > 0; }
  Database& db() { return bench_.db(); }
  int64_t items() const { return items_; }
  int64_t partitions() const { return items_ / kPerPartition; }

 private:
  BenchDb bench_;
  int64_t items_ = 0;
};

// The filled database for (backend, flushed), built once per process and
// shared by the runs (and their threads); nullptr after SkipWithError.
QueryDb* FilledDb(benchmark::State& state, int64_t backend, bool flushed) {
  static std::mutex mu;
  // Destroyed at exit, which closes the databases and removes their
  // directories.
  static std::map<std::pair<int64_t, bool>, std::unique_ptr<QueryDb>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{backend, flushed}];
  if (slot != nullptr) return slot.get();
  auto db = std::make_unique<QueryDb>(
      state, backend, flushed ? TableItems() : kMemtableItems, flushed);
  if (!db->ok()) return nullptr;
  slot = std::move(db);
  return slot.get();
}

void QueryLoop(benchmark::State& state, bool flushed) {
  QueryDb* db = FilledDb(state, state.range(0), flushed);
  if (db == nullptr) return;
  const int64_t n = state.range(1);
  Rng rng(11);
  for (auto _ : state) {
    absl::StatusOr<QueryResult> page =
        db->db().Query(Query(BenchKey(rng.Next() % db->partitions())).Limit(n));
    if (!CheckOk(state, page.status())) break;
    if (page->count != n) {
      state.SkipWithError("a query returned the wrong number of items");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["queries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.SetLabel(BackendName(state.range(0)));
}

void BM_Query(benchmark::State& state) { QueryLoop(state, true); }
BENCHMARK(BM_Query)->ArgsProduct({{kMemory, kDisk}, {10, 100}});

void BM_QueryMemtable(benchmark::State& state) { QueryLoop(state, false); }
BENCHMARK(BM_QueryMemtable)->ArgsProduct({{kMemory, kDisk}, {10, 100}});

// Scans segment `segment` of `total` to the end, adding the items read to
// *items; false after SkipWithError.
bool ScanSegment(benchmark::State& state, Database& db, int segment, int total,
                 int64_t* items) {
  Scan scan = Scan().Segment(segment, total);
  for (;;) {
    absl::StatusOr<ScanResult> page = db.Scan(scan);
    if (!CheckOk(state, page.status())) return false;
    *items += page->count;
    if (!page->last_key) return true;
    scan.StartAfter(*page->last_key);
  }
}

void BM_ScanAll(benchmark::State& state) {
  QueryDb* db = FilledDb(state, state.range(0), true);
  if (db == nullptr) return;
  for (auto _ : state) {
    int64_t items = 0;
    if (!ScanSegment(state, db->db(), 0, 1, &items)) break;
    if (items != db->items()) {
      state.SkipWithError("a full scan returned the wrong number of items");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * db->items());
  state.SetLabel(BackendName(state.range(0)));
}
BENCHMARK(BM_ScanAll)->Arg(kMemory)->Arg(kDisk)->Unit(benchmark::kMillisecond);

// Each thread scans its segment once per iteration, so one iteration of all
// threads reads the table once. Google Benchmark's items_per_second is a
// per-thread figure here; "combined/s" is all threads' items over the wall
// time of thread 0's loop (the threads start and stop together).
void BM_ScanSegments(benchmark::State& state) {
  static std::atomic<int64_t> all_items{0};
  QueryDb* db = FilledDb(state, state.range(0), true);
  if (db == nullptr) return;
  if (state.thread_index() == 0) all_items = 0;
  int64_t items = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    int64_t read = 0;
    if (!ScanSegment(state, db->db(), state.thread_index(), state.threads(),
                     &read)) {
      break;
    }
    items += read;
    all_items.fetch_add(read, std::memory_order_relaxed);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (state.iterations() > 0 && items == 0) {
    state.SkipWithError("a segment scan returned no items");
  }
  state.SetItemsProcessed(items);
  if (state.thread_index() == 0) {
    state.counters["combined/s"] =
        static_cast<double>(all_items.load()) / seconds;
  }
  state.SetLabel(BackendName(state.range(0)));
}
BENCHMARK(BM_ScanSegments)
    ->Arg(kMemory)
    ->Arg(kDisk)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kstone::bench
