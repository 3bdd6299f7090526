// OpenMemoryStorage (declared in core/storage/storage.h): a MemoryWal and a
// MemoryTableStore. Nothing touches disk.

#include <memory>
#include <string>
#include <utility>

#include "core/storage/memory/memory_table_store.h"
#include "core/storage/memory/memory_wal.h"
#include "core/storage/storage.h"

namespace kstone::core {
namespace {

// Safe for concurrent use (the accessors return pointers fixed at
// construction; the WAL and the store are themselves thread-safe).
class MemoryStorage final : public Storage {
 public:
  MemoryStorage(std::unique_ptr<Wal> wal, std::unique_ptr<TableStore> tables)
      : wal_(std::move(wal)), tables_(std::move(tables)) {}

  Wal* wal() override { return wal_.get(); }
  TableStore* tables() override { return tables_.get(); }
  bool created() const override { return true; }
  std::string description() const override { return ":memory:"; }

 private:
  // Destroyed in reverse order: the tables, then the WAL.
  const std::unique_ptr<Wal> wal_;
  const std::unique_ptr<TableStore> tables_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Storage>> OpenMemoryStorage() {
  return std::unique_ptr<Storage>(
      std::make_unique<MemoryStorage>(NewMemoryWal(), NewMemoryTableStore()));
}

}  // namespace kstone::core
