#ifndef KSTONE_TESTS_CORE_STORAGE_TABLE_STORE_FACTORIES_H_
#define KSTONE_TESTS_CORE_STORAGE_TABLE_STORE_FACTORIES_H_

// The TableStore implementations the table and table store conformance suites
// run on, each wrapped with whatever it lives on (a file system, a temporary
// directory) so a test owns it whole.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/storage/memory/memory_table_store.h"
#include "core/storage/table_store.h"

namespace kstone::core {

enum class StoreKind { kMemory };

inline std::vector<StoreKind> AllStoreKinds() { return {StoreKind::kMemory}; }

inline std::string StoreKindName(StoreKind kind) {
  switch (kind) {
    case StoreKind::kMemory:
      return "Memory";
  }
  return "Unknown";
}

class TestStore {
 public:
  virtual ~TestStore() = default;
  virtual TableStore* store() = 0;
};

class MemoryTestStore final : public TestStore {
 public:
  TableStore* store() override { return store_.get(); }

 private:
  std::unique_ptr<TableStore> store_ = NewMemoryTableStore();
};

inline absl::StatusOr<std::unique_ptr<TestStore>> MakeTestStore(
    StoreKind kind) {
  switch (kind) {
    case StoreKind::kMemory:
      return std::unique_ptr<TestStore>(std::make_unique<MemoryTestStore>());
  }
  return absl::InvalidArgumentError("unknown store kind");
}

}  // namespace kstone::core

#endif  // KSTONE_TESTS_CORE_STORAGE_TABLE_STORE_FACTORIES_H_
