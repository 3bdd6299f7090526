// kstone as a kstone_bench engine, through the public api only: Put(item)
// (the key is taken from the item's pk attribute) and Get(Key). In memory:
// Database::CreateInMemoryWithSchema; on disk: a directory database. The
// table's schema is pk (S) without a sort key (DynamoDB's HASH-only table),
// except for the query workloads, which need pk and sk (S). Default Options,
// except that without --sync a disk database leaves syncing to the OS
// (SyncMode::kNone), like the peers (but kNone may hold commits ~1 ms in
// kstone's own WAL buffer, where the peers write each to the OS: with
// --unbuffered kstone uses kInterval, which writes every commit and syncs
// every 100 ms); with --sync every commit is synced (kEveryCommit, kstone's
// own default).
//
// readseq and scan10 go through ScanEach, kstone's one-pass read (the
// peers' are an iterator or a stepped statement, not pages; the issue-3
// "scan" workload pages through Scan). A table whose items have only a
// partition key (kstone_bench's) is hash-partitioned into stripes, as
// DynamoDB's tables are, so there is no range of partition keys to read in
// key order: readseq visits the whole table (in kstone's scan order), and
// scan10 is Scan().StartAfter(Key(start)).Limit(10), the 10 items that
// follow `start` in that order (wrapping to the table's start when fewer
// remain), which is the same work as the peers' seek + 10 nexts but not the
// same 10 items. The issue-3 workloads (ops_workload.h) run through RunOp.

#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "bench/compare/bench_engine.h"
#include "kstone/kstone.h"

namespace kstone::bench {
namespace {

class KstoneEngine final : public BenchEngine {
 public:
  KstoneEngine(bool in_memory, const EngineConfig& config)
      : in_memory_(in_memory), config_(config) {}
  KstoneEngine(const KstoneEngine&) = delete;
  KstoneEngine& operator=(const KstoneEngine&) = delete;

  absl::Status Open() {
    Options options;
    options.sync_mode = config_.sync         ? SyncMode::kEveryCommit
                        : config_.unbuffered ? SyncMode::kInterval
                                             : SyncMode::kNone;
    if (config_.block_cache_bytes != 0) {
      options.block_cache_bytes = config_.block_cache_bytes;
    }
    TableSchema schema = TableSchema().PartitionKey("pk");
    if (config_.sort_key) {
      schema.SortKey("sk");
    } else {
      schema.WithoutSortKey();
    }
    absl::StatusOr<Database> db;
    if (in_memory_) {
      db = Database::CreateInMemoryWithSchema(schema, options);
    } else {
      struct stat st;
      db = ::stat(config_.dir.c_str(), &st) == 0
               ? Database::Open(config_.dir, options)
               : Database::CreateWithSchema(config_.dir, schema, options);
    }
    if (!db.ok()) return db.status();
    db_.emplace(std::move(*db));
    return absl::OkStatus();
  }

  absl::Status Put(const BenchOp& op) override { return db_->Put(*op.item); }

  absl::Status Get(const BenchOp& op, bool* found) override {
    absl::StatusOr<std::optional<Item>> item = db_->Get(Key(op.key));
    if (!item.ok()) return item.status();
    *found = item->has_value() && (*item)->size() > 0;
    return absl::OkStatus();
  }

  absl::Status Scan(std::string_view start, uint64_t limit,
                    uint64_t* items) override {
    kstone::Scan scan;
    if (!start.empty()) scan.StartAfter(Key(start));
    if (limit != 0) scan.Limit(static_cast<int64_t>(limit));
    uint64_t read = 0;
    size_t attributes = 0;  // each item is looked at, as the peers' values
    auto visit = [&](const Item& item) {
      attributes += item.size();
      ++read;
      return limit == 0 || read < limit;
    };
    absl::Status s = db_->ScanEach(scan, visit);
    if (s.ok() && limit != 0 && read < limit && !start.empty()) {
      // Fewer than `limit` items follow `start`: wrap to the table's start.
      scan.StartAfter(std::nullopt);
      scan.Limit(static_cast<int64_t>(limit - read));
      s = db_->ScanEach(scan, visit);
    }
    if (!s.ok()) return s;
    if (read > 0 && attributes == 0) {
      return absl::InternalError("kstone: items without attributes");
    }
    *items += read;
    return absl::OkStatus();
  }

