#include "core/storage/bloom_filter.h"

#include <algorithm>

#include "core/util/hash.h"

namespace kstone::core {
namespace {

constexpr uint64_t kBloomSeed = 0x6b73746f6e65ULL;  // "kstone"

uint64_t BloomHash(std::string_view key) { return Hash64(key, kBloomSeed); }

}  // namespace

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key)
    : bits_per_key_(std::max(1, bits_per_key)) {}

void BloomFilterBuilder::AddKey(std::string_view key) {
  hashes_.push_back(BloomHash(key));
}

std::string BloomFilterBuilder::Build() const {
  // k = bits_per_key * ln 2 minimises the false-positive rate.
  int probes = std::clamp(static_cast<int>(bits_per_key_ * 0.69), 1, 30);
  uint64_t bits = std::max<uint64_t>(64, hashes_.size() * bits_per_key_);
  uint64_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  std::string filter;
  filter.reserve(bytes + 1);  // + the probe count, without a regrowth
  filter.resize(bytes);
  for (uint64_t h : hashes_) {
    uint64_t delta = (h >> 33) | (h << 31);
    for (int i = 0; i < probes; ++i) {
      uint64_t bit = h % bits;
      filter[bit / 8] = static_cast<char>(filter[bit / 8] | (1 << (bit % 8)));
      h += delta;
    }
  }
  filter.push_back(static_cast<char>(probes));
  return filter;
}

namespace {

// Calls probe(byte, mask) for each of `key`'s probes of `filter` (the byte
// and the bit within it) until probe returns false. False if the filter
// cannot be probed (too short, or a probe count no builder writes).
template <typename Probe>
bool ForEachProbe(std::string_view filter, std::string_view key, Probe probe) {
  if (filter.size() < 2) return false;
  int probes = static_cast<unsigned char>(filter.back());
  if (probes < 1 || probes > 30) return false;
  uint64_t bits = (filter.size() - 1) * 8;
  uint64_t h = BloomHash(key);
  uint64_t delta = (h >> 33) | (h << 31);
  for (int i = 0; i < probes; ++i) {
    uint64_t bit = h % bits;
    if (!probe(filter.data() + bit / 8, 1 << (bit % 8))) break;
    h += delta;
  }
  return true;
}

}  // namespace

bool BloomFilterMayContain(std::string_view filter, std::string_view key) {
  bool may_contain = true;
  const bool probed =
      ForEachProbe(filter, key, [&](const char* byte, int mask) {
        may_contain = (*byte & mask) != 0;
        return may_contain;
      });
  return !probed || may_contain;
}

void BloomFilterPrefetch(std::string_view filter, std::string_view key) {
  ForEachProbe(filter, key, [](const char* byte, int) {
    __builtin_prefetch(byte);
    return true;
  });
}

}  // namespace kstone::core
