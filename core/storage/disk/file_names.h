#ifndef KSTONE_CORE_STORAGE_DISK_FILE_NAMES_H_
#define KSTONE_CORE_STORAGE_DISK_FILE_NAMES_H_

// Names of the files in a disk database directory, and path helpers:
//
//   NNNNNN.log        a WAL segment (docs/formats/wal.md)
//   MANIFEST-NNNNNN   a manifest log (docs/formats/manifest.md)
//   CURRENT           names the live manifest
//   IDENTITY          marks the directory as a kstone database
//   LOCK              the exclusive lock of an open database
//
// NNNNNN is a decimal number, zero-padded to at least 6 digits.

#include <cstdint>
#include <string>
#include <string_view>

namespace kstone::core {

// dir + "/" + name (just name if dir is empty).
std::string JoinPath(std::string_view dir, std::string_view name);
// Everything before the last '/' ("" if none).
std::string ParentDir(std::string_view path);

std::string WalSegmentName(uint64_t number);  // "000012.log"
std::string ManifestName(uint64_t number);    // "MANIFEST-000003"
inline constexpr std::string_view kCurrentName = "CURRENT";
inline constexpr std::string_view kIdentityName = "IDENTITY";
inline constexpr std::string_view kLockName = "LOCK";

// Parse a file name (not a path); false if it is not one of that kind.
bool ParseWalSegmentName(std::string_view name, uint64_t* number);
bool ParseManifestName(std::string_view name, uint64_t* number);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_FILE_NAMES_H_
