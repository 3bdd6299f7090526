// kstone as a kstone_bench engine, through the public api only: Put(item)
// (the key is taken from the item's pk attribute) and Get(Key). In memory:
// Database::CreateInMemory; on disk: a directory database. Default Options,
// except that without --sync a disk database leaves syncing to the OS
// (SyncMode::kNone), like the peers; with --sync every commit is synced
// (kEveryCommit, kstone's own default).

#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
    options.sync_mode = config_.sync ? SyncMode::kEveryCommit : SyncMode::kNone;
    absl::StatusOr<Database> db;
    if (in_memory_) {
      db = Database::CreateInMemory(options);
    } else {
      struct stat st;
      db = ::stat(config_.dir.c_str(), &st) == 0
               ? Database::Open(config_.dir, options)
               : Database::Create(config_.dir, options);
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

  absl::Status Scan(std::string_view, uint64_t, uint64_t*) override {
    return absl::UnimplementedError(ScanUnsupportedReason());
  }
  std::string ScanUnsupportedReason() const override {
    return "unsupported (issue 3): the api has no Scan/Query yet";
  }

  absl::Status Close() override {
    db_.reset();
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> MemtableBytes() override {
    return db_->Stats().memtable_bytes;
  }
  absl::StatusOr<uint64_t> MemtableCapBytes() override {
    return Options().total_memtable_bytes;
  }

 private:
  const bool in_memory_;
  const EngineConfig config_;
  std::optional<Database> db_;
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
