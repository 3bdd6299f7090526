#ifndef KSTONE_CORE_UTIL_HASH_H_
#define KSTONE_CORE_UTIL_HASH_H_

// Hashes and checksums, all XXH3 (xxHash 0.8.x, stable on disk since 0.8.0).
// xxHash is compiled in (XXH_INLINE_ALL), so it is not a link dependency.

#include <cstdint>
#include <string_view>

namespace kstone::core {

// XXH3-64 of data: stripe routing and bloom filters.
uint64_t Hash64(std::string_view data);
uint64_t Hash64(std::string_view data, uint64_t seed);

// The 32-bit checksum of every on-disk record and block: the low 32 bits of
// XXH3-64. A masked form is unnecessary because the checksum is never stored
// inside the data it covers.
uint32_t Checksum32(std::string_view data);

}  // namespace kstone::core

#endif  // KSTONE_CORE_UTIL_HASH_H_
