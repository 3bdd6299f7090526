// LevelDB as a kstone_bench peer: default options plus a 10-bit bloom filter
// and a block cache the size of kstone's default (64 MiB); in memory through
// leveldb::NewMemEnv, on disk in the run's directory. Writes are synced only
// with --sync.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/compare/bench_engine.h"
#include "leveldb/cache.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/filter_policy.h"
#include "leveldb/helpers/memenv.h"
#include "leveldb/write_batch.h"

namespace kstone::bench {
namespace {

constexpr size_t kBlockCacheBytes = 64 << 20;

absl::Status FromLevelDb(const leveldb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("leveldb: ", s.ToString()));
}

class LevelDbEngine final : public BenchEngine {
 public:
  LevelDbEngine(bool in_memory, const EngineConfig& config)
      : in_memory_(in_memory), config_(config) {}
  LevelDbEngine(const LevelDbEngine&) = delete;
  LevelDbEngine& operator=(const LevelDbEngine&) = delete;
  ~LevelDbEngine() override { Close().IgnoreError(); }  // best effort

  absl::Status Open() {
    if (in_memory_) env_.reset(leveldb::NewMemEnv(leveldb::Env::Default()));
    filter_.reset(leveldb::NewBloomFilterPolicy(10));
    cache_.reset(leveldb::NewLRUCache(kBlockCacheBytes));
    leveldb::Options options;
    options.create_if_missing = true;
    options.filter_policy = filter_.get();
    options.block_cache = cache_.get();
    if (env_ != nullptr) options.env = env_.get();
    leveldb::DB* db = nullptr;
    const std::string path = in_memory_ ? "/leveldb-mem" : config_.dir;
    leveldb::Status s = leveldb::DB::Open(options, path, &db);
    db_.reset(db);
    write_options_.sync = config_.sync;
    return FromLevelDb(s);
  }

  absl::Status Put(const BenchOp& op) override {
    return FromLevelDb(db_->Put(write_options_, op.key, op.encoded));
  }

  absl::Status Load(const std::vector<BenchOp>& ops) override {
    leveldb::WriteBatch batch;
    for (const BenchOp& op : ops) batch.Put(op.key, op.encoded);
    return FromLevelDb(db_->Write(write_options_, &batch));
  }

  absl::Status Get(const BenchOp& op, bool* found) override {
    std::string value;
    leveldb::Status s = db_->Get(leveldb::ReadOptions(), op.key, &value);
    if (s.IsNotFound()) {
      *found = false;
      return absl::OkStatus();
    }
    *found = s.ok() && !value.empty();
    return FromLevelDb(s);
  }

  absl::Status Scan(std::string_view start, uint64_t limit,
                    uint64_t* items) override {
    std::unique_ptr<leveldb::Iterator> it(
        db_->NewIterator(leveldb::ReadOptions()));
    uint64_t n = 0;
    size_t bytes = 0;
    for (it->Seek(leveldb::Slice(start.data(), start.size()));
         it->Valid() && (limit == 0 || n < limit); it->Next()) {
      bytes += it->value().size();
      ++n;
    }
    *items += n;
    if (bytes == 0 && n > 0) return absl::InternalError("leveldb: empty value");
    return FromLevelDb(it->status());
  }

  // A full manual compaction (the memtable first): the read workloads start
  // from LevelDB's settled shape, as from kstone's.
  absl::Status Settle() override {
    db_->CompactRange(nullptr, nullptr);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    db_.reset();
    return absl::OkStatus();
  }

 private:
  const bool in_memory_;
  const EngineConfig config_;
  std::unique_ptr<leveldb::Env> env_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<leveldb::DB> db_;  // declared last: closed first
  leveldb::WriteOptions write_options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<BenchEngine>> OpenLevelDb(
    bool in_memory, const EngineConfig& config) {
  auto engine = std::make_unique<LevelDbEngine>(in_memory, config);
  absl::Status s = engine->Open();
  if (!s.ok()) return s;
  return engine;
}

}  // namespace kstone::bench
