// Point lookups in MemoryTables, below the engine: what a read, an Update
// or a conditional Put pays per table of its stripe.
//
//   BM_MemoryTableLookup/GetPresent/<tables>  Get of a random key that is
//       there
//   BM_MemoryTableLookup/GetAbsent/<tables>  Get of a random key that is
//       not, but shares the table's key prefix and lies inside its range
//       (so the hash index must answer)
//   BM_MemoryTableLookup/GetHashedPresent/<tables>, .../GetHashedAbsent/
//       <tables>  the same through GetHashed, with the key's hash computed
//       before (as the engine does, once for all the tables of a stripe)
//   BM_MemoryTableLookup/MayContainAbsent/<tables>  the index as a filter
//
// Each table holds kRecords records of ~120 bytes (a stripe's table of a
// 1 M-item database has ~4 k); <tables> of them are searched round-robin by
// random keys: 1 table stays in cache, 256 (~120 MB) do not, as at 1 M
// items.
//
// Example: build/release/bench/memory_table_benchmark --benchmark_min_time=0.2

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "core/storage/memory/memory_table.h"

namespace kstone::core {
namespace {

constexpr int kRecords = 4096;

// Even numbers are in the tables, odd ones are not; every key shares the
// "user00000" prefix.
std::string Key(uint64_t i) { return absl::StrFormat("user%012d", i); }

const std::vector<std::shared_ptr<const MemoryTable>>& Tables(int count) {
  static auto* built = new std::vector<std::shared_ptr<const MemoryTable>>();
  const std::string value(100, 'v');
  while (built->size() < static_cast<size_t>(count)) {
    MemoryTableBuilder builder(built->size() + 1, 10);
    for (int i = 0; i < kRecords; ++i) {
      if (!builder.Add({Key(2 * i), 1, RecordType::kValue, value}).ok()) {
        std::abort();
      }
    }
    auto table = builder.FinishTable();
    if (!table.ok()) std::abort();
    built->push_back(*table);
  }
  return *built;
}

struct Lookup {
  int table;
  std::string key;
  uint64_t hash;  // KeyHash(key)
};

// Random lookups, made before the timing.
std::vector<Lookup> Lookups(int tables, bool present) {
  std::mt19937_64 rng(7);
  std::vector<Lookup> lookups(1 << 16);
  for (Lookup& l : lookups) {
    l.table = static_cast<int>(rng() % tables);
    l.key = Key(2 * (rng() % kRecords) + (present ? 0 : 1));
    l.hash = KeyHash(l.key);
  }
  return lookups;
}

enum class Via { kGet, kGetHashed, kMayContain };

void BM_MemoryTableLookup(benchmark::State& state, bool present, Via via) {
  const int count = static_cast<int>(state.range(0));
  const auto& tables = Tables(count);
  const auto lookups = Lookups(count, present);
  size_t i = 0;
  int64_t found = 0;
  for (auto _ : state) {
    const Lookup& l = lookups[i++ & (lookups.size() - 1)];
    const MemoryTable& table = *tables[l.table];
    if (via == Via::kMayContain) {
      found += table.MayContain(l.key);
      continue;
    }
    auto r = via == Via::kGetHashed ? table.GetHashed(HashedKey(l.key, l.hash))
                                    : table.Get(l.key);
    found += r.ok() && r->has_value();
  }
  // MayContain lets through the ~1.3 % of absent keys whose fingerprint is
  // in their bucket.
  const int64_t want = present ? state.iterations() : 0;
  if (via == Via::kMayContain ? found > state.iterations() / 20
                              : found != want) {
    state.SkipWithError("a lookup found the wrong thing");
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_MemoryTableLookup, GetPresent, true, Via::kGet)
    ->Arg(1)
    ->Arg(256);
BENCHMARK_CAPTURE(BM_MemoryTableLookup, GetAbsent, false, Via::kGet)
    ->Arg(1)
    ->Arg(256);
BENCHMARK_CAPTURE(BM_MemoryTableLookup, GetHashedPresent, true, Via::kGetHashed)
    ->Arg(1)
    ->Arg(256);
BENCHMARK_CAPTURE(BM_MemoryTableLookup, GetHashedAbsent, false, Via::kGetHashed)
    ->Arg(1)
    ->Arg(256);
BENCHMARK_CAPTURE(BM_MemoryTableLookup, MayContainAbsent, false,
                  Via::kMayContain)
    ->Arg(1)
    ->Arg(256);

}  // namespace
}  // namespace kstone::core
