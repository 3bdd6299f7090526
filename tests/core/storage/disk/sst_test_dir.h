#ifndef KSTONE_TESTS_CORE_STORAGE_DISK_SST_TEST_DIR_H_
#define KSTONE_TESTS_CORE_STORAGE_DISK_SST_TEST_DIR_H_

// What the SST test suites share: the three ways they read a table, and
// where each puts its files.

#include <memory>
#include <optional>
#include <string>

#include "core/storage/disk/file_system.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/posix_file_system.h"
#include "gtest/gtest.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {

// MemFileSystem (which cannot map: pread through the block cache), or the
// POSIX file system with the file read by pread or mapped.
enum class SstReadMode { kMem, kPosixPread, kPosixMapped };

inline const char* SstReadModeName(SstReadMode mode) {
  switch (mode) {
    case SstReadMode::kMem:
      return "Mem";
    case SstReadMode::kPosixPread:
      return "PosixPread";
    case SstReadMode::kPosixMapped:
      return "PosixMapped";
  }
  return "?";
}

// Sets *fs and *dir for a test of `mode`: "/db" on a fresh MemFileSystem,
// or a fresh scratch directory (kept in *scratch, removed with it) on the
// POSIX file system. Call from SetUp: a failure fails the test.
inline void MakeSstTestDir(
    SstReadMode mode, std::unique_ptr<FileSystem>* fs, std::string* dir,
    std::optional<::kstone::testing::ScratchDir>* scratch) {
  if (mode == SstReadMode::kMem) {
    *fs = NewMemFileSystem();
    *dir = "/db";
    KS_ASSERT_OK((*fs)->CreateDir(*dir));
  } else {
    *fs = NewPosixFileSystem();
    scratch->emplace();
    *dir = (*scratch)->path();
  }
}

}  // namespace kstone::core

#endif  // KSTONE_TESTS_CORE_STORAGE_DISK_SST_TEST_DIR_H_
