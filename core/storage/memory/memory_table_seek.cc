// The seeks of MemoryTable (memory_table.h): fences over the whole table,
// then, inside the group of records the fences leave, two-byte hints
// instead of the records themselves.

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string_view>

#include "core/storage/memory/memory_table.h"
#include "core/util/coding.h"

namespace kstone::core {

namespace {

// The first index in [lo, hi) whose `pred` is false (hi if none), for a
// `pred` that is true and then false. The elements searched are cache
// misses, each probe depending on the one before in a binary search; here
// each round requests three probes' memory together (`prefetch`) and then
// compares, so a search waits about log4(n) times for memory instead of
// log2(n).
template <typename Pred, typename Prefetch>
size_t QuaternarySearch(size_t lo, size_t hi, Pred pred, Prefetch prefetch) {
  while (hi - lo > 3) {
    const size_t q = (hi - lo) / 4;
    const size_t m1 = lo + q, m2 = lo + 2 * q, m3 = lo + 3 * q;
    prefetch(m1);
    prefetch(m2);
    prefetch(m3);
    if (pred(m2)) {
      lo = m2 + 1;
      if (pred(m3)) {
        lo = m3 + 1;
      } else {
        hi = m3;
      }
    } else {
      hi = m2;
      if (pred(m1)) {
        lo = m1 + 1;
      } else {
        hi = m1;
      }
    }
  }
  while (lo < hi && pred(lo)) ++lo;
  return lo;
}

}  // namespace

size_t MemoryTable::LowerBound(std::string_view key) const {
  return Bound(key, /*upper=*/false);
}

size_t MemoryTable::UpperBound(std::string_view key) const {
  return Bound(key, /*upper=*/true);
}

size_t MemoryTable::Bound(std::string_view key, bool upper) const {
  // The prefix once: every key of the table is prefix_ + suffix.
  const size_t n = std::min(prefix_.size(), key.size());
  const int c = n == 0 ? 0 : std::memcmp(prefix_.data(), key.data(), n);
  if (c > 0 || (c == 0 && key.size() < prefix_.size())) return 0;
  if (c < 0) return size();
  const std::string_view suffix = key.substr(prefix_.size());
  size_t lo, hi;
  FenceRange(suffix, &lo, &hi);
  if (lo == hi) return lo;
  // (The offsets of a range as fences leave it span a line or two.)
  __builtin_prefetch(&block_base_[lo >> kBlockShift]);
  __builtin_prefetch(&offsets_[lo]);
  __builtin_prefetch(&offsets_[hi - 1]);
  if (hi - lo <= (size_t{1} << kFenceShift)) {
    return GroupBound(lo, hi, suffix, upper);  // one group: the usual case
  }
  // Many keys share their first 16 suffix bytes: search the records.
  return QuaternarySearch(
      lo, hi,
      [&](size_t i) {
        const int r = SuffixAt(i).compare(suffix);
        return r < 0 || (upper && r == 0);
      },
      [this](size_t i) { __builtin_prefetch(RecordPtr(i)); });
}

// The fence of `s`. Zero padding keeps the order: if FenceOf(a) <
// FenceOf(b) then a < b (bytewise), and if FenceOf(a) > FenceOf(b) then
// a > b; equal fences decide nothing.
MemoryTable::Fence MemoryTable::FenceOf(std::string_view s) {
  return Fence{LeadingWord(s),
               LeadingWord(s.size() > 8 ? s.substr(8) : std::string_view())};
}

void MemoryTable::FenceRange(std::string_view suffix, size_t* lo,
                             size_t* hi) const {
  const Fence head = FenceOf(suffix);
  auto prefetch = [this](size_t i) { __builtin_prefetch(&fences_[i]); };
  // First fence >= head and first fence > head.
  const size_t ge = QuaternarySearch(
      0, fences_.size(), [&](size_t i) { return fences_[i] < head; }, prefetch);
  const size_t gt = QuaternarySearch(
      ge, fences_.size(), [&](size_t i) { return !(head < fences_[i]); },
      prefetch);
  // Group ge - 1 starts below suffix but may reach it; the record opening
  // group gt is above it.
  *lo = ge == 0 ? 0 : (ge - 1) << kFenceShift;
  *hi = std::min(size(), gt << kFenceShift);
}

size_t MemoryTable::GroupBound(size_t lo, size_t hi, std::string_view suffix,
                               bool upper) const {
  const size_t group = lo >> kFenceShift;
  __builtin_prefetch(&hints_[lo]);
  __builtin_prefetch(&hints_[hi - 1]);
  // The bytes every record of the group starts with: its fence's first
  // `shared` bytes.
  const size_t shared = group_shared_[group];
  char head[16];
  const Fence& fence = fences_[group];
  for (int b = 0; b < 8; ++b) {
    head[b] = static_cast<char>(fence.high >> (56 - 8 * b));
    head[8 + b] = static_cast<char>(fence.low >> (56 - 8 * b));
  }
  const size_t n = std::min(shared, suffix.size());
  const int c = n == 0 ? 0 : std::memcmp(suffix.data(), head, n);
  if (c < 0) return lo;
  if (c > 0) return hi;
  // A proper prefix of the shared bytes is below every record of the group.
  if (suffix.size() < shared) return lo;
  // Records whose hint is below (above) the key's are below (above) it;
  // only those with the same hint need their keys compared.
  const uint16_t want = HintOf(suffix, shared);
  size_t i = lo;
  while (i < hi && hints_[i] < want) ++i;
  for (; i < hi && hints_[i] == want; ++i) {
    const int r = SuffixAt(i).compare(suffix);
    if (r > 0 || (r == 0 && !upper)) return i;
  }
  return i;
}

uint16_t MemoryTable::HintOf(std::string_view suffix, size_t from) {
  const auto byte = [&](size_t i) -> uint16_t {
    return i < suffix.size() ? static_cast<unsigned char>(suffix[i]) : 0;
  };
  return static_cast<uint16_t>(byte(from) << 8 | byte(from + 1));
}

void MemoryTable::BuildFences() {
  if (size() > 0) {
    first_word_ = LeadingWord(SuffixAt(0));
    last_word_ = LeadingWord(SuffixAt(size() - 1));
  }
  const size_t group_size = size_t{1} << kFenceShift;
  fences_.clear();
  fences_.reserve((size() >> kFenceShift) + 1);
  group_shared_.clear();
  group_shared_.reserve(fences_.capacity());
  hints_.clear();
  hints_.reserve(size());
  for (size_t i = 0; i < size(); i += group_size) {
    const std::string_view first = SuffixAt(i);
    const size_t end = std::min(size(), i + group_size);
    fences_.push_back(FenceOf(first));
    // Sorted keys: what the group's first and last share, all share.
    const std::string_view last = SuffixAt(end - 1);
    size_t shared = 0;
    while (shared < 16 && shared < first.size() && shared < last.size() &&
           first[shared] == last[shared]) {
      ++shared;
    }
    group_shared_.push_back(static_cast<uint8_t>(shared));
    for (size_t j = i; j < end; ++j) {
      hints_.push_back(HintOf(SuffixAt(j), shared));
    }
  }
}

}  // namespace kstone::core
