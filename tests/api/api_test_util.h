#ifndef KSTONE_TESTS_API_API_TEST_UTIL_H_
#define KSTONE_TESTS_API_API_TEST_UTIL_H_

// A fixture for api suites that run on both backends: in memory and on disk
// in a fresh scratch directory (removed afterwards).

#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::testing {

enum class Backend { kMemory, kDisk };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kMemory ? "Memory" : "Disk";
}

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  bool disk() const { return GetParam() == Backend::kDisk; }
  std::string db_path() const { return dir_.Sub("db"); }

  // A new database with `schema` and `options` on the test's backend.
  absl::StatusOr<Database> CreateDb(const TableSchema& schema = TableSchema(),
                                    const Options& options = Options()) {
    if (disk()) return Database::CreateWithSchema(db_path(), schema, options);
    return Database::CreateInMemoryWithSchema(schema, options);
  }

  // Reopens the disk database (the caller must have dropped its handles).
  // REQUIRES: disk().
  absl::StatusOr<Database> ReopenDb(const Options& options = Options()) {
    return Database::Open(db_path(), options);
  }

  ScratchDir dir_;
};

// The stored item of `key` as DynamoDB JSON, "" if there is none (a failed
// read is a test failure).
inline std::string StoredJson(Database& db, const Key& key) {
  absl::StatusOr<std::optional<Item>> got = db.Get(key);
  EXPECT_TRUE(got.ok()) << got.status();
  if (!got.ok() || !got->has_value()) return "";
  return (*got)->ToDynamoJson();
}

#define KSTONE_INSTANTIATE_BACKENDS(suite)                   \
  INSTANTIATE_TEST_SUITE_P(                                  \
      Backends, suite,                                       \
      ::testing::Values(::kstone::testing::Backend::kMemory, \
                        ::kstone::testing::Backend::kDisk),  \
      ::kstone::testing::BackendName)

}  // namespace kstone::testing

#endif  // KSTONE_TESTS_API_API_TEST_UTIL_H_
