#ifndef KSTONE_API_ABSL_COMPAT_H_
#define KSTONE_API_ABSL_COMPAT_H_

// Debian 12's Abseil (20220623) has its own absl::string_view, distinct from
// std::string_view. The public headers speak std; these convert at the
// boundary without copying.

#include <string_view>

#include "absl/strings/string_view.h"

namespace kstone {

inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

inline std::string_view ToStd(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace kstone

#endif  // KSTONE_API_ABSL_COMPAT_H_
