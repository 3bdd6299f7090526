// kstone_bench: a db_bench-style comparison of kstone with LevelDB, RocksDB
// and SQLite, each engine and workload in its own process.
//
//   kstone_bench --engines kstone-mem,leveldb-mem --workloads fillrandom
//                --num 1000000 --threads 1,2 --repeat 3 [--json]
//
// The parent re-executes itself with the hidden --child flag for every run
// and reads the child's peak RSS from wait4(). See report.h for what each
// column means and docs/performance.md for results.

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/compare/bench_engine.h"
#include "bench/compare/report.h"
#include "bench/compare/workload.h"

extern char** environ;

namespace kstone::bench {
namespace {

constexpr char kUsage[] =
    "usage: kstone_bench [flags]\n"
    "  --engines a,b,...    kstone-mem kstone-disk leveldb-mem leveldb-disk\n"
    "                       rocksdb-mem rocksdb-disk sqlite-mem sqlite-disk\n"
    "                       (default: all)\n"
    "  --workloads a,b,...  fillseq fillrandom readrandom readmissing readseq\n"
    "                       scan10 mixed fillsync rawsync recover\n"
    "                       issue 3 (kstone-only but put, overwrite):\n"
    "                       query10 query100 scan put condput overwrite\n"
    "                       condoverwrite update txn2 txn10\n"
    "                       (default: the first seven)\n"
    "  --num N              items (default 1000000)\n"
    "  --sync_num N         writes of fillsync and rawsync (default 2000)\n"
    "  --ops N              timed ops of put condput overwrite condoverwrite\n"
    "                       update txn2 txn10 (default N/10, txn10 N/50);\n"
    "                       more ops average over more flushes and merges\n"
    "  --threads T[,T...]   threads (default 1)\n"
    "  --value_size B       encoded item size in bytes (default 100)\n"
    "  --repeat R           runs per result, medians reported (default 1)\n"
    "  --sync               disk engines sync every commit\n"
    "  --unbuffered         kstone-disk without --sync hands every commit to\n"
    "                       the OS (SyncMode::kInterval, synced every 100 ms)\n"
    "                       instead of SyncMode::kNone, whose commits may\n"
    "                       wait ~1 ms in kstone's WAL buffer; the peers\n"
    "                       always hand every commit to the OS\n"
    "  --json               one JSON object per result on stdout\n"
    "  --db_dir DIR         where disk runs live (default /tmp/kstone_bench)\n"
    "  --seed S             random seed (default 301)\n";

struct Flags {
  std::vector<std::string> engines;
  std::vector<std::string> workloads = {
      "fillseq", "fillrandom", "readrandom", "readmissing",
      "readseq", "scan10",     "mixed"};
  std::vector<int> threads = {1};
  int repeat = 1;
  bool json = false;
  std::string db_dir = "/tmp/kstone_bench";
  RunSpec spec;  // num, sync_num, value_size, sync, seed (+ child fields)
  bool child = false;
  int result_fd = -1;
};

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "kstone_bench: " << message << "\n";
  std::exit(2);
}

template <typename T>
T ParseNumber(const std::string& flag, const std::string& text) {
  T v{};
  if (!absl::SimpleAtoi(text, &v)) {
    Die(absl::StrCat("bad value \"", text, "\" for --", flag));
  }
  return v;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (const EngineInfo& e : AllEngines()) f.engines.push_back(e.name);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (arg.rfind("--", 0) != 0) Die(absl::StrCat("unexpected \"", arg, "\""));
    std::string name = arg.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (name == "sync" || name == "unbuffered" || name == "json" ||
        name == "child") {
      if (has_value) Die(absl::StrCat("--", name, " takes no value"));
      if (name == "sync") f.spec.sync = true;
      if (name == "unbuffered") f.spec.unbuffered = true;
      if (name == "json") f.json = true;
      if (name == "child") f.child = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) Die(absl::StrCat("--", name, " needs a value"));
      value = argv[++i];
    }
    if (name == "engines") {
      f.engines = absl::StrSplit(value, ',', absl::SkipEmpty());
    } else if (name == "workloads") {
      f.workloads = absl::StrSplit(value, ',', absl::SkipEmpty());
    } else if (name == "threads") {
      f.threads.clear();
      for (absl::string_view t :
           absl::StrSplit(value, ',', absl::SkipEmpty())) {
        int n = ParseNumber<int>(name, std::string(t));
        if (n < 1 || n > 256) Die("--threads must be in 1..256");
        f.threads.push_back(n);
      }
    } else if (name == "num") {
      f.spec.num = ParseNumber<uint64_t>(name, value);
    } else if (name == "sync_num") {
      f.spec.sync_num = ParseNumber<uint64_t>(name, value);
    } else if (name == "ops") {
      f.spec.ops = ParseNumber<uint64_t>(name, value);
      if (f.spec.ops == 0) Die("--ops must be > 0");
    } else if (name == "value_size") {
      f.spec.value_size = ParseNumber<int>(name, value);
    } else if (name == "repeat") {
      f.repeat = ParseNumber<int>(name, value);
      if (f.repeat < 1) Die("--repeat must be >= 1");
    } else if (name == "db_dir") {
      f.db_dir = value;
    } else if (name == "seed") {
      f.spec.seed = ParseNumber<uint64_t>(name, value);
    } else if (name == "engine") {  // --child only, from here on
      f.spec.engine = value;
    } else if (name == "workload") {
      f.spec.workload = value;
    } else if (name == "dir") {
      f.spec.dir = value;
    } else if (name == "phase") {
      f.spec.phase = value;
    } else if (name == "expect_items") {
      f.spec.expect_items = ParseNumber<uint64_t>(name, value);
    } else if (name == "result_fd") {
      f.result_fd = ParseNumber<int>(name, value);
    } else {
      Die(absl::StrCat("unknown flag --", name, "\n", kUsage));
    }
  }
  if (f.spec.num == 0) Die("--num must be > 0");
  if (f.spec.sync_num == 0) Die("--sync_num must be > 0");
  if (f.child) {
    if (f.threads.size() != 1) Die("--child takes one --threads value");
    f.spec.threads = f.threads[0];
  }
  return f;
}

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  ::remove(path);
  return 0;
}

