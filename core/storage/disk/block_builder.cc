#include "core/storage/disk/block_builder.h"

#include <algorithm>
#include <cassert>

#include "core/util/coding.h"

namespace kstone::core {

BlockBuilder::BlockBuilder(int restart_interval)
    : restart_interval_(std::max(1, restart_interval)) {
  restarts_.push_back(0);
}

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.assign(1, 0);
  last_key_.clear();
  counter_ = 0;
  entries_ = 0;
  finished_ = false;
}

size_t BlockBuilder::SizeEstimate() const {
  return buffer_.size() + restarts_.size() * 4 + 4;
}

void BlockBuilder::Add(std::string_view key, std::string_view value_head,
                       std::string_view value_tail) {
  assert(!finished_);
  assert(entries_ == 0 || key >= std::string_view(last_key_));
  size_t shared = 0;
  if (counter_ < restart_interval_) {
    size_t limit = std::min(last_key_.size(), key.size());
    while (shared < limit && last_key_[shared] == key[shared]) ++shared;
  } else {
    restarts_.push_back(static_cast<uint32_t>(buffer_.size()));
    counter_ = 0;
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
    PutFixed32(&buffer_, static_cast<uint32_t>(restarts_.size()));
    finished_ = true;
  }
  return buffer_;
}

}  // namespace kstone::core
