#include "bench/compare/ops_workload.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/compare/harness.h"

namespace kstone::bench {
namespace {

constexpr uint64_t kPerPartition = 100;

std::string SortKey(uint64_t i) { return absl::StrFormat("s%06d", i); }

// Stores the query layout: items 0..total-1, item j in partition j / per
// with sort key j % per, written in a pseudo-random order.
absl::Status LoadPartitions(BenchEngine* db, const OpSource& source,
                            uint64_t total, uint64_t per) {
  Permutation perm(total);
  std::vector<BenchOp> batch;
  for (uint64_t i = 0; i < total; i += kBatch) {
    const uint64_t n = std::min<uint64_t>(kBatch, total - i);
    batch.resize(n);
    for (uint64_t j = 0; j < n; ++j) {
      const uint64_t k = perm(i + j);
      source.MakeWrite(k, 0, &batch[j]);
      batch[j].key = source.Key(k / per);
      batch[j].sort_key = SortKey(k % per);
    }
    absl::Status s = db->LoadOps(batch);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// Stores items 0..num-1 (pk-only) with LoadOps, in a pseudo-random order.
absl::Status LoadWithNumber(BenchEngine* db, const OpSource& source,
                            uint64_t num) {
  return PrefillWith(source, num, [db](const std::vector<BenchOp>& ops) {
    return db->LoadOps(ops);
  });
}

}  // namespace

const std::vector<std::string>& OpsWorkloads() {
  static const auto* const kAll = new std::vector<std::string>{
      "query10",   "query100",      "scan",   "put",  "condput",
      "overwrite", "condoverwrite", "update", "txn2", "txn10"};
  return *kAll;
}

bool IsOpsWorkload(const std::string& workload) {
  const auto& all = OpsWorkloads();
  return std::find(all.begin(), all.end(), workload) != all.end();
}

RunResult RunOpsWorkload(const RunSpec& spec, const OpSource& source,
                         BenchEngine* db, RunResult r) {
  const std::string& w = spec.workload;
  const uint64_t num = std::max<uint64_t>(1, spec.num);
  if (w != "put" && w != "overwrite" && !db->OpsUnsupportedReason().empty()) {
    r.kind = RunResult::Kind::kUnsupported;
    r.message = db->OpsUnsupportedReason();
    return r;
  }
  const bool query = w == "query10" || w == "query100";
  const bool txn = w == "txn2" || w == "txn10";
  const uint64_t per = std::min(kPerPartition, num);
  const uint64_t partitions = num / per;

  // Untimed prefill.
  absl::Status s;
  if (query) {
    s = LoadPartitions(db, source, partitions * per, per);
  } else if (w == "update" || txn) {
    s = LoadWithNumber(db, source, num);
  } else {
    s = Prefill(db, source, num);
  }
  // Every workload starts from a settled database (one table per stripe),
  // as after idle compaction, rather than racing the merges the load left:
  // the write workloads run for a fraction of a second, which those merges
  // would dominate.
  if (s.ok()) s = db->Flush();
  if (s.ok()) s = db->Settle();
  if (!s.ok()) return Error(s);

  Plan plan;
  uint64_t ops = std::max<uint64_t>(1, num / 10);
  uint64_t want_items = 0;
  uint64_t fresh = 0;  // new items the workload writes
  if (query) {
    const uint64_t limit = w == "query10" ? 10 : 100;
    if (w == "query100") ops = std::max<uint64_t>(1, num / 100);
    plan.prepare = [&, limit](uint64_t, std::mt19937_64& rng, BenchOp* op) {
      source.MakeRead(source.Key(rng() % partitions), op);
      op->arg = limit;
    };
    plan.exec = [db](const BenchOp& op, Counters* c) {
      return db->RunOp(OpKind::kQuery, op, &c->items);
    };
    want_items = ops * std::min(limit, per);
  } else if (w == "scan") {
    ops = static_cast<uint64_t>(spec.threads);
    plan.prepare = [&](uint64_t i, std::mt19937_64&, BenchOp* op) {
      source.MakeRead("", op);
      op->arg = i;
      op->arg2 = ops;
    };
    plan.exec = [db](const BenchOp& op, Counters* c) {
      return db->RunOp(OpKind::kScanSegment, op, &c->items);
    };
    want_items = num;
  } else if (w == "put" || w == "condput") {
    if (spec.ops != 0) ops = spec.ops;
    fresh = ops;
    const Permutation perm(ops);
    plan.prepare = [&, perm](uint64_t i, std::mt19937_64&, BenchOp* op) {
      source.MakeWrite(num + perm(i), 0, op);
    };
    if (w == "put") {
      plan.exec = [db](const BenchOp& op, Counters*) { return db->Put(op); };
    } else {
      plan.exec = [db](const BenchOp& op, Counters* c) {
        return db->RunOp(OpKind::kPutIfAbsent, op, &c->items);
      };
    }
  } else if (w == "overwrite" || w == "condoverwrite") {
    if (spec.ops != 0) ops = spec.ops;
    plan.prepare = [&](uint64_t, std::mt19937_64& rng, BenchOp* op) {
      source.MakeWrite(rng() % num, 0, op);
    };
    if (w == "overwrite") {
      plan.exec = [db](const BenchOp& op, Counters*) { return db->Put(op); };
    } else {
      plan.exec = [db](const BenchOp& op, Counters* c) {
        return db->RunOp(OpKind::kPutIfEqual, op, &c->items);
      };
    }
  } else if (w == "update") {
    if (spec.ops != 0) ops = spec.ops;
    plan.prepare = [&](uint64_t, std::mt19937_64& rng, BenchOp* op) {
      source.MakeRead(source.Key(rng() % num), op);
    };
    plan.exec = [db](const BenchOp& op, Counters* c) {
      return db->RunOp(OpKind::kUpdate, op, &c->items);
    };
  } else if (txn) {
    const uint64_t actions = w == "txn2" ? 2 : 10;
    if (w == "txn10") ops = std::max<uint64_t>(1, num / 50);
    if (spec.ops != 0) ops = spec.ops;
    fresh = ops * actions / 2;
    plan.prepare = [&, actions](uint64_t i, std::mt19937_64& rng, BenchOp* op) {
      source.MakeRead("", op);
      op->group.resize(actions);
      const uint64_t start = rng() % num;
      for (uint64_t j = 0; j < actions; ++j) {
        if (j % 2 == 0) {
          source.MakeWrite(num + i * actions + j, 0, &op->group[j]);
        } else {
          source.MakeRead(source.Key((start + j) % num), &op->group[j]);
        }
      }
    };
    plan.exec = [db](const BenchOp& op, Counters* c) {
      return db->RunOp(OpKind::kTransact, op, &c->items);
    };
  } else {
    return Error(absl::InvalidArgumentError(
        absl::StrCat("kstone_bench: unknown workload \"", w, "\"")));
  }

  absl::StatusOr<Timed> timed = RunThreads(ops, spec.threads, spec.seed, plan);
  if (!timed.ok()) return Error(timed.status());
  if (timed->counters.items != want_items) {
    return Error(absl::InternalError(absl::StrCat(
        w, ": read ", timed->counters.items, " items, expected ", want_items)));
  }
  r.seconds = timed->seconds;
  r.cpu_seconds = timed->cpu_seconds;
  r.ops = w == "scan" ? timed->counters.items : ops;
  r.items = (query ? partitions * per : num) + fresh;
  return r;
}

}  // namespace kstone::bench
