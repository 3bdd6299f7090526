// Put benchmarks through the public api, on :memory: and disk (argument 0:
// 0 = memory, 1 = disk). Items of about 100 bytes (bench_util.h).
//
//   BM_PutSeq      fillseq: keys in increasing order
//   BM_PutRandom   fillrandom: random keys in [0, 1M) (some overwrite)
//   BM_PutSynced   disk, every commit synced; 1..8 threads (group commit)
//
// Example: build/bench/bench/put_benchmark --benchmark_min_time=0.01

#include <atomic>
#include <cstdint>
#include <memory>

#include "bench/bench_util.h"
#include "benchmark/benchmark.h"
#include "kstone/kstone.h"

namespace kstone::bench {
namespace {

void BM_PutSeq(benchmark::State& state) {
  BenchDb db(state, state.range(0));
  if (!db.ok()) return;
  uint64_t i = 0;
  for (auto _ : state) {
    if (!CheckOk(state, db.db().Put(BenchItem(i++)))) break;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(BackendName(state.range(0)));
}
BENCHMARK(BM_PutSeq)->Arg(kMemory)->Arg(kDisk);

void BM_PutRandom(benchmark::State& state) {
  BenchDb db(state, state.range(0));
  if (!db.ok()) return;
  Rng rng(1);
  for (auto _ : state) {
    if (!CheckOk(state, db.db().Put(BenchItem(rng.Next() % 1000000)))) break;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(BackendName(state.range(0)));
}
BENCHMARK(BM_PutRandom)->Arg(kMemory)->Arg(kDisk);

// Shared by the threads of one BM_PutSynced run; thread 0 opens and closes.
std::unique_ptr<BenchDb> g_synced_db;
std::atomic<uint64_t> g_synced_next{0};

void BM_PutSynced(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_synced_db =
        std::make_unique<BenchDb>(state, kDisk, SyncMode::kEveryCommit);
    g_synced_next = 0;
  }
  for (auto _ : state) {
    if (!g_synced_db->ok()) break;
    const uint64_t i = g_synced_next.fetch_add(1, std::memory_order_relaxed);
    if (!CheckOk(state, g_synced_db->db().Put(BenchItem(i)))) break;
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.SetLabel("disk, sync every commit");
    g_synced_db.reset();
  }
}
BENCHMARK(BM_PutSynced)->ThreadRange(1, 8)->UseRealTime();

}  // namespace
}  // namespace kstone::bench
