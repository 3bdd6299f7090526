#include "core/storage/disk/disk_table_store.h"

#include <algorithm>
#include <list>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/block_cache.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

// How many opened readers (each holding an open file) a store keeps.
constexpr size_t kMaxOpenTables = 512;

class DiskTableStore;

// Syncing is deferred: a finished table's file and directory entry are
// synced just before the next manifest write (which is what makes a table
// part of the database), so that a background job finishing several tables
// syncs the directory once. See docs/decisions.md, "Deferred SST syncs".
//
// DeferredSyncBuilder: an SstBuilder that, once finished, hands its unsynced
// file to the store. Not thread-safe (as any TableBuilder).
class DeferredSyncBuilder final : public TableBuilder {
 public:
  DeferredSyncBuilder(DiskTableStore* store, uint64_t number,
                      std::unique_ptr<SstBuilder> builder)
      : store_(store), number_(number), builder_(std::move(builder)) {}
  absl::Status Add(const RecordView& record) override {
    return builder_->Add(record);
  }
  void ExpectBytes(uint64_t bytes) override { builder_->ExpectBytes(bytes); }
  absl::StatusOr<TableMeta> Finish() override;
  void Abandon() override { builder_->Abandon(); }

 private:
  DiskTableStore* const store_;
  const uint64_t number_;
  const std::unique_ptr<SstBuilder> builder_;
};

// The store's manifest log: syncs the tables finished since the last write
// (and their directory) before every write. Safe for concurrent use.
class SyncingManifestLog final : public ManifestLog {
 public:
  SyncingManifestLog(DiskTableStore* store, std::unique_ptr<ManifestLog> log)
      : store_(store), log_(std::move(log)) {}
  absl::StatusOr<std::vector<std::string>> ReadAll() override {
    return log_->ReadAll();
  }
  absl::Status Append(std::string_view record) override;
  absl::Status Rewrite(const std::vector<std::string>& records) override;

 private:
  DiskTableStore* const store_;
  const std::unique_ptr<ManifestLog> log_;
};

// Safe for concurrent use. Opening a table (file I/O) happens outside the
// mutex; two threads racing to open the same table both succeed and one
// reader wins the cache slot.
class DiskTableStore final : public TableStore {
 public:
  DiskTableStore(FileSystem* fs, std::string dir,
                 std::unique_ptr<ManifestLog> manifest,
                 const DiskTableOptions& options)
      : fs_(fs),
        dir_(std::move(dir)),
        manifest_(this, std::move(manifest)),
        options_(options),
        cache_(std::make_shared<BlockCache>(options.block_cache_bytes)) {}

  absl::StatusOr<std::unique_ptr<TableBuilder>> NewTable(
      uint64_t number) override {
    std::string path = PathOf(number);
    if (fs_->FileExists(path)) {
      return absl::AlreadyExistsError(
          absl::StrCat("sst store: table ", path, " exists"));
    }
    SstBuilderOptions builder_options;
    builder_options.block_size = options_.block_size;
    builder_options.bloom_bits_per_key = options_.bloom_bits_per_key;
    builder_options.sync = false;  // SyncFinishedTables does
    KS_ASSIGN_OR_RETURN(std::unique_ptr<SstBuilder> builder,
                        SstBuilder::Create(fs_, dir_, number, builder_options));
    return std::unique_ptr<TableBuilder>(std::make_unique<DeferredSyncBuilder>(
        this, number, std::move(builder)));
  }

