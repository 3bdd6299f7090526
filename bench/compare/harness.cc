#include "bench/compare/harness.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace kstone::bench {
namespace {

using Clock = std::chrono::steady_clock;

double CpuSeconds(clockid_t clock) {
  struct timespec ts;
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) +
         static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

Permutation::Permutation(uint64_t n) : n_(n) {
  if (n_ <= 1) return;
  m_ = 0x9E3779B97F4A7C15ull % n_;
  if (m_ == 0) m_ = 1;
  while (std::gcd(m_, n_) != 1) ++m_;
  c_ = 0x632BE59BD9B4E019ull % n_;
}

uint64_t Permutation::operator()(uint64_t i) const {
  if (n_ <= 1) return 0;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(i) * m_ + c_) %
                               n_);
}

RunResult Error(absl::Status s) {
  RunResult r;
  r.kind = RunResult::Kind::kError;
  r.message = std::string(s.message());
  if (r.message.empty()) r.message = s.ToString();
  return r;
}

// Runs `total` operations split over `threads` threads; returns the slowest
// thread's timed seconds and the summed counters.
absl::StatusOr<Timed> RunThreads(uint64_t total, int threads, uint64_t seed,
                                 const Plan& plan) {
  std::vector<double> seconds(threads, 0);
  std::vector<double> prepare_cpu(threads, 0);
  std::vector<Counters> counters(threads);
  const double cpu_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  absl::Mutex mu;
  absl::Status first_error;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 1000003 + static_cast<uint64_t>(t));
      const uint64_t begin = total * t / threads;
      const uint64_t end = total * (t + 1) / threads;
      std::vector<BenchOp> batch(kBatch);
      for (uint64_t i = begin; i < end; i += kBatch) {
        const size_t n =
            static_cast<size_t>(std::min<uint64_t>(kBatch, end - i));
        const double p0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
        for (size_t j = 0; j < n; ++j) plan.prepare(i + j, rng, &batch[j]);
        prepare_cpu[t] += CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - p0;
        const Clock::time_point t0 = Clock::now();
        for (size_t j = 0; j < n; ++j) {
          absl::Status s = plan.exec(batch[j], &counters[t]);
          if (!s.ok()) {
            absl::MutexLock lock(&mu);
            if (first_error.ok()) first_error = s;
            return;
          }
        }
        seconds[t] += std::chrono::duration<double>(Clock::now() - t0).count();
      }
    });
  }
  for (std::thread& th : pool) th.join();
  if (!first_error.ok()) return first_error;
  Timed out;
  out.seconds = *std::max_element(seconds.begin(), seconds.end());
  // CPU of the whole process (background threads included) while the
  // operations ran, less the CPU spent building them.
  out.cpu_seconds = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  for (double p : prepare_cpu) out.cpu_seconds -= p;
  for (const Counters& c : counters) {
    out.counters.found += c.found;
    out.counters.items += c.items;
  }
  return out;
}

absl::Status Prefill(BenchEngine* engine, const OpSource& source,
                     uint64_t num) {
  return PrefillWith(source, num, [engine](const std::vector<BenchOp>& ops) {
    return engine->Load(ops);
  });
}

absl::Status PrefillWith(
    const OpSource& source, uint64_t num,
    const std::function<absl::Status(const std::vector<BenchOp>&)>& load) {
  Permutation perm(num);
  std::vector<BenchOp> batch;
  for (uint64_t i = 0; i < num; i += kBatch) {
    const uint64_t n = std::min<uint64_t>(kBatch, num - i);
    batch.resize(n);
    for (uint64_t j = 0; j < n; ++j)
      source.MakeWrite(perm(i + j), 0, &batch[j]);
    absl::Status s = load(batch);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace kstone::bench
