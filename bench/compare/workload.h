#ifndef KSTONE_BENCH_COMPARE_WORKLOAD_H_
#define KSTONE_BENCH_COMPARE_WORKLOAD_H_

// The workloads of kstone_bench, run inside one child process per engine and
// workload (the parent in main.cc measures the child's peak RSS).
//
//   fillseq      N puts in key order
//   fillrandom   N puts of N distinct keys in a pseudo-random order
//   readrandom   prefill N, then N gets of random existing keys
//   readmissing  prefill N, then N gets of absent keys (key + ".")
//   readseq      prefill N, then each thread scans the whole database
//                (kstone: a full Scan through the api, page by page)
//   scan10       prefill N, then N/10 range scans of 10 items from random keys
//                (kstone: Scan StartAfter(key) Limit(10), in kstone's scan
//                order, which is by stripe and not by key: see kstone_engine)
//   mixed        prefill N, then N ops, each a get or a put (overwrite) of a
//                random key with probability 1/2
//   fillsync     like fillrandom with every write synced (sync_num puts)
//   rawsync      append ~120 bytes + fdatasync, sync_num times (no engine)
//   recover      fill until the memtables hold the default cap, _exit()
//                without closing; a second child times the reopen
//   query10 query100 scan put condput overwrite condoverwrite update txn2
//   txn10        issue 3's operations, mostly kstone-only (ops_workload.h)
//
// Operations are split evenly over `threads` threads. The timed region
// holds only the engine calls: operations are built (untimed) in batches of
// kBatch, and a thread's time is the sum of its batches' times; the run's
// time is the slowest thread's.

#include <cstdint>
#include <string>
#include <vector>

namespace kstone::bench {

struct RunSpec {
  std::string engine;
  std::string workload;
  uint64_t num = 1000000;
  uint64_t sync_num = 2000;  // ops of fillsync and rawsync
  // Timed ops of the issue-3 write workloads (put condput overwrite
  // condoverwrite update txn2 txn10); 0: their defaults (N / 10, txn10 N / 50).
  uint64_t ops = 0;
  int threads = 1;
  int value_size = 100;
  bool sync = false;
  bool unbuffered = false;  // kstone disk without sync: kInterval, not kNone
  std::string dir;  // the run's directory (disk engines, rawsync, recover)
  uint64_t seed = 301;
  std::string phase;          // recover: "fill" or "open"
  uint64_t expect_items = 0;  // recover "open": items the fill wrote
};

struct RunResult {
  enum class Kind { kOk, kUnsupported, kError };
  Kind kind = Kind::kOk;
  std::string message;
  uint64_t ops = 0;           // operations timed
  double seconds = 0;         // time of the timed region
  double cpu_seconds = 0;     // process CPU in it (0 if not measured)
  uint64_t items = 0;         // distinct items stored at the end
  uint64_t baseline_rss = 0;  // RSS before the engine was opened
  uint64_t disk_bytes = 0;    // size of the run's directory after Close
  int item_bytes = 0;         // encoded item size (peers' value size)
};

const std::vector<std::string>& AllWorkloads();
bool WorkloadNeedsDisk(const std::string& workload);    // fillsync, recover
bool WorkloadHasNoEngine(const std::string& workload);  // rawsync

// Runs spec in this process (the child).
RunResult RunWorkload(const RunSpec& spec);

// One line of text carrying a RunResult from child to parent.
std::string EncodeResult(const RunResult& result);
RunResult DecodeResult(const std::string& line);

}  // namespace kstone::bench

#endif  // KSTONE_BENCH_COMPARE_WORKLOAD_H_
