#include "core/storage/disk/file_names.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"

namespace kstone::core {
namespace {

// Parses a non-empty all-digit string without overflow.
bool ParseNumber(std::string_view digits, uint64_t* number) {
  if (digits.empty() || digits.size() > 19) return false;
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  *number = n;
  return true;
}

constexpr std::string_view kLogSuffix = ".log";
constexpr std::string_view kManifestPrefix = "MANIFEST-";

}  // namespace

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path.append(name);
  return path;
}

std::string ParentDir(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string WalSegmentName(uint64_t number) {
  return absl::StrFormat("%06u.log", number);
}

std::string ManifestName(uint64_t number) {
  return absl::StrFormat("MANIFEST-%06u", number);
}

bool ParseWalSegmentName(std::string_view name, uint64_t* number) {
  if (name.size() <= kLogSuffix.size() || !name.ends_with(kLogSuffix)) {
    return false;
  }
  name.remove_suffix(kLogSuffix.size());
  return ParseNumber(name, number);
}

bool ParseManifestName(std::string_view name, uint64_t* number) {
  if (!name.starts_with(kManifestPrefix)) return false;
  name.remove_prefix(kManifestPrefix.size());
  return ParseNumber(name, number);
}

}  // namespace kstone::core
