#ifndef KSTONE_CORE_STORAGE_BLOOM_FILTER_H_
#define KSTONE_CORE_STORAGE_BLOOM_FILTER_H_

// A bloom filter over engine keys, shared by the memory table and the disk
// SST (whose filter block stores the bytes of Build()).
//
// Layout of the filter bytes: the bit array, then one byte holding the number
// of probes k. Probes use double hashing of one XXH3-64 hash (Kirsch and
// Mitzenmacher), so a key is hashed once per query.
//
// Thread safety: BloomFilterBuilder is not thread-safe; BloomFilterMayContain
// is a pure function.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kstone::core {

class BloomFilterBuilder {
 public:
  explicit BloomFilterBuilder(int bits_per_key);

  void AddKey(std::string_view key);
  // The filter for every key added so far.
  std::string Build() const;
  size_t num_keys() const { return hashes_.size(); }

 private:
  const int bits_per_key_;
  std::vector<uint64_t> hashes_;
};

// False only if `key` was certainly not added to the filter. A malformed
// filter (empty, or an out-of-range probe count) answers true: it filters
// nothing rather than hiding data.
bool BloomFilterMayContain(std::string_view filter, std::string_view key);

// Starts loading the cache lines BloomFilterMayContain(filter, key) reads,
// without waiting for them. Does nothing for a malformed filter.
void BloomFilterPrefetch(std::string_view filter, std::string_view key);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_BLOOM_FILTER_H_
