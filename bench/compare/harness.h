#ifndef KSTONE_BENCH_COMPARE_HARNESS_H_
#define KSTONE_BENCH_COMPARE_HARNESS_H_

// The timing harness shared by the workloads of kstone_bench (workload.cc,
// ops_workload.cc): a key permutation, the untimed prefill, and RunThreads,
// which builds operations in untimed batches and times only the engine
// calls.
//
// Thread safety: Permutation is immutable; RunThreads calls plan.prepare and
// plan.exec from its threads concurrently (each with its own rng/counters).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/compare/bench_engine.h"
#include "bench/compare/op_source.h"
#include "bench/compare/workload.h"

namespace kstone::bench {

// Operations are built (untimed) this many at a time.
inline constexpr size_t kBatch = 1000;

// A bijection of [0, n): i -> (i * m + c) mod n with gcd(m, n) = 1.
class Permutation {
 public:
  explicit Permutation(uint64_t n);
  uint64_t operator()(uint64_t i) const;

 private:
  uint64_t n_;
  uint64_t m_ = 1;
  uint64_t c_ = 0;
};

// A RunResult of kind kError carrying s's message.
RunResult Error(absl::Status s);

// Per-thread counters checked after the run.
struct Counters {
  uint64_t found = 0;
  uint64_t items = 0;
};

// How one thread's operation number i (0-based, global) is built and run.
struct Plan {
  std::function<void(uint64_t i, std::mt19937_64& rng, BenchOp* op)> prepare;
  std::function<absl::Status(const BenchOp& op, Counters* c)> exec;
};

struct Timed {
  double seconds = 0;
  double cpu_seconds = 0;
  Counters counters;
};

// Runs `total` operations split over `threads` threads; returns the slowest
// thread's timed seconds, the process CPU seconds of the timed region (less
// the CPU spent building operations) and the summed counters.
absl::StatusOr<Timed> RunThreads(uint64_t total, int threads, uint64_t seed,
                                 const Plan& plan);

// Stores items 0..num-1 in a pseudo-random order with engine->Load.
absl::Status Prefill(BenchEngine* engine, const OpSource& source, uint64_t num);
// The same, storing each batch with `load` (e.g. BenchEngine::LoadOps).
absl::Status PrefillWith(
    const OpSource& source, uint64_t num,
    const std::function<absl::Status(const std::vector<BenchOp>&)>& load);

}  // namespace kstone::bench

#endif  // KSTONE_BENCH_COMPARE_HARNESS_H_