void RemoveTree(const std::string& dir) {
  ::nftw(dir.c_str(), &RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

int RunChild(const Flags& f) {
  RunResult r = RunWorkload(f.spec);
  const std::string line = EncodeResult(r);
  if (f.result_fd >= 0) {
    if (::write(f.result_fd, line.data(), line.size()) < 0) return 3;
  } else {
    std::cout << line;
    std::cout.flush();
  }
  // recover's fill dies without closing anything, on purpose.
  if (f.spec.workload == "recover" && f.spec.phase == "fill") ::_exit(0);
  return r.kind == RunResult::Kind::kError ? 1 : 0;
}

// Runs one child; returns its result and sets *peak_rss.
RunResult Spawn(const RunSpec& spec, uint64_t* peak_rss) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    RunResult r;
    r.kind = RunResult::Kind::kError;
    r.message = "pipe failed";
    return r;
  }
  // The write end must survive exec in the child.
  const int child_fd = ::fcntl(fds[1], F_DUPFD, 10);
  ::close(fds[1]);
  std::vector<std::string> args = {
      "",  // argv[0]: the executable, set below
      "--child",
      absl::StrCat("--engine=", spec.engine),
      absl::StrCat("--workload=", spec.workload),
      absl::StrCat("--num=", spec.num),
      absl::StrCat("--sync_num=", spec.sync_num),
      absl::StrCat("--threads=", spec.threads),
      absl::StrCat("--value_size=", spec.value_size),
      absl::StrCat("--seed=", spec.seed),
      absl::StrCat("--dir=", spec.dir),
      absl::StrCat("--phase=", spec.phase),
      absl::StrCat("--expect_items=", spec.expect_items),
      absl::StrCat("--result_fd=", child_fd),
  };
  if (spec.ops != 0) args.push_back(absl::StrCat("--ops=", spec.ops));
  if (spec.sync) args.push_back("--sync");
  if (spec.unbuffered) args.push_back("--unbuffered");
  std::string exe(4096, '\0');
  ssize_t len = ::readlink("/proc/self/exe", exe.data(), exe.size() - 1);
  exe.resize(len > 0 ? static_cast<size_t>(len) : 0);
  args[0] = exe;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  RunResult r;
  r.kind = RunResult::Kind::kError;
  int rc =
      ::posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), environ);
  ::close(child_fd);
  if (rc != 0) {
    ::close(fds[0]);
    r.message = absl::StrCat("posix_spawn failed: ", rc);
    return r;
  }
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0 ||
         (n < 0 && errno == EINTR)) {
    if (n > 0) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  struct rusage ru {};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  *peak_rss = static_cast<uint64_t>(ru.ru_maxrss) * 1024;
  r = DecodeResult(out);
  if (out.empty() || (WIFSIGNALED(status) && r.kind == RunResult::Kind::kOk)) {
    r.kind = RunResult::Kind::kError;
    r.message = WIFSIGNALED(status)
                    ? absl::StrCat("child killed by signal ", WTERMSIG(status))
                    : absl::StrCat("child exited with ", WEXITSTATUS(status),
                                   " and no report");
  }
  return r;
}

