#include "core/storage/disk/block_builder.h"

#include <algorithm>
#include <cassert>

#include "core/util/coding.h"

namespace kstone::core {

BlockBuilder::BlockBuilder(int restart_interval, bool hash_index)
    : restart_interval_(std::max(1, restart_interval)),
      hash_index_(hash_index) {
  restarts_.push_back(0);
}

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.assign(1, 0);
  last_key_.clear();
  restart_key_.clear();
  index_.Reset();
  counter_ = 0;
  entries_ = 0;
  finished_ = false;
}

size_t BlockBuilder::SizeEstimate() const {
  size_t size = buffer_.size() + restarts_.size() * 4 + 4;
  if (hash_index_ && index_.ok()) size += index_.SizeEstimate();
  return size;
}

void BlockBuilder::Add(std::string_view key, std::string_view value_head,
                       std::string_view value_tail) {
  assert(!finished_);
  assert(entries_ == 0 || key >= std::string_view(last_key_));
  size_t shared = 0;
  if (counter_ < restart_interval_) {
    // With an index, share only what the restart key has too (the restart
    // key is <= the previous key, so this is never more than before).
    const std::string& base = hash_index_ ? restart_key_ : last_key_;
    size_t limit = std::min(base.size(), key.size());
    while (shared < limit && base[shared] == key[shared]) ++shared;
  } else {
    restarts_.push_back(static_cast<uint32_t>(buffer_.size()));
    counter_ = 0;
  }
  if (hash_index_) {
    if (counter_ == 0) restart_key_.assign(key.data(), key.size());
    // Only a key's first entry (its newest version) is indexed.
    if (entries_ == 0 || key != std::string_view(last_key_)) {
      index_.Add(key, buffer_.size());
    }
  }
  PutVarint32(&buffer_, static_cast<uint32_t>(shared));
  PutVarint32(&buffer_, static_cast<uint32_t>(key.size() - shared));
  PutVarint32(&buffer_,
              static_cast<uint32_t>(value_head.size() + value_tail.size()));
  buffer_.append(key.data() + shared, key.size() - shared);
  buffer_.append(value_head.data(), value_head.size());
  buffer_.append(value_tail.data(), value_tail.size());
  last_key_.resize(shared);
  last_key_.append(key.data() + shared, key.size() - shared);
  ++counter_;
  ++entries_;
}

std::string_view BlockBuilder::Finish() {
  if (!finished_) {
    for (uint32_t restart : restarts_) PutFixed32(&buffer_, restart);
    uint32_t footer = static_cast<uint32_t>(restarts_.size());
    if (hash_index_ && index_.ok() && !index_.empty()) {
      index_.Finish(&buffer_);
      footer |= kBlockHashIndexFlag;
    }
    PutFixed32(&buffer_, footer);
    finished_ = true;
  }
  return buffer_;
}

}  // namespace kstone::core
