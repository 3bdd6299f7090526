// Flush and compaction benchmarks through the public api, on :memory: and
// disk (argument 0: 0 = memory, 1 = disk). Each iteration first writes
// (untimed) a fresh batch of items, then times the operation.
//
//   BM_Flush     Flush() of kBatch items (about 1 MB) sitting in memtables
//   BM_Compact   Compact() of kRuns flushed runs of kBatch items each, half
//                of every run overwriting the previous one
//
// Items processed = items flushed or compacted, so items/s compares. Real
// time, since the work happens on kstone's background thread.
// Example: build/bench/bench/flush_benchmark --benchmark_min_time=0.01

#include <cstdint>

#include "bench/bench_util.h"
#include "benchmark/benchmark.h"
#include "kstone/kstone.h"

namespace kstone::bench {
namespace {

constexpr uint64_t kBatch = 10000;
constexpr int kRuns = 4;

void BM_Flush(benchmark::State& state) {
  BenchDb db(state, state.range(0));
  if (!db.ok()) return;
  uint64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    bool ok = true;
    for (uint64_t i = 0; i < kBatch && ok; ++i) {
      ok = CheckOk(state, db.db().Put(BenchItem(next++)));
    }
    state.ResumeTiming();
    if (!ok || !CheckOk(state, db.db().Flush())) break;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.SetLabel(BackendName(state.range(0)));
}
BENCHMARK(BM_Flush)
    ->Arg(kMemory)
    ->Arg(kDisk)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Compact(benchmark::State& state) {
  BenchDb db(state, state.range(0));
  if (!db.ok()) return;
  uint64_t base = 0;
  for (auto _ : state) {
    state.PauseTiming();
    bool ok = true;
    for (int run = 0; run < kRuns && ok; ++run) {
      const uint64_t first = base + run * kBatch / 2;  // half overwrites
      for (uint64_t i = 0; i < kBatch && ok; ++i) {
        ok = CheckOk(state, db.db().Put(BenchItem(first + i)));
      }
      ok = ok && CheckOk(state, db.db().Flush());
    }
    base += kRuns * kBatch;
    state.ResumeTiming();
    if (!ok || !CheckOk(state, db.db().Compact())) break;
  }
  state.SetItemsProcessed(state.iterations() * kRuns * kBatch);
  state.SetLabel(BackendName(state.range(0)));
}
BENCHMARK(BM_Compact)->Arg(kMemory)->Arg(kDisk)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kstone::bench
