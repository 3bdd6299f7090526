// The engine table of kstone_bench: which engines exist, which were compiled
// in (a peer is compiled only when its package was found at configure time:
// KSTONE_BENCH_HAVE_{LEVELDB,ROCKSDB,SQLITE}), and how to open each.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/compare/bench_engine.h"

namespace kstone::bench {

absl::Status BenchEngine::Load(const std::vector<BenchOp>& ops) {
  for (const BenchOp& op : ops) {
    absl::Status s = Put(op);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status BenchEngine::Flush() { return absl::OkStatus(); }

absl::Status BenchEngine::Settle() { return absl::OkStatus(); }

std::string BenchEngine::OpsUnsupportedReason() const {
  return "kstone-only workload (issue 3)";
}

absl::Status BenchEngine::LoadOps(const std::vector<BenchOp>&) {
  return absl::UnimplementedError(OpsUnsupportedReason());
}

absl::Status BenchEngine::RunOp(OpKind, const BenchOp&, uint64_t*) {
  return absl::UnimplementedError(OpsUnsupportedReason());
}

absl::StatusOr<uint64_t> BenchEngine::MemtableBytes() {
  return absl::UnimplementedError("engine does not report memtable bytes");
}

absl::StatusOr<uint64_t> BenchEngine::MemtableCapBytes() {
  return absl::UnimplementedError("engine does not report a memtable cap");
}

namespace {

#ifdef KSTONE_BENCH_HAVE_LEVELDB
constexpr bool kHaveLevelDb = true;
#else
constexpr bool kHaveLevelDb = false;
absl::StatusOr<std::unique_ptr<BenchEngine>> OpenLevelDbMissing(
    bool, const EngineConfig&) {
  return absl::UnavailableError("leveldb was not found at configure time");
}
#endif
#ifdef KSTONE_BENCH_HAVE_ROCKSDB
constexpr bool kHaveRocksDb = true;
#else
constexpr bool kHaveRocksDb = false;
absl::StatusOr<std::unique_ptr<BenchEngine>> OpenRocksDbMissing(
    bool, const EngineConfig&) {
  return absl::UnavailableError("rocksdb was not found at configure time");
}
#endif
#ifdef KSTONE_BENCH_HAVE_SQLITE
constexpr bool kHaveSqlite = true;
#else
constexpr bool kHaveSqlite = false;
absl::StatusOr<std::unique_ptr<BenchEngine>> OpenSqliteMissing(
    bool, const EngineConfig&) {
  return absl::UnavailableError("sqlite3 was not found at configure time");
}
#endif

using OpenFn =
    absl::StatusOr<std::unique_ptr<BenchEngine>> (*)(bool, const EngineConfig&);

struct Family {
  const char* name;
  bool available;
  const char* package;
  OpenFn open;
};

const Family kFamilies[] = {
    {"kstone", true, "", &OpenKstone},
#ifdef KSTONE_BENCH_HAVE_LEVELDB
    {"leveldb", kHaveLevelDb, "libleveldb-dev", &OpenLevelDb},
#else
    {"leveldb", kHaveLevelDb, "libleveldb-dev", &OpenLevelDbMissing},
#endif
#ifdef KSTONE_BENCH_HAVE_ROCKSDB
    {"rocksdb", kHaveRocksDb, "librocksdb-dev", &OpenRocksDb},
#else
    {"rocksdb", kHaveRocksDb, "librocksdb-dev", &OpenRocksDbMissing},
#endif
#ifdef KSTONE_BENCH_HAVE_SQLITE
    {"sqlite", kHaveSqlite, "libsqlite3-dev", &OpenSqlite},
#else
    {"sqlite", kHaveSqlite, "libsqlite3-dev", &OpenSqliteMissing},
#endif
};

}  // namespace

std::vector<EngineInfo> AllEngines() {
  std::vector<EngineInfo> out;
  for (const Family& f : kFamilies) {
    for (bool disk : {false, true}) {
      out.push_back(EngineInfo{
          absl::StrCat(f.name, disk ? "-disk" : "-mem"), f.available, disk,
          f.available ? ""
                      : absl::StrCat("not compiled in (install ", f.package,
                                     ": scripts/setup.sh --peers, then "
                                     "reconfigure)")});
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<BenchEngine>> OpenEngine(
    const std::string& name, const EngineConfig& config) {
  for (const Family& f : kFamilies) {
    for (bool disk : {false, true}) {
      if (name == absl::StrCat(f.name, disk ? "-disk" : "-mem")) {
        return f.open(!disk, config);
      }
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("kstone_bench: unknown engine \"", name, "\""));
}

}  // namespace kstone::bench