  // A finished table whose file and directory entry are not synced yet.
  void AddUnsynced(uint64_t number, std::unique_ptr<WritableFile> file)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    unsynced_[number] = std::move(file);
    built_.insert(number);
  }

  // Syncs every finished table not synced yet, then (if there was one) the
  // directory. Called before each manifest write.
  absl::Status SyncFinishedTables() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::flat_hash_map<uint64_t, std::unique_ptr<WritableFile>> files;
    {
      absl::MutexLock lock(&mu_);
      files.swap(unsynced_);
    }
    if (files.empty()) return absl::OkStatus();
    absl::Status status;
    for (auto& [number, file] : files) {
      if (status.ok()) status = file->Sync();
      absl::Status closed = file->Close();
      if (status.ok()) status = closed;
    }
    if (status.ok()) status = fs_->SyncDir(dir_);
    return status;
  }

  // A table this store built is opened by the job that built it: its data
  // blocks are verified then, by that job, instead of by the first reads
  // of each block (SstReader::Open's verify_data_now).
  absl::StatusOr<std::shared_ptr<const Table>> OpenTable(
      uint64_t number) override ABSL_LOCKS_EXCLUDED(mu_) {
    bool built_here = false;
    {
      absl::MutexLock lock(&mu_);
      auto it = open_.find(number);
      if (it != open_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return std::shared_ptr<const Table>(it->second.reader);
      }
      built_here = built_.erase(number) > 0;
    }
    std::string path = PathOf(number);
    if (!fs_->FileExists(path)) {
      return absl::NotFoundError(absl::StrCat("sst store: no table ", path));
    }
    KS_ASSIGN_OR_RETURN(
        std::shared_ptr<const SstReader> reader,
        SstReader::Open(fs_, path, number, cache_, options_.map_files,
                        /*verify_data_now=*/built_here));
    std::vector<std::shared_ptr<const SstReader>> closed;  // freed unlocked
    absl::MutexLock lock(&mu_);
    auto it = open_.find(number);
    if (it != open_.end()) return std::shared_ptr<const Table>(reader);
    lru_.push_front(number);
    open_[number] = OpenTableEntry{reader, lru_.begin()};
    while (open_.size() > kMaxOpenTables) {
      uint64_t victim = lru_.back();
      lru_.pop_back();
      auto v = open_.find(victim);
      closed.push_back(std::move(v->second.reader));
      open_.erase(v);
    }
    return std::shared_ptr<const Table>(reader);
  }

  absl::Status DeleteTable(uint64_t number) override ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<const SstReader> closed;  // freed unlocked
    std::unique_ptr<WritableFile> unsynced;   // closed unlocked
    {
      absl::MutexLock lock(&mu_);
      built_.erase(number);
      auto u = unsynced_.find(number);
      if (u != unsynced_.end()) {
        unsynced = std::move(u->second);
        unsynced_.erase(u);
      }
      auto it = open_.find(number);
      if (it != open_.end()) {
        closed = std::move(it->second.reader);
        lru_.erase(it->second.lru);
        open_.erase(it);
      }
    }
    // Handles still open keep reading: POSIX keeps an unlinked file's data
    // while a descriptor is open, and cached blocks stay valid.
    if (unsynced != nullptr) unsynced->Close().IgnoreError();
    KS_RETURN_IF_ERROR(fs_->DeleteFile(PathOf(number)));
    cache_->EraseFile(number);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<uint64_t>> ListTables() override {
    KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
    std::vector<uint64_t> numbers;
    for (const std::string& name : names) {
      uint64_t number;
      if (ParseSstFileName(name, &number)) numbers.push_back(number);
    }
    std::sort(numbers.begin(), numbers.end());
    return numbers;
  }

  ManifestLog* manifest() override { return &manifest_; }

 private:
  struct OpenTableEntry {
    std::shared_ptr<const SstReader> reader;
    std::list<uint64_t>::iterator lru;
  };

  std::string PathOf(uint64_t number) const {
    return absl::StrCat(dir_, "/", SstFileName(number));
  }

  // Constant after construction.
  FileSystem* const fs_;
  const std::string dir_;
  SyncingManifestLog manifest_;
  const DiskTableOptions options_;
  const std::shared_ptr<BlockCache> cache_;

  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, OpenTableEntry> open_ ABSL_GUARDED_BY(mu_);
  std::list<uint64_t> lru_ ABSL_GUARDED_BY(mu_);  // most recent first
  absl::flat_hash_map<uint64_t, std::unique_ptr<WritableFile>> unsynced_
      ABSL_GUARDED_BY(mu_);
  // Tables finished by this store and not opened since.
  absl::flat_hash_set<uint64_t> built_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<TableMeta> DeferredSyncBuilder::Finish() {
  KS_ASSIGN_OR_RETURN(TableMeta meta, builder_->Finish());
  store_->AddUnsynced(number_, builder_->TakeUnsyncedFile());
  return meta;
}

absl::Status SyncingManifestLog::Append(std::string_view record) {
  KS_RETURN_IF_ERROR(store_->SyncFinishedTables());
  return log_->Append(record);
}

absl::Status SyncingManifestLog::Rewrite(
    const std::vector<std::string>& records) {
  KS_RETURN_IF_ERROR(store_->SyncFinishedTables());
  return log_->Rewrite(records);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TableStore>> OpenDiskTableStore(
    FileSystem* fs, const std::string& dir,
    std::unique_ptr<ManifestLog> manifest, const DiskTableOptions& options) {
  if (fs == nullptr || manifest == nullptr) {
    return absl::InvalidArgumentError(
        "sst store: a file system and a manifest log are required");
  }
  return std::unique_ptr<TableStore>(
      std::make_unique<DiskTableStore>(fs, dir, std::move(manifest), options));
}

}  // namespace kstone::core
