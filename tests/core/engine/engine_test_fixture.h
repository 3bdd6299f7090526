#ifndef KSTONE_TESTS_CORE_ENGINE_ENGINE_TEST_FIXTURE_H_
#define KSTONE_TESTS_CORE_ENGINE_ENGINE_TEST_FIXTURE_H_

// The fixture of the engine suites, parameterised over the backends: memory
// (OpenMemoryStorage) and disk (OpenDiskStorage on the POSIX file system in
// a fresh temporary directory; reopenable).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/engine/engine.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/storage.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_util.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {

// Set to 1 once OpenDiskStorage exists.
#define KSTONE_ENGINE_TEST_DISK 1

enum class Backend { kMemory, kDisk };

inline std::vector<Backend> AllBackends() {
  if (KSTONE_ENGINE_TEST_DISK) return {Backend::kMemory, Backend::kDisk};
  return {Backend::kMemory};
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kMemory ? "Memory" : "Disk";
}

// Small limits, so that a few hundred writes flush and compact.
inline EngineOptions SmallOptions() {
  EngineOptions o;
  o.memtable_max_records_per_stripe = 32;
  o.memtable_max_bytes_per_stripe = 64 * 1024;
  o.total_memtable_bytes = 1 << 20;
  o.max_tables_per_stripe = 3;
  o.background_threads = 2;
  o.sync_mode = SyncMode::kNone;
  return o;
}

class EngineTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kDisk) {
      scratch_.emplace();
      dir_ = scratch_->Sub("db");
    }
  }
  void TearDown() override {
    engine_.reset();
    scratch_.reset();
  }

  bool reopenable() const { return GetParam() == Backend::kDisk; }

  absl::StatusOr<std::unique_ptr<Storage>> OpenStorage(FileSystem* fs) {
    if (GetParam() == Backend::kMemory) return OpenMemoryStorage();
#if KSTONE_ENGINE_TEST_DISK
    DiskStorageOptions o;
    o.create_if_missing = true;
    o.wal_segment_bytes = 256 * 1024;
    return OpenDiskStorage(fs != nullptr ? fs : DefaultFileSystem(), dir_, o);
#else
    (void)fs;
    return absl::UnimplementedError("disk backend not built yet");
#endif
  }

  absl::Status Open(const EngineOptions& options = SmallOptions(),
                    FileSystem* fs = nullptr) {
    options_ = options;
    engine_.reset();
    absl::StatusOr<std::unique_ptr<Storage>> storage = OpenStorage(fs);
    if (!storage.ok()) return storage.status();
    absl::StatusOr<std::unique_ptr<Engine>> engine =
        Engine::Open(std::move(*storage), options);
    if (!engine.ok()) return engine.status();
    engine_ = std::move(*engine);
    return absl::OkStatus();
  }
  // Closes and reopens (disk only; the memory backend keeps its engine).
  absl::Status Reopen(FileSystem* fs = nullptr) {
    if (!reopenable()) return absl::OkStatus();
    engine_.reset();
    return Open(options_, fs);
  }

  Engine* e() { return engine_.get(); }

  std::optional<::kstone::testing::ScratchDir> scratch_;  // disk only
  std::string dir_;  // the database's directory, in scratch_; "" for memory
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace kstone::core::testing

#endif  // KSTONE_TESTS_CORE_ENGINE_ENGINE_TEST_FIXTURE_H_
