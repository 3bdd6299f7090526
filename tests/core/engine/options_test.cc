#include "absl/status/status.h"
#include "core/engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

TEST(EngineOptionsTest, DefaultsAreValid) {
  KS_EXPECT_OK(EngineOptions().Validate());
}

TEST(EngineOptionsTest, EachBadFieldIsNamed) {
  auto expect_bad = [](EngineOptions o, const char* field) {
    EXPECT_THAT(o.Validate(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)));
  };
  EngineOptions o;
  o.memtable_max_records_per_stripe = 0;
  expect_bad(o, "memtable_max_records_per_stripe");
  o = EngineOptions();
  o.memtable_max_bytes_per_stripe = 0;
  expect_bad(o, "memtable_max_bytes_per_stripe");
  o = EngineOptions();
  o.total_memtable_bytes = 0;
  expect_bad(o, "total_memtable_bytes");
  o = EngineOptions();
  o.memtable_max_bytes_per_stripe = o.total_memtable_bytes + 1;
  expect_bad(o, "memtable_max_bytes_per_stripe");
  o = EngineOptions();
  o.background_threads = 0;
  expect_bad(o, "background_threads");
  o = EngineOptions();
  o.max_tables_per_stripe = 0;
  expect_bad(o, "max_tables_per_stripe");
  o = EngineOptions();
  o.idle_compaction_ms = 3600 * 1000 + 1;
  expect_bad(o, "idle_compaction_ms");
  o = EngineOptions();
  o.sync_mode = SyncMode::kInterval;
  o.sync_interval_ms = 0;
  expect_bad(o, "sync_interval_ms");
  o = EngineOptions();
  o.sync_mode = static_cast<SyncMode>(17);
  expect_bad(o, "sync_mode");
}

}  // namespace
}  // namespace kstone::core
