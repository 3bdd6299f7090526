#include "core/storage/disk/sst_point_index.h"

#include <algorithm>
#include <cstring>

namespace kstone::core {

bool SstPointIndex::Build(const Block& index, uint64_t data_end) {
  std::vector<uint32_t> key_ends;
  std::string keys;
  std::vector<BlockHandle> handles;
  size_t previous = 0;  // where the last key starts in `keys`
  BlockIterator it(&index);
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view encoded = it.value();
    BlockHandle handle;
    if (!DecodeBlockHandle(&encoded, &handle) || handle.offset > data_end ||
        handle.size > data_end ||
        handle.offset + handle.size + kBlockTrailerSize > data_end) {
      return false;
    }
    const std::string_view key = it.key();
    if (!handles.empty() && key < std::string_view(keys).substr(previous)) {
      return false;
    }
    if (keys.size() + key.size() > UINT32_MAX) return false;
    previous = keys.size();
    keys.append(key.data(), key.size());
    key_ends.push_back(static_cast<uint32_t>(keys.size()));
    handles.push_back(handle);
  }
  if (it.corrupt() || handles.empty()) return false;

  keys_ = std::move(keys);
  key_ends_ = std::move(key_ends);
  handles_ = std::move(handles);
  // In sorted keys, the prefix the first and the last share is everyone's.
  const std::string_view first = key(0);
  const std::string_view last = key(handles_.size() - 1);
  size_t shared = 0;
  const size_t limit = std::min(first.size(), last.size());
  while (shared < limit && first[shared] == last[shared]) ++shared;
  prefix_.assign(first.data(), shared);
  heads_.resize(handles_.size());
  for (size_t i = 0; i < handles_.size(); ++i) heads_[i] = Head(key(i));
  return true;
}

uint64_t SstPointIndex::Head(std::string_view key) const {
  unsigned char bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t n = std::min<size_t>(8, key.size() - prefix_.size());
  std::memcpy(bytes, key.data() + prefix_.size(), n);
  uint64_t head = 0;
  for (unsigned char b : bytes) head = (head << 8) | b;
  return head;
}

size_t SstPointIndex::Find(std::string_view key) const {
  const size_t n = handles_.size();
  if (n == 0) return 0;
  // Every separator starts with prefix_: a key that differs from it within
  // its length is below or above all of them.
  const int c = key.substr(0, prefix_.size()).compare(prefix_);
  if (c < 0) return 0;
  if (c > 0) return n;
  // Zero padding keeps the order of the heads consistent with the keys'
  // (a key's head is <= the head of every key above it); equal heads are
  // told apart by the full keys.
  const uint64_t head = Head(key);
  const auto begin = heads_.begin();
  const auto lo = std::lower_bound(begin, heads_.end(), head);
  if (lo == heads_.end() || *lo != head) return static_cast<size_t>(lo - begin);
  const auto hi = std::upper_bound(lo, heads_.end(), head);
  size_t first = static_cast<size_t>(lo - begin);
  size_t count = static_cast<size_t>(hi - lo);
  while (count > 0) {
    const size_t step = count / 2;
    if (this->key(first + step) < key) {
      first += step + 1;
      count -= step + 1;
    } else {
      count = step;
    }
  }
  return first;
}

size_t SstPointIndex::memory_usage() const {
  return prefix_.capacity() + heads_.capacity() * sizeof(uint64_t) +
         key_ends_.capacity() * sizeof(uint32_t) + keys_.capacity() +
         handles_.capacity() * sizeof(BlockHandle);
}

}  // namespace kstone::core
