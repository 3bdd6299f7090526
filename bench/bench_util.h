#ifndef KSTONE_BENCH_BENCH_UTIL_H_
#define KSTONE_BENCH_BENCH_UTIL_H_

// Shared helpers of the Google Benchmark suites (bench/*_benchmark.cc): open a
// database on a backend, make items of about 100 bytes, clean up.
//
// Backends are the benchmark's first argument: kMemory (":memory:") or kDisk
// (a fresh directory under $TMPDIR or /tmp, removed afterwards). Disk
// databases use SyncMode::kNone unless a benchmark asks for kEveryCommit, so
// that the numbers measure kstone and not the disk's fdatasync; the synced
// put benchmark measures that on purpose.
//
// Thread safety: the functions are safe for concurrent use.

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "benchmark/benchmark.h"
#include "kstone/kstone.h"

namespace kstone::bench {

enum Backend : int64_t { kMemory = 0, kDisk = 1 };

inline const char* BackendName(int64_t backend) {
  return backend == kMemory ? "memory" : "disk";
}

inline int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  ::remove(path);
  return 0;
}

// Options without per-write sync and with a block cache for a whole 1 M-item
// table, so that disk figures compare with memory ones.
inline Options CachedOptions() {
  Options options;
  options.sync_mode = SyncMode::kNone;
  options.block_cache_bytes = uint64_t{1} << 30;
  return options;
}

// A database on one backend that removes its directory when destroyed.
class BenchDb {
 public:
  // Aborts the benchmark run (SkipWithError) on failure: check ok().
  BenchDb(benchmark::State& state, int64_t backend,
          SyncMode sync_mode = SyncMode::kNone)
      : BenchDb(state, backend, WithSyncMode(sync_mode)) {}
  // With the given options, and the schema if there is one.
  BenchDb(benchmark::State& state, int64_t backend, const Options& options,
          const std::optional<TableSchema>& schema = std::nullopt) {
    const TableSchema table = schema.value_or(TableSchema());
    absl::StatusOr<Database> db;
    if (backend == kMemory) {
      db = Database::CreateInMemoryWithSchema(table, options);
    } else {
      const char* tmp = std::getenv("TMPDIR");
      std::string templ =
          std::string(tmp != nullptr ? tmp : "/tmp") + "/kstone_bm_XXXXXX";
      if (::mkdtemp(templ.data()) == nullptr) {
        state.SkipWithError("mkdtemp failed");
        return;
      }
      dir_ = templ;
      db = Database::CreateWithSchema(dir_ + "/db", table, options);
    }
    if (!db.ok()) {
      state.SkipWithError(std::string(db.status().message()).c_str());
      return;
    }
    db_.emplace(std::move(*db));
  }
  BenchDb(const BenchDb&) = delete;
  BenchDb& operator=(const BenchDb&) = delete;
  ~BenchDb() {
    db_.reset();
    if (!dir_.empty()) {
      ::nftw(dir_.c_str(), &RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
    }
  }

  bool ok() const { return db_.has_value(); }
  Database& db() { return *db_; }

 private:
  static Options WithSyncMode(SyncMode sync_mode) {
    Options options;
    options.sync_mode = sync_mode;
    return options;
  }

  std::string dir_;
  std::optional<Database> db_;
};

// Items a suite loads: $KSTONE_BENCH_ITEMS (to run small) or 1 M, and at
// least `minimum`. Read once per process.
inline int64_t BenchItemsFromEnv(int64_t minimum) {
  static const int64_t items = [] {
    const char* env = std::getenv("KSTONE_BENCH_ITEMS");
    return env != nullptr ? std::strtoll(env, nullptr, 10) : int64_t{1000000};
  }();
  return std::max(minimum, items);
}

// "key" + 12 zero-padded digits, as in kstone_bench.
inline std::string BenchKey(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key%012llu",
                static_cast<unsigned long long>(i));
  return buf;
}

// {pk: BenchKey(i), v: 80 letters}: about 100 bytes stored.
inline Item BenchItem(uint64_t i) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  std::string v(80, ' ');
  uint64_t x = i * 0x9E3779B97F4A7C15ull + 1;
  for (char& c : v) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    c = kAlphabet[(x * 0x2545F4914F6CDD1Dull) >> 58];
  }
  return ItemBuilder().String("pk", BenchKey(i)).String("v", v).Build();
}

// A cheap per-thread pseudo-random sequence (xorshift64*).
class Rng {
 public:
  explicit Rng(uint64_t seed) : x_(seed * 0x9E3779B97F4A7C15ull | 1) {}
  uint64_t Next() {
    x_ ^= x_ >> 12;
    x_ ^= x_ << 25;
    x_ ^= x_ >> 27;
    return x_ * 0x2545F4914F6CDD1Dull;
  }

 private:
  uint64_t x_;
};

// Fails the benchmark with the status message if !s.ok().
inline bool CheckOk(benchmark::State& state, const absl::Status& s) {
  if (s.ok()) return true;
  state.SkipWithError(std::string(s.message()).c_str());
  return false;
}

}  // namespace kstone::bench

#endif  // KSTONE_BENCH_BENCH_UTIL_H_
