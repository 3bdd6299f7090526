#ifndef KSTONE_CORE_STORAGE_MEMORY_BUCKETED_SLOTS_H_
#define KSTONE_CORE_STORAGE_MEMORY_BUCKETED_SLOTS_H_

// BucketedSlots: the slot array of a MemoryTable's hash index, an
// open-addressing table of non-zero uint32 values (0 marks an empty slot)
// grouped in buckets of 16 slots, each bucket one aligned cache line.
//
// A value hashes to a bucket and goes into the first empty slot from that
// bucket's start, moving on to the next bucket (wrapping) when it is full:
// linear probing whose runs start at a line's start. Since slots are only
// ever filled in that order and never emptied, the filled slots of a bucket
// are always a prefix of it, so a search that meets an empty slot is over.
// At the table's load (at most 0.8) most buckets are not full, and a search,
// hit or miss, reads one cache line, compared 16 slots at a time. (Plain
// linear probing from a random slot at load 0.8 scans ~13 slots for an
// absent key and crosses into a second line about as often as not; an
// absent key is what a conditional Put of a new item looks up in every
// table of its stripe.)
//
// What the values mean is the caller's: MemoryTable keeps a tag (fingerprint
// bits of the key's hash) in the high bits and a locator + 1 in the low ones.
//
// Thread safety: Reset and Insert are for the builder; once built, Find and
// Prefetch may be called concurrently.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kstone::core::memory_table_internal {

class BucketedSlots {
 public:
  static constexpr size_t kSlotsPerBucket = 16;  // 64 bytes: one line

  // Room for `values` values at a load of at most 0.8 (and at least one
  // empty slot, which ends every search). Drops what was there.
  void Reset(size_t values) {
    const size_t slots = values + values / 4 + 1;
    num_buckets_ = (slots + kSlotsPerBucket - 1) / kSlotsPerBucket;
    const size_t bytes = num_buckets_ * kSlotsPerBucket * sizeof(uint32_t);
    slots_.reset(static_cast<uint32_t*>(std::aligned_alloc(kLineBytes, bytes)));
    if (slots_ == nullptr) std::abort();  // as operator new would fail
    std::memset(slots_.get(), 0, bytes);
  }

  bool empty() const { return num_buckets_ == 0; }
  size_t num_buckets() const { return num_buckets_; }
  size_t num_slots() const { return num_buckets_ * kSlotsPerBucket; }

  // The bucket a 64-bit hash starts at: by its high bits (multiply-shift),
  // leaving the low bits to the caller's tag. REQUIRES: !empty().
  size_t BucketOf(uint64_t hash) const {
    return static_cast<size_t>(
        (static_cast<unsigned __int128>(hash) * num_buckets_) >> 64);
  }

  void Prefetch(size_t bucket) const {
    __builtin_prefetch(slots_.get() + bucket * kSlotsPerBucket);
  }

  // Puts `value` (non-zero) in the first empty slot from `bucket` on.
  // REQUIRES: fewer values than Reset made room for.
  void Insert(size_t bucket, uint32_t value) {
    for (;;) {
      uint32_t* b = slots_.get() + bucket * kSlotsPerBucket;
      for (size_t i = 0; i < kSlotsPerBucket; ++i) {
        if (b[i] == 0) {
          b[i] = value;
          return;
        }
      }
      bucket = Next(bucket);
    }
  }

  // The first value, in probe order from `bucket`, whose bits under
  // `tag_mask` equal `tag` and which accept(value) takes; 0 once an empty
  // slot ends the run first.
  template <typename AcceptFn>
  uint32_t Find(size_t bucket, uint32_t tag, uint32_t tag_mask,
                AcceptFn accept) const {
    for (;;) {
      const uint32_t* b = slots_.get() + bucket * kSlotsPerBucket;
      uint32_t matches;
      uint32_t empties;
      Scan(b, tag, tag_mask, &matches, &empties);
      // An empty slot matches a zero tag: leave empties out.
      matches &= ~empties;
      while (matches != 0) {
        const uint32_t value = b[__builtin_ctz(matches)];
        if (accept(value)) return value;
        matches &= matches - 1;
      }
      if (empties != 0) return 0;
      bucket = Next(bucket);
    }
  }

 private:
  static constexpr size_t kLineBytes = 64;
  struct Free {
    void operator()(uint32_t* p) const { std::free(p); }
  };

  size_t Next(size_t bucket) const {
    return bucket + 1 == num_buckets_ ? 0 : bucket + 1;
  }

  // Bit i of *matches: slot i's bits under tag_mask equal tag; of *empties:
  // slot i is empty.
  static void Scan(const uint32_t* b, uint32_t tag, uint32_t tag_mask,
                   uint32_t* matches, uint32_t* empties) {
#if defined(__SSE2__)
    const __m128i t = _mm_set1_epi32(static_cast<int>(tag));
    const __m128i m = _mm_set1_epi32(static_cast<int>(tag_mask));
    const __m128i zero = _mm_setzero_si128();
    const __m128i* v = reinterpret_cast<const __m128i*>(b);
    const __m128i v0 = _mm_load_si128(v);
    const __m128i v1 = _mm_load_si128(v + 1);
    const __m128i v2 = _mm_load_si128(v + 2);
    const __m128i v3 = _mm_load_si128(v + 3);
    // Four 32-bit lanes of all ones or zeros per vector, narrowed (with
    // saturation, which keeps -1 and 0) to 16 bytes, one per slot.
    const auto to_bits = [](__m128i a, __m128i b2, __m128i c, __m128i d) {
      return static_cast<uint32_t>(_mm_movemask_epi8(
          _mm_packs_epi16(_mm_packs_epi32(a, b2), _mm_packs_epi32(c, d))));
    };
    *matches = to_bits(_mm_cmpeq_epi32(_mm_and_si128(v0, m), t),
                       _mm_cmpeq_epi32(_mm_and_si128(v1, m), t),
                       _mm_cmpeq_epi32(_mm_and_si128(v2, m), t),
                       _mm_cmpeq_epi32(_mm_and_si128(v3, m), t));
    *empties = to_bits(_mm_cmpeq_epi32(v0, zero), _mm_cmpeq_epi32(v1, zero),
                       _mm_cmpeq_epi32(v2, zero), _mm_cmpeq_epi32(v3, zero));
#else
    uint32_t match_bits = 0;
    uint32_t empty_bits = 0;
    for (size_t i = 0; i < kSlotsPerBucket; ++i) {
      match_bits |= uint32_t{(b[i] & tag_mask) == tag} << i;
      empty_bits |= uint32_t{b[i] == 0} << i;
    }
    *matches = match_bits;
    *empties = empty_bits;
#endif
  }

  std::unique_ptr<uint32_t[], Free> slots_;
  size_t num_buckets_ = 0;
};

}  // namespace kstone::core::memory_table_internal

#endif  // KSTONE_CORE_STORAGE_MEMORY_BUCKETED_SLOTS_H_
