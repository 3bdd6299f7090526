#include "bench/compare/workload.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/compare/bench_engine.h"
#include "bench/compare/harness.h"
#include "bench/compare/op_source.h"
#include "bench/compare/ops_workload.h"

namespace kstone::bench {
namespace {

constexpr uint64_t kScanLength = 10;

using Clock = std::chrono::steady_clock;

uint64_t CurrentRss() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

uint64_t g_tree_bytes = 0;
int AddFileSize(const char*, const struct stat* st, int type, struct FTW*) {
  if (type == FTW_F) g_tree_bytes += static_cast<uint64_t>(st->st_size);
  return 0;
}

uint64_t TreeBytes(const std::string& dir) {
  g_tree_bytes = 0;
  if (::nftw(dir.c_str(), &AddFileSize, 16, FTW_PHYS) != 0) return 0;
  return g_tree_bytes;
}

RunResult RawSync(const RunSpec& spec) {
  if (::mkdir(spec.dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error(absl::ErrnoToStatus(errno, spec.dir));
  }
  const std::string path = spec.dir + "/raw.log";
  int fd =
      ::open(path.c_str(), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Error(absl::ErrnoToStatus(errno, path));
  std::string record(120, 'r');
  RunResult r;
  const Clock::time_point t0 = Clock::now();
  for (uint64_t i = 0; i < spec.sync_num; ++i) {
    if (::write(fd, record.data(), record.size()) !=
            static_cast<ssize_t>(record.size()) ||
        ::fdatasync(fd) != 0) {
      absl::Status s = absl::ErrnoToStatus(errno, path);
      ::close(fd);
      return Error(s);
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  ::close(fd);
  r.ops = spec.sync_num;
  r.items = spec.sync_num;
  r.disk_bytes = TreeBytes(spec.dir);
  return r;
}

}  // namespace

const std::vector<std::string>& AllWorkloads() {
  static const auto* const kAll = [] {
    auto* all = new std::vector<std::string>{
        "fillseq", "fillrandom", "readrandom", "readmissing", "readseq",
        "scan10",  "mixed",      "fillsync",   "rawsync",     "recover"};
    all->insert(all->end(), OpsWorkloads().begin(), OpsWorkloads().end());
    return all;
  }();
  return *kAll;
}

bool WorkloadNeedsDisk(const std::string& w) {
  return w == "fillsync" || w == "recover";
}
bool WorkloadHasNoEngine(const std::string& w) { return w == "rawsync"; }

RunResult RunWorkload(const RunSpec& spec) {
  const std::string& w = spec.workload;
  if (w == "rawsync") return RawSync(spec);

  absl::StatusOr<OpSource> source_or = OpSource::Create(spec.value_size);
  if (!source_or.ok()) return Error(source_or.status());
  const OpSource source = *source_or;

  EngineConfig config;
  config.dir = spec.dir;
  config.sync = spec.sync || w == "fillsync";
  config.unbuffered = spec.unbuffered;
  config.threads = spec.threads;
  if (IsOpsWorkload(w)) config.block_cache_bytes = kOpsBlockCacheBytes;
  config.sort_key = w == "query10" || w == "query100";

  RunResult r;
  r.item_bytes = source.encoded_size();
  r.baseline_rss = CurrentRss();
  const Clock::time_point open_start = Clock::now();
  absl::StatusOr<std::unique_ptr<BenchEngine>> engine_or =
      OpenEngine(spec.engine, config);
  const double open_seconds =
      std::chrono::duration<double>(Clock::now() - open_start).count();
  if (!engine_or.ok()) return Error(engine_or.status());
  std::unique_ptr<BenchEngine> engine = std::move(*engine_or);
  BenchEngine* db = engine.get();
  const uint64_t num = spec.num;

  if (w == "recover" && spec.phase == "open") {
    // The open above replayed what the crashed fill left behind.
    r.seconds = open_seconds;
    r.ops = 1;
    // Every item of the fill must be back: check a sample.
    Permutation perm(num);
    const uint64_t written = spec.expect_items;
    const uint64_t step = std::max<uint64_t>(1, written / 1000);
    for (uint64_t i = 0; i < written; i += step) {
      BenchOp op;
      source.MakeRead(source.Key(perm(i)), &op);
      bool found = false;
      absl::Status s = db->Get(op, &found);
      if (!s.ok()) return Error(s);
      if (!found) {
        return Error(absl::DataLossError(
            absl::StrCat("recover: item ", perm(i), " (", i, " of ", written,
                         " written) missing after reopen")));
      }
    }
    r.items = written;
  } else if (w == "recover") {
    // Fill in random order until the memtables hold the default cap, then
    // die without closing. Reports how many items were written.
    absl::StatusOr<uint64_t> cap = db->MemtableCapBytes();
    if (!cap.ok()) {
      r.kind = RunResult::Kind::kUnsupported;
      r.message = std::string(cap.status().message());
      return r;
    }
    Permutation perm(num);
    uint64_t written = 0;
    uint64_t peak_bytes = 0;
    for (; written < num; ++written) {
      BenchOp op;
      source.MakeWrite(perm(written), 0, &op);
      absl::Status s = db->Put(op);
      if (!s.ok()) return Error(s);
      if (written % 1024 == 1023) {
        absl::StatusOr<uint64_t> bytes = db->MemtableBytes();
        if (!bytes.ok()) return Error(bytes.status());
        peak_bytes = std::max(peak_bytes, *bytes);
        if (*bytes >= *cap / 20 * 19) {
          ++written;
          break;
        }
      }
    }
    absl::StatusOr<uint64_t> bytes = db->MemtableBytes();
    r.ops = written;
    r.items = written;
    r.message = absl::StrCat("memtables ", (bytes.ok() ? *bytes : 0) >> 20,
                             " MiB at the crash (peak ", peak_bytes >> 20,
                             " MiB, cap ", *cap >> 20, " MiB)");
    engine.release();  // deliberately leaked: the process dies unclosed
    return r;
  } else if (IsOpsWorkload(w)) {
    r = RunOpsWorkload(spec, source, db, r);
    if (r.kind != RunResult::Kind::kOk) return r;
  } else {
    const bool fill = w == "fillseq" || w == "fillrandom" || w == "fillsync";
    const bool scan = w == "readseq" || w == "scan10";
    if (scan && !db->ScanUnsupportedReason().empty()) {
      r.kind = RunResult::Kind::kUnsupported;
      r.message = db->ScanUnsupportedReason();
      return r;
    }
    const uint64_t total = w == "fillsync" ? spec.sync_num : num;
    if (!fill) {
      // Every engine starts the workload from its settled shape (memtable
      // written out, a full compaction done, untimed), as RocksDB's own
      // benchmark scripts compact after the bulk load: the reads measure
      // the engine, not the load's leftover merges.
      absl::Status s = Prefill(db, source, num);
      if (s.ok()) s = db->Flush();
      if (s.ok()) s = db->Settle();
      if (!s.ok()) return Error(s);
    }
    Permutation perm(total);
    Plan plan;
    uint64_t ops = total;
    uint64_t want_found = 0;
    uint64_t want_items = 0;
    if (w == "fillseq") {
      plan.prepare = [&](uint64_t i, std::mt19937_64&, BenchOp* op) {
        source.MakeWrite(i, 0, op);
      };
    } else if (fill) {
      plan.prepare = [&](uint64_t i, std::mt19937_64&, BenchOp* op) {
        source.MakeWrite(perm(i), 0, op);
      };
    } else if (w == "readrandom" || w == "readmissing") {
      const bool missing = w == "readmissing";
      plan.prepare = [&, missing](uint64_t, std::mt19937_64& rng, BenchOp* op) {
        const uint64_t k = rng() % num;
        source.MakeRead(missing ? source.MissingKey(k) : source.Key(k), op);
      };
      plan.exec = [db](const BenchOp& op, Counters* c) {
        bool found = false;
        absl::Status s = db->Get(op, &found);
        c->found += found ? 1 : 0;
        return s;
      };
      want_found = missing ? 0 : ops;
    } else if (w == "readseq") {
      ops = static_cast<uint64_t>(spec.threads);  // one full scan per thread
      plan.prepare = [&](uint64_t, std::mt19937_64&, BenchOp* op) {
        source.MakeRead("", op);
      };
      plan.exec = [db](const BenchOp& op, Counters* c) {
        return db->Scan(op.key, 0, &c->items);
      };
      want_items = num * ops;
    } else if (w == "scan10") {
      ops = std::max<uint64_t>(1, num / 10);
      plan.prepare = [&](uint64_t, std::mt19937_64& rng, BenchOp* op) {
        const uint64_t span = num > kScanLength ? num - kScanLength + 1 : 1;
        source.MakeRead(source.Key(rng() % span), op);
      };
      plan.exec = [db](const BenchOp& op, Counters* c) {
        return db->Scan(op.key, kScanLength, &c->items);
      };
      want_items = ops * std::min<uint64_t>(kScanLength, num);
    } else if (w == "mixed") {
      plan.prepare = [&](uint64_t i, std::mt19937_64& rng, BenchOp* op) {
        const uint64_t k = rng() % num;
        if (rng() & 1) {
          source.MakeWrite(k, i + 1, op);
        } else {
          source.MakeRead(source.Key(k), op);
        }
      };
      plan.exec = [db](const BenchOp& op, Counters* c) {
        if (op.is_write) {
          ++c->found;
          return db->Put(op);
        }
        bool found = false;
        absl::Status s = db->Get(op, &found);
        c->found += found ? 1 : 0;
        return s;
      };
      want_found = ops;
    } else {
      return Error(absl::InvalidArgumentError(
          absl::StrCat("kstone_bench: unknown workload \"", w, "\"")));
    }
    if (fill) {
      plan.exec = [db](const BenchOp& op, Counters*) { return db->Put(op); };
    }
    absl::StatusOr<Timed> timed =
        RunThreads(ops, spec.threads, spec.seed, plan);
    if (!timed.ok()) return Error(timed.status());
    if (timed->counters.found != want_found) {
      return Error(absl::InternalError(
          absl::StrCat(w, ": ", timed->counters.found, " of ", ops,
                       " reads found their item, expected ", want_found)));
    }
    if (timed->counters.items != want_items) {
      return Error(absl::InternalError(
          absl::StrCat(w, ": scanned ", timed->counters.items,
                       " items, expected ", want_items)));
    }
    r.seconds = timed->seconds;
    r.cpu_seconds = timed->cpu_seconds;
    r.ops = w == "readseq" ? timed->counters.items : ops;
    r.items = total;
  }
  absl::Status s = engine->Close();
  if (!s.ok()) return Error(s);
  engine.reset();
  if (!spec.dir.empty()) r.disk_bytes = TreeBytes(spec.dir);
  return r;
}

std::string EncodeResult(const RunResult& r) {
  const char* kind = r.kind == RunResult::Kind::kOk            ? "ok"
                     : r.kind == RunResult::Kind::kUnsupported ? "unsupported"
                                                               : "error";
  std::string message = r.message;
  std::replace(message.begin(), message.end(), '\n', ' ');
  std::replace(message.begin(), message.end(), '\t', ' ');
  return absl::StrCat(kind, "\t", r.ops, "\t", r.seconds * 1e9, "\t",
                      r.cpu_seconds * 1e9, "\t", r.items, "\t", r.baseline_rss,
                      "\t", r.disk_bytes, "\t", r.item_bytes, "\t", message,
                      "\n");
}

RunResult DecodeResult(const std::string& line) {
  std::vector<std::string> f = absl::StrSplit(line, '\t');
  RunResult r;
  if (f.size() < 9) {
    r.kind = RunResult::Kind::kError;
    r.message = line.empty() ? "child reported nothing" : "bad child report";
    return r;
  }
  r.kind = f[0] == "ok"            ? RunResult::Kind::kOk
           : f[0] == "unsupported" ? RunResult::Kind::kUnsupported
                                   : RunResult::Kind::kError;
  double ns = 0, cpu_ns = 0;
  bool ok = absl::SimpleAtoi(f[1], &r.ops) && absl::SimpleAtod(f[2], &ns) &&
            absl::SimpleAtod(f[3], &cpu_ns) &&
            absl::SimpleAtoi(f[4], &r.items) &&
            absl::SimpleAtoi(f[5], &r.baseline_rss) &&
            absl::SimpleAtoi(f[6], &r.disk_bytes) &&
            absl::SimpleAtoi(f[7], &r.item_bytes);
  r.seconds = ns / 1e9;
  r.cpu_seconds = cpu_ns / 1e9;
  r.message = f[8];
  while (!r.message.empty() && r.message.back() == '\n') r.message.pop_back();
  if (!ok) {
    r.kind = RunResult::Kind::kError;
    r.message = "bad child report: " + line;
  }
  return r;
}

}  // namespace kstone::bench
