#ifndef KSTONE_BENCH_COMPARE_BENCH_ENGINE_H_
#define KSTONE_BENCH_COMPARE_BENCH_ENGINE_H_

// BenchEngine: what kstone_bench asks of every engine it compares (kstone on
// :memory: and disk, LevelDB, RocksDB, SQLite). One engine lives in one child
// process, for one workload.
//
// Work is equal across engines: every operation names an item by the same
// key string; kstone stores the item through the public api, the peers store
// under the key string the exact bytes kstone's item codec produces for that
// item (BenchOp::encoded). The harness builds both forms outside the timed
// region, so the timed region holds only the database calls.
//
// Thread safety: Put/Get/Scan may be called from several threads at once
// (the engine serialises internally if the underlying database needs it).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
namespace kstone {
class Item;
}  // namespace kstone

namespace kstone::bench {

// One prepared operation: the key string, the item as the api sees it, and
// the bytes kstone's codec makes of it (what the peers store).
// Built by op_source.cc (which defines the special members, where Item is
// complete).
struct BenchOp {
  BenchOp();
  ~BenchOp();
  BenchOp(BenchOp&&) noexcept;
  BenchOp& operator=(BenchOp&&) noexcept;

  std::string key;
  std::unique_ptr<Item> item;  // null for reads
  std::string encoded;         // empty for reads
  bool is_write = false;

  // Used only by the kstone-only workloads (OpKind, ops_workload.h):
  std::string sort_key;        // LoadOps: the item's sort key ("" = none)
  uint64_t arg = 0;            // kQuery: the limit; kScanSegment: segment
  uint64_t arg2 = 0;           // kScanSegment: number of segments
  std::vector<BenchOp> group;  // kTransact: the actions (is_write: a Put of
                               // item, else an Update of key)
};

// The operations of the kstone-only workloads of issue 3 (ops_workload.h).
enum class OpKind {
  kQuery,        // Query(op.key).Limit(op.arg): one page of a partition
  kScanSegment,  // Scan segment op.arg of op.arg2 to its end
  kPutIfAbsent,  // Put(op.item) if attribute_not_exists(pk)
  kPutIfEqual,   // Put(op.item) if "v = :v", :v = op.item's v
  kUpdate,       // Update op.key: SET a = a + :one, ReturnValues NONE
  kTransact,     // TransactWrite of op.group
};

struct EngineConfig {
  std::string dir;                 // empty for memory engines
  bool sync = false;               // disk: sync every commit
  bool unbuffered = false;         // kstone disk, no sync: SyncMode::kInterval
  int threads = 1;                 // how many threads will call the engine
  uint64_t block_cache_bytes = 0;  // 0 = the engine's default
  bool sort_key = false;           // kstone: the table has a sort key
};

class BenchEngine {
 public:
  virtual ~BenchEngine() = default;

  // Stores op.item (kstone) or op.encoded (peers) under op.key.
  virtual absl::Status Put(const BenchOp& op) = 0;
  // Stores a run of ops, batched the way the engine loads fastest (used only
  // for the untimed prefill of the read workloads).
  virtual absl::Status Load(const std::vector<BenchOp>& ops);
  // Looks op.key up; sets *found. Touches the value so it is really read.
  virtual absl::Status Get(const BenchOp& op, bool* found) = 0;
  // Reads up to `limit` items in key order from the first key >= start
  // (limit 0 = to the end); adds the count to *items. Unimplemented if the
  // engine cannot scan.
  virtual absl::Status Scan(std::string_view start, uint64_t limit,
                            uint64_t* items) = 0;
  // Releases the database; disk bytes are measured after this.
  virtual absl::Status Close() = 0;
  // Why Scan is unsupported, or empty if it is supported.
  virtual std::string ScanUnsupportedReason() const { return ""; }
  // Writes memtables out (untimed, after a prefill); a no-op by default.
  virtual absl::Status Flush();
  // Compacts to the engine's steady state (untimed, after every prefill: a
  // settled database, not one whose background merges still run); a no-op
  // by default (SQLite has nothing to merge).
  virtual absl::Status Settle();

  // The kstone-only workloads (ops_workload.h). Why the engine cannot run
  // them, or empty if it can.
  virtual std::string OpsUnsupportedReason() const;
  // Untimed prefill of those workloads: stores each op.item (with op.sort_key
  // as its sort key if set) plus the number a = 0.
  virtual absl::Status LoadOps(const std::vector<BenchOp>& ops);
  // Runs one operation; adds the items it read to *items.
  virtual absl::Status RunOp(OpKind kind, const BenchOp& op, uint64_t* items);
  // For the recover workload: bytes held in memtables now, and the default
  // cap on them. Unimplemented for engines that do not report it.
  virtual absl::StatusOr<uint64_t> MemtableBytes();
  virtual absl::StatusOr<uint64_t> MemtableCapBytes();
};

// Engine names and whether each was compiled in.
struct EngineInfo {
  std::string name;
  bool available;
  bool on_disk;
  std::string why_unavailable;
};
std::vector<EngineInfo> AllEngines();

// Opens engine `name` (one of AllEngines()).
absl::StatusOr<std::unique_ptr<BenchEngine>> OpenEngine(
    const std::string& name, const EngineConfig& config);

// Peer factories (each defined only when the peer was found at configure
// time; see engines.cc).
absl::StatusOr<std::unique_ptr<BenchEngine>> OpenKstone(
    bool in_memory, const EngineConfig& config);
absl::StatusOr<std::unique_ptr<BenchEngine>> OpenLevelDb(
    bool in_memory, const EngineConfig& config);
absl::StatusOr<std::unique_ptr<BenchEngine>> OpenRocksDb(
    bool in_memory, const EngineConfig& config);
absl::StatusOr<std::unique_ptr<BenchEngine>> OpenSqlite(
    bool in_memory, const EngineConfig& config);

}  // namespace kstone::bench

#endif  // KSTONE_BENCH_COMPARE_BENCH_ENGINE_H_