  absl::Status Flush() override { return db_->Flush(); }
  absl::Status Settle() override { return db_->Compact(); }

  std::string OpsUnsupportedReason() const override { return ""; }

  absl::Status LoadOps(const std::vector<BenchOp>& ops) override {
    for (const BenchOp& op : ops) {
      Item item = *op.item;
      item.Set("pk", Value::String(op.key));
      if (!op.sort_key.empty()) item.Set("sk", Value::String(op.sort_key));
      item.Set("a", Value::Number(0));
      absl::Status s = db_->Put(item);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status RunOp(OpKind kind, const BenchOp& op, uint64_t* items) override {
    switch (kind) {
      case OpKind::kQuery: {
        absl::StatusOr<QueryResult> page = db_->Query(
            kstone::Query(op.key).Limit(static_cast<int64_t>(op.arg)));
        if (!page.ok()) return page.status();
        *items += static_cast<uint64_t>(page->count);
        return absl::OkStatus();
      }
      case OpKind::kScanSegment: {
        kstone::Scan scan = kstone::Scan().Segment(static_cast<int>(op.arg),
                                                   static_cast<int>(op.arg2));
        for (;;) {
          absl::StatusOr<ScanResult> page = db_->Scan(scan);
          if (!page.ok()) return page.status();
          *items += static_cast<uint64_t>(page->count);
          if (!page->last_key) return absl::OkStatus();
          scan.StartAfter(*page->last_key);
        }
      }
      case OpKind::kPutIfAbsent:
        return db_->Put(*op.item, put_if_absent_).status();
      case OpKind::kPutIfEqual:
        return db_
            ->Put(*op.item, PutOptions().Condition("v = :v").Value(
                                ":v", *op.item->Get("v")))
            .status();
      case OpKind::kUpdate:
        return db_->Update(Key(op.key), increment_).status();
      case OpKind::kTransact: {
        kstone::TransactWrite txn;
        for (const BenchOp& action : op.group) {
          if (action.is_write) {
            txn.Put(*action.item);
          } else {
            txn.Update(Key(action.key), increment_);
          }
        }
        return db_->TransactWrite(txn).status;
      }
    }
    return absl::InvalidArgumentError("kstone_bench: unknown OpKind");
  }

  absl::Status Close() override {
    db_.reset();
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> MemtableBytes() override {
    return db_->Stats().memtable_bytes;
  }
  absl::StatusOr<uint64_t> MemtableCapBytes() override {
    // Options() leaves the cap at 0: the default of the medium.
    return in_memory_ ? Options::kDefaultTotalMemtableBytesInMemory
                      : Options::kDefaultTotalMemtableBytesOnDisk;
  }

 private:
  const bool in_memory_;
  const EngineConfig config_;
  std::optional<Database> db_;
  const PutOptions put_if_absent_ =
      PutOptions().Condition("attribute_not_exists(pk)");
  const kstone::Update increment_ = kstone::Update("SET a = a + :one")
                                        .Value(":one", Value::Number(1))
                                        .ReturnValues(ReturnValues::kNone);
};

}  // namespace

absl::StatusOr<std::unique_ptr<BenchEngine>> OpenKstone(
    bool in_memory, const EngineConfig& config) {
  auto engine = std::make_unique<KstoneEngine>(in_memory, config);
  absl::Status s = engine->Open();
  if (!s.ok()) return s;
  return engine;
}

}  // namespace kstone::bench
