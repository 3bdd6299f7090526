#ifndef KSTONE_BENCH_COMPARE_OPS_WORKLOAD_H_
#define KSTONE_BENCH_COMPARE_OPS_WORKLOAD_H_

// The workloads of kstone_bench for issue 3's operations. All but `put` and
// `overwrite` are kstone-only: other engines report them as unsupported.
// Every one prefills N items (untimed) and then calls BenchEngine::Flush, so
// that reads come from tables; kstone opens with a block cache of
// kOpsBlockCacheBytes, so a disk table of 1 M items fits in it.
//
//   query10, query100  N items in partitions of 100 (pk = key of the
//                      partition, sk = "s" + 6 digits); N/10 resp. N/100
//                      Queries of the first 10 resp. 100 items of a random
//                      partition; one op = one query
//   scan               thread t of T (--threads) Scans segment t of T to its
//                      end (T = 1: a full Scan); one op = one item
//   put                N/10 plain Puts of new keys (all engines)
//   condput            the same with attribute_not_exists(pk)
//   overwrite          N/10 plain Puts over random existing items, with the
//                      content they already have (all engines)
//   condoverwrite      the same with the condition "v = :v" (true)
//   update             N/10 Updates "SET a = a + :one" (ReturnValues NONE)
//                      of random existing items (the prefill gives every
//                      item a = 0)
//   txn2, txn10        N/10 resp. N/50 TransactWrites of 2 resp. 10 actions
//                      on distinct items, alternating a Put of a new item
//                      and an Update "SET a = a + :one" of an existing one
//                      (consecutive keys from a random one); one op = one
//                      transaction
//
// The request objects of the kstone-only operations (options, Update,
// TransactWrite) are built inside the timed call, as a program would.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/compare/bench_engine.h"
#include "bench/compare/op_source.h"
#include "bench/compare/workload.h"

namespace kstone::bench {

inline constexpr uint64_t kOpsBlockCacheBytes = uint64_t{1} << 30;

// The workloads above, in the order of kstone_bench's usage text.
const std::vector<std::string>& OpsWorkloads();
bool IsOpsWorkload(const std::string& workload);

// Runs spec.workload on the open engine `db`; fills r's ops, seconds,
// cpu_seconds and items, or returns an unsupported or error result.
RunResult RunOpsWorkload(const RunSpec& spec, const OpSource& source,
                         BenchEngine* db, RunResult r);

}  // namespace kstone::bench

#endif  // KSTONE_BENCH_COMPARE_OPS_WORKLOAD_H_
