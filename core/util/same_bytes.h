#ifndef KSTONE_CORE_UTIL_SAME_BYTES_H_
#define KSTONE_CORE_UTIL_SAME_BYTES_H_

// SameBytes(a, b): a == b for short strings (engine keys, a few dozen
// bytes), compared eight bytes at a time inline. std::string_view's ==
// calls the C library's memcmp, whose call and dispatch cost more than the
// comparison of such keys; the write path compares a key with itself (is
// this the key whose hash we have?) a few times per write.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace kstone::core {

inline bool SameBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  const auto load64 = [](const char* s) {
    uint64_t v;
    std::memcpy(&v, s, sizeof(v));
    return v;
  };
  if (n >= 8) {
    // Whole words, then the last eight bytes (overlapping the last word).
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (load64(p + i) != load64(q + i)) return false;
    }
    return load64(p + n - 8) == load64(q + n - 8);
  }
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

}  // namespace kstone::core

#endif  // KSTONE_CORE_UTIL_SAME_BYTES_H_
