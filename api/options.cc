#include "kstone/options.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace kstone {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;
constexpr uint64_t kTiB = 1024 * kGiB;

absl::Status CheckU64(const char* field, uint64_t value, uint64_t min,
                      uint64_t max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("Options.", field, " = ",
                                                 value, " is out of range [",
                                                 min, ", ", max, "]"));
}

absl::Status CheckInt(const char* field, int value, int min, int max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("Options.", field, " = ",
                                                 value, " is out of range [",
                                                 min, ", ", max, "]"));
}

}  // namespace

absl::Status Options::Validate() const {
  absl::Status s;
  s.Update(CheckU64("memtable_max_records_per_stripe",
                    memtable_max_records_per_stripe, 1, uint64_t{1} << 32));
  s.Update(CheckU64("memtable_max_bytes_per_stripe",
                    memtable_max_bytes_per_stripe, kKiB, kGiB));
  if (total_memtable_bytes != 0) {  // 0: the default for the medium
    s.Update(CheckU64("total_memtable_bytes", total_memtable_bytes, 64 * kKiB,
                      kTiB));
  }
  if (s.ok() && total_memtable_bytes != 0 &&
      total_memtable_bytes < memtable_max_bytes_per_stripe) {
    s = absl::InvalidArgumentError(
        absl::StrCat("Options.total_memtable_bytes = ", total_memtable_bytes,
                     " is less than Options.memtable_max_bytes_per_stripe = ",
                     memtable_max_bytes_per_stripe));
  }
  switch (sync_mode) {
    case SyncMode::kEveryCommit:
    case SyncMode::kNone:
      break;
    case SyncMode::kInterval:
      s.Update(CheckU64("sync_interval_ms", sync_interval_ms, 1, 60000));
      break;
    default:
      s.Update(absl::InvalidArgumentError(
          absl::StrCat("Options.sync_mode = ", static_cast<int>(sync_mode),
                       " is not a SyncMode")));
  }
  s.Update(CheckInt("background_threads", background_threads, 1, 64));
  s.Update(CheckInt("max_tables_per_stripe", max_tables_per_stripe, 1, 64));
  if (idle_compaction_ms != kIdleCompactionOfMedium) {
    s.Update(
        CheckU64("idle_compaction_ms", idle_compaction_ms, 0, 3600 * 1000));
  }
  s.Update(CheckU64("block_cache_bytes", block_cache_bytes, 0, kTiB));
  s.Update(
      CheckU64("wal_segment_bytes", wal_segment_bytes, 64 * kKiB, 4 * kGiB));
  s.Update(CheckInt("bloom_bits_per_key", bloom_bits_per_key, 0, 64));
  return s;
}

}  // namespace kstone