int RunParent(const Flags& f) {
  std::vector<EngineInfo> all = AllEngines();
  for (const std::string& w : f.workloads) {
    const auto& known = AllWorkloads();
    if (std::find(known.begin(), known.end(), w) == known.end()) {
      Die(absl::StrCat("unknown workload \"", w, "\"\n", kUsage));
    }
  }
  std::vector<const EngineInfo*> engines;
  for (const std::string& name : f.engines) {
    const EngineInfo* info = nullptr;
    for (const EngineInfo& e : all) {
      if (e.name == name) info = &e;
    }
    if (info == nullptr) Die(absl::StrCat("unknown engine \"", name, "\""));
    engines.push_back(info);
  }
  ::mkdir(f.db_dir.c_str(), 0755);
  std::vector<Row> rows;
  for (const std::string& w : f.workloads) {
    for (int threads : f.threads) {
      // rawsync and recover are single-threaded: run them once.
      if ((w == "rawsync" || w == "recover") && threads != f.threads[0]) {
        continue;
      }
      if (w == "rawsync" || w == "recover") threads = 1;
      std::vector<EngineInfo> targets;
      if (WorkloadHasNoEngine(w)) {
        targets.push_back(EngineInfo{"raw-disk", true, true, ""});
      } else {
        for (const EngineInfo* e : engines) {
          if (WorkloadNeedsDisk(w) && !e->on_disk) continue;
          targets.push_back(*e);
        }
      }
      // Repeats are interleaved (run 1 of every engine, then run 2, ...),
      // so that a change in the machine's load hits every engine alike.
      std::vector<std::vector<RunResult>> runs(targets.size());
      std::vector<std::vector<uint64_t>> rss(targets.size());
      for (int rep = 0; rep < f.repeat; ++rep) {
        for (size_t i = 0; i < targets.size(); ++i) {
          const EngineInfo& e = targets[i];
          if (!e.available) continue;
          if (!runs[i].empty() && runs[i].back().kind != RunResult::Kind::kOk) {
            continue;  // failed or unsupported: don't repeat
          }
          RunSpec spec = f.spec;
          spec.engine = e.name;
          spec.workload = w;
          spec.threads = threads;
          spec.seed = f.spec.seed + static_cast<uint64_t>(rep);
          spec.dir = e.on_disk ? absl::StrCat(f.db_dir, "/", e.name, "-",
                                              ::getpid(), "-", rep)
                               : "";
          RemoveTree(spec.dir);
          uint64_t peak = 0;
          RunResult r;
          if (w == "recover") {
            spec.phase = "fill";
            RunResult fill = Spawn(spec, &peak);
            if (fill.kind != RunResult::Kind::kOk) {
              r = fill;
            } else {
              spec.phase = "open";
              spec.expect_items = fill.items;
              r = Spawn(spec, &peak);
              if (r.kind == RunResult::Kind::kOk) r.message = fill.message;
            }
          } else {
            r = Spawn(spec, &peak);
          }
          if (!spec.dir.empty()) RemoveTree(spec.dir);
          runs[i].push_back(r);
          rss[i].push_back(peak);
        }
      }
      for (size_t i = 0; i < targets.size(); ++i) {
        const EngineInfo& e = targets[i];
        Row row;
        row.engine = e.name;
        row.workload = w;
        row.threads = threads;
        row.on_disk = e.on_disk;
        row.num =
            w == "fillsync" || w == "rawsync" ? f.spec.sync_num : f.spec.num;
        if (!e.available) {
          row.status = "unavailable";
          row.message = e.why_unavailable;
        } else {
          row = Summarise(row, runs[i], rss[i]);
        }
        rows.push_back(row);
        std::cerr << FormatTable({row}, false);
        // Streamed, so that a long matrix keeps what it measured. The ratio
        // is there when kstone ran first (list kstone-* first in --engines).
        if (f.json) std::cout << FormatJsonLine(row, rows) << std::endl;
      }
    }
  }
  (f.json ? std::cerr : std::cout) << "\n" << FormatTable(rows, true);
  bool any_error = false;
  for (const Row& r : rows) any_error |= r.status == "error";
  return any_error ? 1 : 0;
}

}  // namespace
}  // namespace kstone::bench

int main(int argc, char** argv) {
  kstone::bench::Flags flags = kstone::bench::ParseFlags(argc, argv);
  return flags.child ? kstone::bench::RunChild(flags)
                     : kstone::bench::RunParent(flags);
}
