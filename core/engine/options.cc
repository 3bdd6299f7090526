// EngineOptions::Validate (declared in core/engine/engine.h).

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/engine/engine.h"

namespace kstone::core {
namespace {

absl::Status Invalid(const char* field, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("engine options: ", field, " ", why));
}

}  // namespace

absl::Status EngineOptions::Validate() const {
  if (memtable_max_records_per_stripe == 0) {
    return Invalid("memtable_max_records_per_stripe", "must be at least 1");
  }
  if (memtable_max_bytes_per_stripe == 0) {
    return Invalid("memtable_max_bytes_per_stripe", "must be at least 1");
  }
  if (total_memtable_bytes == 0) {
    return Invalid("total_memtable_bytes", "must be at least 1");
  }
  if (memtable_max_bytes_per_stripe > total_memtable_bytes) {
    return Invalid("memtable_max_bytes_per_stripe",
                   absl::StrCat("(", memtable_max_bytes_per_stripe,
                                ") must not exceed total_memtable_bytes (",
                                total_memtable_bytes, ")"));
  }
  switch (sync_mode) {
    case SyncMode::kEveryCommit:
    case SyncMode::kNone:
      break;
    case SyncMode::kInterval:
      if (sync_interval_ms == 0) {
        return Invalid("sync_interval_ms",
                       "must be at least 1 when sync_mode is kInterval");
      }
      break;
    default:
      return Invalid("sync_mode", absl::StrCat("has unknown value ",
                                               static_cast<int>(sync_mode)));
  }
  if (background_threads < 1) {
    return Invalid("background_threads", absl::StrCat("(", background_threads,
                                                      ") must be at least 1"));
  }
  if (background_threads > 64) {
    return Invalid("background_threads", absl::StrCat("(", background_threads,
                                                      ") must be at most 64"));
  }
  if (max_tables_per_stripe < 1) {
    return Invalid(
        "max_tables_per_stripe",
        absl::StrCat("(", max_tables_per_stripe, ") must be at least 1"));
  }
  if (idle_compaction_ms > 3600 * 1000) {
    return Invalid("idle_compaction_ms",
                   absl::StrCat("(", idle_compaction_ms,
                                ") must be at most 3600000 (an hour)"));
  }
  return absl::OkStatus();
}

}  // namespace kstone::core
