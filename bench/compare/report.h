#ifndef KSTONE_BENCH_COMPARE_REPORT_H_
#define KSTONE_BENCH_COMPARE_REPORT_H_

// Aggregation and output of kstone_bench: medians over repeats, the table,
// the kstone/peer ratios and the JSON lines.
//
// Definitions (also in docs/performance.md):
//   ops_per_sec      operations / seconds of the timed region (the slowest
//                    thread's); for readseq an operation is one item scanned,
//                    for scan10 one 10-item scan, for recover one reopen.
//   ns_per_op        1e9 / ops_per_sec (wall time per operation).
//   cpu_ns_per_op    CPU time of the whole child process (background flush
//                    and compaction threads included) during the timed
//                    region, less the CPU spent building the operations, per
//                    operation. Less sensitive than ns_per_op to other load
//                    on a shared machine.
//   peak_rss_bytes   ru_maxrss of the child process (wait4).
//   bytes_per_item   (peak RSS - RSS just before the engine opened) / items
//                    stored; disk_bytes_per_item: size of the database's
//                    files after Close / items stored (disk engines).
//   ratio            kstone ops/s / this engine's ops/s, against kstone on
//                    the same medium (kstone-mem for *-mem, kstone-disk for
//                    *-disk), same workload and threads.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/compare/workload.h"

namespace kstone::bench {

struct Row {
  std::string engine;
  std::string workload;
  int threads = 1;
  uint64_t num = 0;  // operations requested (N, or sync_num)
  bool on_disk = false;
  std::string status;  // "ok", "unsupported", "unavailable", "error"
  std::string message;
  int repeats = 0;
  double ops_per_sec = 0;
  double ns_per_op = 0;
  double cpu_ns_per_op = 0;  // process CPU per operation (see below)
  uint64_t peak_rss_bytes = 0;
  double bytes_per_item = 0;
  double disk_bytes_per_item = 0;  // 0 for memory engines
  uint64_t items = 0;
  int item_bytes = 0;
  double recover_seconds = 0;  // recover only
};

// Folds the runs of one engine/workload/threads (each with its peak RSS)
// into a Row of medians. The first error wins.
Row Summarise(Row base, const std::vector<RunResult>& runs,
              const std::vector<uint64_t>& peak_rss);

// kstone ops/s over the row's, or 0 when there is no kstone counterpart.
double RatioKstoneOverPeer(const Row& row, const std::vector<Row>& rows);

std::string FormatTable(const std::vector<Row>& rows, bool header);
std::string FormatJsonLine(const Row& row, const std::vector<Row>& rows);

}  // namespace kstone::bench

#endif  // KSTONE_BENCH_COMPARE_REPORT_H_
