// Get benchmarks through the public api, on :memory: and disk (argument 0:
// 0 = memory, 1 = disk), against kItems items of about 100 bytes written in
// random order and then flushed to tables (the steady state of a read).
//
//   BM_GetHit    readrandom: random existing keys
//   BM_GetMiss   readmissing: absent keys inside the key range (key + ".")
//   BM_GetHitMemtable  existing keys still in the memtables (no flush)
//
// The filled databases are built once per process and shared by the runs.
// Example: build/bench/bench/get_benchmark --benchmark_min_time=0.01

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "bench/bench_util.h"
#include "benchmark/benchmark.h"
#include "kstone/kstone.h"

namespace kstone::bench {
namespace {

constexpr uint64_t kItems = 100000;

// The filled database for (backend, flushed), or nullptr after SkipWithError.
BenchDb* FilledDb(benchmark::State& state, int64_t backend, bool flushed) {
  // Destroyed at exit, which closes the databases and removes their
  // directories.
  static std::map<std::pair<int64_t, bool>, std::unique_ptr<BenchDb>> cache;
  auto& slot = cache[{backend, flushed}];
  if (slot != nullptr) return slot.get();
  auto db = std::make_unique<BenchDb>(state, backend);
  if (!db->ok()) return nullptr;
  for (uint64_t i = 0; i < kItems; ++i) {
    const uint64_t k = (i * 7919) % kItems;  // 7919 is prime: a permutation
    if (!CheckOk(state, db->db().Put(BenchItem(k)))) return nullptr;
  }
  if (flushed && !CheckOk(state, db->db().Flush())) return nullptr;
  slot = std::move(db);
  return slot.get();
}

void GetLoop(benchmark::State& state, bool flushed, bool missing) {
  BenchDb* db = FilledDb(state, state.range(0), flushed);
  if (db == nullptr) return;
  Rng rng(state.thread_index() + 7);
  int64_t found = 0;
  for (auto _ : state) {
    std::string key = BenchKey(rng.Next() % kItems);
    if (missing) key += ".";
    absl::StatusOr<std::optional<Item>> item = db->db().Get(Key(key));
    if (!CheckOk(state, item.status())) break;
    found += item->has_value() ? 1 : 0;
  }
  if (found != (missing ? 0 : state.iterations())) {
    state.SkipWithError(missing ? "a missing key was found"
                                : "an existing key was not found");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(BackendName(state.range(0)));
}

void BM_GetHit(benchmark::State& state) { GetLoop(state, true, false); }
BENCHMARK(BM_GetHit)->Arg(kMemory)->Arg(kDisk);

void BM_GetMiss(benchmark::State& state) { GetLoop(state, true, true); }
BENCHMARK(BM_GetMiss)->Arg(kMemory)->Arg(kDisk);

void BM_GetHitMemtable(benchmark::State& state) {
  GetLoop(state, false, false);
}
BENCHMARK(BM_GetHitMemtable)->Arg(kMemory)->Arg(kDisk);

}  // namespace
}  // namespace kstone::bench
