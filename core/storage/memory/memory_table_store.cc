#include "core/storage/memory/memory_table_store.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/memory/memory_table.h"

namespace kstone::core {
namespace {

// The manifest of an in-memory database: records in a vector. Appends and
// rewrites are trivially atomic under the mutex. Safe for concurrent use.
class MemoryManifestLog final : public ManifestLog {
 public:
  absl::StatusOr<std::vector<std::string>> ReadAll() override {
    absl::MutexLock lock(&mu_);
    return records_;
  }
  absl::Status Append(std::string_view record) override {
    absl::MutexLock lock(&mu_);
    records_.emplace_back(record);
    return absl::OkStatus();
  }
  absl::Status Rewrite(const std::vector<std::string>& records) override {
    absl::MutexLock lock(&mu_);
    records_ = records;
    return absl::OkStatus();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> records_ ABSL_GUARDED_BY(mu_);
};

// The tables, shared (through shared_ptr) by the store and its unfinished
// builders, so a builder may outlive the store. Safe for concurrent use.
class TableMap {
 public:
  absl::Status Reserve(uint64_t number) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (tables_.count(number) > 0 || building_.count(number) > 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("memory table store: table ", number, " exists"));
    }
    building_.insert(number);
    return absl::OkStatus();
  }
  absl::Status Publish(uint64_t number,
                       std::shared_ptr<const MemoryTable> table)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (building_.erase(number) == 0) {
      return absl::NotFoundError(absl::StrCat(
          "memory table store: table ", number, " was deleted while built"));
    }
    tables_[number] = std::move(table);
    return absl::OkStatus();
  }
  void Unreserve(uint64_t number) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    building_.erase(number);
  }
  // The finished table `number`, or null.
  std::shared_ptr<const MemoryTable> Find(uint64_t number)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = tables_.find(number);
    return it == tables_.end() ? nullptr : it->second;
  }
  absl::StatusOr<std::shared_ptr<const Table>> Open(uint64_t number)
      ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = tables_.find(number);
    if (it == tables_.end()) {
      return absl::NotFoundError(
          absl::StrCat("memory table store: no table ", number));
    }
    return std::shared_ptr<const Table>(it->second);
  }
  absl::Status Delete(uint64_t number) ABSL_LOCKS_EXCLUDED(mu_) {
    std::shared_ptr<const MemoryTable> doomed;  // freed outside the lock
    absl::MutexLock lock(&mu_);
    auto it = tables_.find(number);
    if (it != tables_.end()) {
      doomed = std::move(it->second);
      tables_.erase(it);
      return absl::OkStatus();
    }
    if (building_.erase(number) > 0) return absl::OkStatus();
    return absl::NotFoundError(
        absl::StrCat("memory table store: no table ", number));
  }
  std::vector<uint64_t> List() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    std::vector<uint64_t> numbers;
    numbers.reserve(tables_.size() + building_.size());
    for (const auto& [number, table] : tables_) numbers.push_back(number);
    numbers.insert(numbers.end(), building_.begin(), building_.end());
    std::sort(numbers.begin(), numbers.end());
    return numbers;
  }

 private:
  absl::Mutex mu_;
  std::map<uint64_t, std::shared_ptr<const MemoryTable>> tables_
      ABSL_GUARDED_BY(mu_);
  std::set<uint64_t> building_ ABSL_GUARDED_BY(mu_);  // NewTable, unfinished
};

// Safe for concurrent use.
class MemoryTableStore final : public TableStore {
 public:
  explicit MemoryTableStore(int bloom_bits_per_key)
      : bloom_bits_per_key_(bloom_bits_per_key),
        tables_(std::make_shared<TableMap>()) {}

  absl::StatusOr<std::unique_ptr<TableBuilder>> NewTable(
      uint64_t number) override {
    absl::Status status = tables_->Reserve(number);
    if (!status.ok()) return status;
    std::shared_ptr<TableMap> tables = tables_;
    return std::unique_ptr<TableBuilder>(std::make_unique<MemoryTableBuilder>(
        number, bloom_bits_per_key_,
        [tables, number](std::shared_ptr<const MemoryTable> table) {
          return tables->Publish(number, std::move(table));
        },
        [tables, number] { tables->Unreserve(number); }));
  }

  absl::StatusOr<std::shared_ptr<const Table>> OpenTable(
      uint64_t number) override {
    return tables_->Open(number);
  }

  absl::Status DeleteTable(uint64_t number) override {
    return tables_->Delete(number);
  }

  absl::StatusOr<std::vector<uint64_t>> ListTables() override {
    return tables_->List();
  }

  ManifestLog* manifest() override { return &manifest_; }

  bool CanCopyTableWithout() const override { return true; }
  absl::StatusOr<std::optional<TableMeta>> CopyTableWithout(
      uint64_t source, uint64_t number,
      const std::vector<std::string>& keys) override {
    const std::shared_ptr<const MemoryTable> from = tables_->Find(source);
    if (from == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("memory table store: no table ", source));
    }
    absl::Status status = tables_->Reserve(number);
    if (!status.ok()) return status;
    absl::StatusOr<std::shared_ptr<const MemoryTable>> copy =
        MemoryTable::CopyWithout(*from, number, keys);
    if (!copy.ok() || *copy == nullptr) {
      tables_->Unreserve(number);
      if (!copy.ok()) return copy.status();
      return std::optional<TableMeta>();
    }
    const TableMeta meta = (*copy)->meta();
    status = tables_->Publish(number, std::move(*copy));
    if (!status.ok()) return status;
    return std::optional<TableMeta>(meta);
  }

 private:
  const int bloom_bits_per_key_;
  const std::shared_ptr<TableMap> tables_;
  MemoryManifestLog manifest_;
};

}  // namespace

std::unique_ptr<TableStore> NewMemoryTableStore(int bloom_bits_per_key) {
  return std::make_unique<MemoryTableStore>(bloom_bits_per_key);
}

}  // namespace kstone::core
