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

bool BloomFilterMayContain(std::string_view filter, std::string_view key) {
  if (filter.size() < 2) return true;
  int probes = static_cast<unsigned char>(filter.back());
  if (probes < 1 || probes > 30) return true;
  uint64_t bits = (filter.size() - 1) * 8;
  uint64_t h = BloomHash(key);
  uint64_t delta = (h >> 33) | (h << 31);
  for (int i = 0; i < probes; ++i) {
    uint64_t bit = h % bits;
    if ((filter[bit / 8] & (1 << (bit % 8))) == 0) return false;
    h += delta;
  }
  return true;
}

void BloomFilterPrefetch(std::string_view filter, std::string_view key) {
  if (filter.size() < 2) return;
  int probes = static_cast<unsigned char>(filter.back());
  if (probes < 1 || probes > 30) return;
  uint64_t bits = (filter.size() - 1) * 8;
  uint64_t h = BloomHash(key);
  uint64_t delta = (h >> 33) | (h << 31);
  for (int i = 0; i < probes; ++i) {
    __builtin_prefetch(filter.data() + (h % bits) / 8);
    h += delta;
  }
}

}  // namespace kstone::core
