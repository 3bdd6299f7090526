// Delete benchmarks through the public api, on :memory: and disk (argument
// 0: 0 = memory, 1 = disk).
//
//   BM_DeleteExisting  deletes items written before the timed loop
//                      (kItems of them, in order; past kItems the keys are
//                      absent, which is still a write of a tombstone)
//   BM_DeleteMissing   deletes keys that never existed
//
// Example: build/bench/bench/delete_benchmark --benchmark_min_time=0.01

#include <cstdint>
#include <string>

#include "bench/bench_util.h"
#include "benchmark/benchmark.h"
#include "kstone/kstone.h"

namespace kstone::bench {
namespace {

constexpr uint64_t kItems = 200000;

void BM_DeleteExisting(benchmark::State& state) {
  BenchDb db(state, state.range(0));
  if (!db.ok()) return;
  for (uint64_t i = 0; i < kItems; ++i) {
    if (!CheckOk(state, db.db().Put(BenchItem(i)))) return;
  }
  uint64_t i = 0;
  for (auto _ : state) {
    if (!CheckOk(state, db.db().Delete(Key(BenchKey(i++))))) break;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(BackendName(state.range(0)));
}
BENCHMARK(BM_DeleteExisting)->Arg(kMemory)->Arg(kDisk);

void BM_DeleteMissing(benchmark::State& state) {
  BenchDb db(state, state.range(0));
  if (!db.ok()) return;
  uint64_t i = 0;
  for (auto _ : state) {
    if (!CheckOk(state, db.db().Delete(Key(BenchKey(i++) + ".")))) break;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(BackendName(state.range(0)));
}
BENCHMARK(BM_DeleteMissing)->Arg(kMemory)->Arg(kDisk);

}  // namespace
}  // namespace kstone::bench
