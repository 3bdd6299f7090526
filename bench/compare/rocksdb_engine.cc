// RocksDB as a kstone_bench peer: default options plus a 10-bit bloom filter
// and a block cache the size of kstone's default (64 MiB); in memory through
// rocksdb::NewMemEnv, on disk in the run's directory. Writes are synced only
// with --sync.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/compare/bench_engine.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace kstone::bench {
namespace {

constexpr size_t kBlockCacheBytes = 64 << 20;

absl::Status FromRocksDb(const rocksdb::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("rocksdb: ", s.ToString()));
}

class RocksDbEngine final : public BenchEngine {
 public:
  RocksDbEngine(bool in_memory, const EngineConfig& config)
      : in_memory_(in_memory), config_(config) {}
  RocksDbEngine(const RocksDbEngine&) = delete;
  RocksDbEngine& operator=(const RocksDbEngine&) = delete;
  ~RocksDbEngine() override { Close().IgnoreError(); }  // best effort

  absl::Status Open() {
    if (in_memory_) env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    rocksdb::BlockBasedTableOptions table_options;
    table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table_options.block_cache = rocksdb::NewLRUCache(kBlockCacheBytes);
    rocksdb::Options options;
    options.create_if_missing = true;
    options.table_factory.reset(
        rocksdb::NewBlockBasedTableFactory(table_options));
    if (env_ != nullptr) options.env = env_.get();
    rocksdb::DB* db = nullptr;
    const std::string path = in_memory_ ? "/rocksdb-mem" : config_.dir;
    rocksdb::Status s = rocksdb::DB::Open(options, path, &db);
    db_.reset(db);
    write_options_.sync = config_.sync;
    return FromRocksDb(s);
  }

  absl::Status Put(const BenchOp& op) override {
    return FromRocksDb(db_->Put(write_options_, op.key, op.encoded));
  }

  absl::Status Load(const std::vector<BenchOp>& ops) override {
    rocksdb::WriteBatch batch;
    for (const BenchOp& op : ops) {
      rocksdb::Status s = batch.Put(op.key, op.encoded);
      if (!s.ok()) return FromRocksDb(s);
    }
    return FromRocksDb(db_->Write(write_options_, &batch));
  }

  absl::Status Get(const BenchOp& op, bool* found) override {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(),
                                 db_->DefaultColumnFamily(), op.key, &value);
    if (s.IsNotFound()) {
      *found = false;
      return absl::OkStatus();
    }
    *found = s.ok() && !value.empty();
    return FromRocksDb(s);
  }

  absl::Status Scan(std::string_view start, uint64_t limit,
                    uint64_t* items) override {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions()));
    uint64_t n = 0;
    size_t bytes = 0;
    for (it->Seek(rocksdb::Slice(start.data(), start.size()));
         it->Valid() && (limit == 0 || n < limit); it->Next()) {
      bytes += it->value().size();
      ++n;
    }
    *items += n;
    if (bytes == 0 && n > 0) return absl::InternalError("rocksdb: empty value");
    return FromRocksDb(it->status());
  }

  // A full manual compaction (which flushes the memtable first): the read
  // workloads start from RocksDB's settled shape, as from kstone's.
  absl::Status Settle() override {
    return FromRocksDb(
        db_->CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr));
  }

  absl::Status Close() override {
    if (db_ != nullptr) {
      rocksdb::Status s = db_->Close();
      db_.reset();
      return FromRocksDb(s);
    }
    return absl::OkStatus();
  }

 private:
  const bool in_memory_;
  const EngineConfig config_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;  // declared last: closed first
  rocksdb::WriteOptions write_options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<BenchEngine>> OpenRocksDb(
    bool in_memory, const EngineConfig& config) {
  auto engine = std::make_unique<RocksDbEngine>(in_memory, config);
  absl::Status s = engine->Open();
  if (!s.ok()) return s;
  return engine;
}

}  // namespace kstone::bench
