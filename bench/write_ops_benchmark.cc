// Conditional puts, updates and transactions through the public api, against
// plain puts, on :memory: and disk (argument 0: 0 = memory, 1 = disk with
// SyncMode::kNone and a block cache large enough for the table).
//
// Each benchmark (each family and arguments, memory and disk apart) starts
// from its own database, prefilled (untimed) with kItems items {pk, v: 80
// letters, a: 0} (bench_util.h's BenchItem plus a number; 1 M by default,
// $KSTONE_BENCH_ITEMS lowers it), flushed and compacted to one table per
// stripe, as kstone_bench's workloads start: no benchmark runs on what the
// ones before it wrote, so each result is comparable between builds and
// runs. (Google Benchmark calls a benchmark's function several times while
// it sizes the run; those calls share the database.) The requests (items,
// options, transactions) are built outside the timed region, in batches of
// kBatch, so the timed region holds only the database calls.
//
//   BM_PutFresh/<b>        plain Put of a new key (keys increasing: each
//                          goes at the end of its stripe's memtable)
//   BM_PutNotExists/<b>    Put of a new key with attribute_not_exists(pk)
//   BM_PutRandomFresh/<b>, BM_PutRandomNotExists/<b>  the same two with new
//                          keys in random order (as kstone_bench's put and
//                          condput; the pair the conditional Put target
//                          compares)
//   BM_Overwrite/<b>       plain Put over a random existing item
//   BM_OverwriteIfEqual/<b>  the same with the condition "v = :v" (true: :v
//                          is the stored v), which reads the item first
//   BM_Update/<b>          Update "SET a = a + :one" of a random existing
//                          item, ReturnValues NONE
//   BM_UpdateAllNew/<b>    the same with the default ReturnValues ALL_NEW
//   BM_TransactWrite/<b>/<n>/<kind>  one TransactWrite of n actions on n
//                          distinct existing items (consecutive keys from a
//                          random one); kind 0 = Puts, 1 = Updates
//                          "SET a = a + :one", 2 = alternating Put, Update
//
// Ratios (conditional Put / Put, Update / Put) are worked out in
// docs/performance.md, from one run of this binary.
//
// Example:
//   KSTONE_BENCH_ITEMS=100000 build/bench/bench/write_ops_benchmark
//       --benchmark_min_time=0.1

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_util.h"
#include "benchmark/benchmark.h"
#include "kstone/kstone.h"

