#ifndef KSTONE_CORE_STORAGE_KEY_HASH_H_
#define KSTONE_CORE_STORAGE_KEY_HASH_H_

// KeyHash: the one hash of an engine key that every in-memory lookup
// structure of a stripe is keyed by: the memtables' key filters and the
// memory tables' hash indexes. A point lookup asks all of them about one
// key (a conditional Put of a new item asks every one), so the engine
// hashes the key once, when it starts the lookup's prefetches, and hands
// the hash down (Table::Prefetch and the other lookups that take a
// `key_hash`). Never stored: it may change between versions.

#include <cstdint>
#include <string_view>

#include "core/util/hash.h"

namespace kstone::core {

inline constexpr uint64_t kKeyHashSeed = 0x6d656d74626c66ULL;  // "memtblf"

inline uint64_t KeyHash(std::string_view key) {
  return Hash64(key, kKeyHashSeed);
}

// A key and its KeyHash, computed once and passed along together. Views the
// key: the key's bytes must outlive it.
struct HashedKey {
  explicit HashedKey(std::string_view k) : key(k), hash(KeyHash(k)) {}
  // REQUIRES: h == KeyHash(k).
  HashedKey(std::string_view k, uint64_t h) : key(k), hash(h) {}

  std::string_view key;
  uint64_t hash;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_KEY_HASH_H_
