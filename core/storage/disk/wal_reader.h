#ifndef KSTONE_CORE_STORAGE_DISK_WAL_READER_H_
#define KSTONE_CORE_STORAGE_DISK_WAL_READER_H_

// Reading one log file (a WAL segment or a manifest log; docs/formats/wal.md)
// record by record, and finding where and why it stops.
//
// ReadLogFile delivers the good records from the start up to the first bad
// one and describes the end it found. Whether a bad end is a torn tail, to
// be truncated, or corruption, to be reported, is the caller's decision
// (IsTornTail gives the rule of docs/formats/wal.md), because only the caller
// knows whether the file is the newest one.
//
// Thread safety: ReadLogFile is a free function without shared state.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/disk/wal_format.h"

namespace kstone::core::wal {

struct LogFileEnd {
  uint64_t file_size = 0;
  // Offset just past the last good record (0 if even the header is bad).
  // Every byte before it was delivered or is the header.
  uint64_t valid_bytes = 0;
  // True if the file ended exactly after a good record (or is empty).
  bool clean = true;
  // When !clean: why the bytes at valid_bytes are not a good record.
  std::string reason;
  // When !clean: whether a good record starts somewhere after valid_bytes.
  bool good_record_follows = false;
};

// Reads the log file at `path` and calls fn(payload, offset) on each good
// record, in order (offset is where the record's header starts; payload is
// valid only during the call). Stops at the end of the file or at the first
// bad record: a truncated header, an unknown type, a length past the maximum
// or past the end of the file, or a checksum mismatch (a bad or truncated
// file header counts as a bad record at offset 0). An empty file is clean.
//
// Returns the end found. Errors: the file system's errors; DataLoss for a
// file header whose version this build does not read; whatever fn returns
// (reading stops there).
absl::StatusOr<LogFileEnd> ReadLogFile(
    FileSystem* fs, const std::string& path, LogKind kind,
    const std::function<absl::Status(std::string_view payload,
                                     uint64_t offset)>& fn);

// The recovery rule: a bad end of the newest file, after which no good
// record follows, is a torn tail (cut off and reported). Anything else that
// is not clean is corruption.
inline bool IsTornTail(const LogFileEnd& end, bool newest) {
  return !end.clean && newest && !end.good_record_follows;
}

// DataLoss naming the file and offset, for an end that is not a torn tail.
absl::Status CorruptionError(LogKind kind, const std::string& path,
                             const LogFileEnd& end);

}  // namespace kstone::core::wal

#endif  // KSTONE_CORE_STORAGE_DISK_WAL_READER_H_