namespace kstone::bench {
namespace {

constexpr size_t kBatch = 1024;

uint64_t TableItems() { return static_cast<uint64_t>(BenchItemsFromEnv(100)); }

// BenchItem(i) plus the number a = 0.
Item OpsItem(uint64_t i) {
  Item item = BenchItem(i);
  item.Set("a", Value::Number(0));
  return item;
}

// A prefilled database and the next fresh key index of its backend.
struct OpsDb {
  std::unique_ptr<BenchDb> db;
  std::atomic<uint64_t> next_fresh{0};
  std::atomic<uint64_t> next_random{0};
};

// The j-th new key in random order: above every key BM_PutFresh can reach
// (2^33 past the table), distinct for every j < 2^32 (an odd multiplier
// permutes the integers modulo 2^32).
uint64_t RandomFreshKey(uint64_t table_items, uint64_t j) {
  return table_items + (uint64_t{1} << 33) + ((j * 2654435761u) & 0xFFFFFFFFu);
}

// The database of the benchmark `name` with the state's first `args`
// arguments (the backend first), built on its first call and kept for the
// calls that follow; the previous benchmark's is closed (and its directory
// removed) first, so one exists at a time. nullptr after SkipWithError.
OpsDb* FilledDb(benchmark::State& state, const char* name, int args = 1) {
  static std::mutex mu;
  static std::string current;  // name and arguments of `db`
  // Destroyed at exit, which closes the last database.
  static std::unique_ptr<OpsDb> db;
  std::string key = name;
  for (int i = 0; i < args; ++i) {
    key += "/" + std::to_string(state.range(static_cast<size_t>(i)));
  }
  std::lock_guard<std::mutex> lock(mu);
  if (db != nullptr && key == current) return db.get();
  db.reset();
  current.clear();
  auto ops = std::make_unique<OpsDb>();
  ops->db = std::make_unique<BenchDb>(state, state.range(0), CachedOptions());
  if (!ops->db->ok()) return nullptr;
  const uint64_t n = TableItems();
  for (uint64_t i = 0; i < n; ++i) {
    // 7919 is prime; with n not a multiple of it this is a permutation.
    const uint64_t k = n % 7919 == 0 ? i : (i * 7919) % n;
    if (!CheckOk(state, ops->db->db().Put(OpsItem(k)))) return nullptr;
  }
  if (!CheckOk(state, ops->db->db().Flush())) return nullptr;
  if (!CheckOk(state, ops->db->db().Compact())) return nullptr;
  ops->next_fresh = n;
  db = std::move(ops);
  current = std::move(key);
  return db.get();
}

// Runs the benchmark loop over requests built by make(i) (untimed, kBatch at
// a time) and executed by run(request) (timed).
template <typename Request, typename Make, typename Run>
void Batched(benchmark::State& state, Make make, Run run) {
  std::vector<Request> batch;
  size_t next = 0;
  uint64_t i = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch.clear();
      for (size_t j = 0; j < kBatch; ++j) batch.push_back(make(i++));
      next = 0;
      state.ResumeTiming();
    }
    if (!CheckOk(state, run(batch[next++]))) break;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(BackendName(state.range(0)));
}

void PutFresh(benchmark::State& state, bool conditional, bool random) {
  OpsDb* ops = FilledDb(
      state, conditional ? (random ? "PutRandomNotExists" : "PutNotExists")
                         : (random ? "PutRandomFresh" : "PutFresh"));
  if (ops == nullptr) return;
  Database& db = ops->db->db();
  const uint64_t table_items = TableItems();
  const PutOptions not_exists =
      PutOptions().Condition("attribute_not_exists(pk)");
  Batched<Item>(
      state,
      [&](uint64_t) {
        return OpsItem(random ? RandomFreshKey(table_items, ops->next_random++)
                              : ops->next_fresh++);
      },
      [&](const Item& item) -> absl::Status {
        if (!conditional) return db.Put(item);
        return db.Put(item, not_exists).status();
      });
}

void BM_PutFresh(benchmark::State& state) { PutFresh(state, false, false); }
BENCHMARK(BM_PutFresh)->Arg(kMemory)->Arg(kDisk);

void BM_PutNotExists(benchmark::State& state) { PutFresh(state, true, false); }
BENCHMARK(BM_PutNotExists)->Arg(kMemory)->Arg(kDisk);

void BM_PutRandomFresh(benchmark::State& state) {
  PutFresh(state, false, true);
}
BENCHMARK(BM_PutRandomFresh)->Arg(kMemory)->Arg(kDisk);

void BM_PutRandomNotExists(benchmark::State& state) {
  PutFresh(state, true, true);
}
BENCHMARK(BM_PutRandomNotExists)->Arg(kMemory)->Arg(kDisk);

struct Overwrite {
  Item item;
  PutOptions options;
};

void OverwriteLoop(benchmark::State& state, bool conditional) {
  OpsDb* ops = FilledDb(state, conditional ? "OverwriteIfEqual" : "Overwrite");
  if (ops == nullptr) return;
  Database& db = ops->db->db();
  Rng rng(3);
  Batched<Overwrite>(
      state,
      [&](uint64_t) {
        Overwrite w{OpsItem(rng.Next() % TableItems()), PutOptions()};
        if (conditional) {
          w.options.Condition("v = :v").Value(":v", *w.item.Get("v"));
        }
        return w;
      },
      [&](const Overwrite& w) -> absl::Status {
        if (!conditional) return db.Put(w.item);
        return db.Put(w.item, w.options).status();
      });
}

void BM_Overwrite(benchmark::State& state) { OverwriteLoop(state, false); }
BENCHMARK(BM_Overwrite)->Arg(kMemory)->Arg(kDisk);

void BM_OverwriteIfEqual(benchmark::State& state) {
  OverwriteLoop(state, true);
}
BENCHMARK(BM_OverwriteIfEqual)->Arg(kMemory)->Arg(kDisk);

kstone::Update Increment() {
  return kstone::Update("SET a = a + :one").Value(":one", Value::Number(1));
}

void UpdateLoop(benchmark::State& state, ReturnValues return_values) {
  OpsDb* ops = FilledDb(
      state, return_values == ReturnValues::kNone ? "Update" : "UpdateAllNew");
  if (ops == nullptr) return;
  Database& db = ops->db->db();
  const kstone::Update update = Increment().ReturnValues(return_values);
  Rng rng(5);
  Batched<Key>(
      state, [&](uint64_t) { return Key(BenchKey(rng.Next() % TableItems())); },
      [&](const Key& key) { return db.Update(key, update).status(); });
}

void BM_Update(benchmark::State& state) {
  UpdateLoop(state, ReturnValues::kNone);
}
BENCHMARK(BM_Update)->Arg(kMemory)->Arg(kDisk);

void BM_UpdateAllNew(benchmark::State& state) {
  UpdateLoop(state, ReturnValues::kAllNew);
}
BENCHMARK(BM_UpdateAllNew)->Arg(kMemory)->Arg(kDisk);

void BM_TransactWrite(benchmark::State& state) {
  OpsDb* ops = FilledDb(state, "TransactWrite", /*args=*/3);
  if (ops == nullptr) return;
  Database& db = ops->db->db();
  const uint64_t n = static_cast<uint64_t>(state.range(1));
  const int64_t kind = state.range(2);
  const kstone::Update update = Increment();
  Rng rng(7);
  Batched<TransactWrite>(
      state,
      [&](uint64_t) {
        TransactWrite txn;
        const uint64_t start = rng.Next() % TableItems();
        for (uint64_t j = 0; j < n; ++j) {
          const uint64_t k = (start + j) % TableItems();
          if (kind == 0 || (kind == 2 && j % 2 == 0)) {
            txn.Put(OpsItem(k));
          } else {
            txn.Update(Key(BenchKey(k)), update);
          }
        }
        return txn;
      },
      [&](const TransactWrite& txn) { return db.TransactWrite(txn).status; });
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
  state.counters["txn/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TransactWrite)
    ->ArgsProduct({{kMemory, kDisk}, {2, 10}, {0, 1, 2}});

}  // namespace
}  // namespace kstone::bench
