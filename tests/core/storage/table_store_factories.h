#ifndef KSTONE_TESTS_CORE_STORAGE_TABLE_STORE_FACTORIES_H_
#define KSTONE_TESTS_CORE_STORAGE_TABLE_STORE_FACTORIES_H_

// The TableStore implementations the table and table store conformance suites
// run on, each wrapped with whatever it lives on (a file system, a temporary
// directory) so that a test owns it whole:
//
//   kMemory     NewMemoryTableStore()
//   kDiskMemFs  OpenDiskTableStore on a MemFileSystem
//   kDiskPosix  OpenDiskTableStore on PosixFileSystem in a ScratchDir

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/storage/disk/disk_table_store.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/posix_file_system.h"
#include "core/storage/memory/memory_table_store.h"
#include "core/storage/table_store.h"
#include "core/util/status_macros.h"
#include "gtest/gtest.h"
#include "tests/testing/scratch_dir.h"

namespace kstone::core {

enum class StoreKind { kMemory, kDiskMemFs, kDiskPosix };

inline std::vector<StoreKind> AllStoreKinds() {
  return {StoreKind::kMemory, StoreKind::kDiskMemFs, StoreKind::kDiskPosix};
}

inline std::string StoreKindName(StoreKind kind) {
  switch (kind) {
    case StoreKind::kMemory:
      return "Memory";
    case StoreKind::kDiskMemFs:
      return "DiskOnMemFileSystem";
    case StoreKind::kDiskPosix:
      return "DiskOnPosix";
  }
  return "Unknown";
}

class TestStore {
 public:
  virtual ~TestStore() = default;
  virtual TableStore* store() = 0;
  // The disk store's file system and directory (null / empty for memory).
  virtual FileSystem* fs() { return nullptr; }
  virtual std::string dir() const { return ""; }
  // Closes and reopens the store on the same storage (disk only: a memory
  // store has nothing to reopen from, so it stays as is).
  virtual absl::Status Reopen() { return absl::OkStatus(); }
};

class MemoryTestStore final : public TestStore {
 public:
  TableStore* store() override { return store_.get(); }

 private:
  std::unique_ptr<TableStore> store_ = NewMemoryTableStore();
};

class DiskTestStore final : public TestStore {
 public:
  // `scratch` (null on a MemFileSystem) holds `dir`; it is removed after
  // the store closes.
  DiskTestStore(std::unique_ptr<FileSystem> fs, std::string dir,
                std::unique_ptr<::kstone::testing::ScratchDir> scratch,
                DiskTableOptions options)
      : scratch_(std::move(scratch)),
        fs_(std::move(fs)),
        dir_(std::move(dir)),
        options_(options) {}

  TableStore* store() override { return store_.get(); }
  FileSystem* fs() override { return fs_.get(); }
  std::string dir() const override { return dir_; }
  absl::Status Reopen() override {
    store_.reset();
    KS_ASSIGN_OR_RETURN(std::unique_ptr<ManifestLog> manifest,
                        OpenDiskManifestLog(fs_.get(), dir_));
    KS_ASSIGN_OR_RETURN(
        store_,
        OpenDiskTableStore(fs_.get(), dir_, std::move(manifest), options_));
    return absl::OkStatus();
  }

 private:
  // Declared first, so destroyed last: the store closes its files first.
  const std::unique_ptr<::kstone::testing::ScratchDir> scratch_;
  const std::unique_ptr<FileSystem> fs_;
  const std::string dir_;
  const DiskTableOptions options_;
  std::unique_ptr<TableStore> store_;
};

// Small blocks, so that modest tests span many blocks.
inline DiskTableOptions TestDiskTableOptions() {
  DiskTableOptions options;
  options.block_size = 512;
  options.block_cache_bytes = 64 << 10;
  return options;
}

inline absl::StatusOr<std::unique_ptr<TestStore>> MakeTestStore(
    StoreKind kind, DiskTableOptions options = TestDiskTableOptions()) {
  std::unique_ptr<FileSystem> fs;
  std::string dir;
  std::unique_ptr<::kstone::testing::ScratchDir> scratch;
  switch (kind) {
    case StoreKind::kMemory:
      return std::unique_ptr<TestStore>(std::make_unique<MemoryTestStore>());
    case StoreKind::kDiskMemFs:
      fs = NewMemFileSystem();
      dir = "/db";
      break;
    case StoreKind::kDiskPosix: {
      fs = NewPosixFileSystem();
      scratch = std::make_unique<::kstone::testing::ScratchDir>();
      dir = scratch->path();
      break;
    }
  }
  KS_RETURN_IF_ERROR(fs->CreateDir(dir));
  auto store = std::make_unique<DiskTestStore>(std::move(fs), dir,
                                               std::move(scratch), options);
  KS_RETURN_IF_ERROR(store->Reopen());
  return std::unique_ptr<TestStore>(std::move(store));
}

}  // namespace kstone::core

#endif  // KSTONE_TESTS_CORE_STORAGE_TABLE_STORE_FACTORIES_H_
