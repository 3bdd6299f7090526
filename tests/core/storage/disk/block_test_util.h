#ifndef KSTONE_TESTS_CORE_STORAGE_DISK_BLOCK_TEST_UTIL_H_
#define KSTONE_TESTS_CORE_STORAGE_DISK_BLOCK_TEST_UTIL_H_

// Helpers for the tests of SST data blocks (block_seek_exact_test.cc,
// block_hash_index_test.cc): a block built from entries, the lookups worth
// trying on it, and Block::SeekExact checked against a BlockIterator seek.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block.h"
#include "core/storage/disk/block_builder.h"
#include "gtest/gtest.h"

namespace kstone::core::block_test {

using Entries = std::vector<std::pair<std::string, std::string>>;

// The contents of a block of `entries` (sorted by key); with `hash_index`,
// a data block of SST format version 2.
inline std::string BlockContents(const Entries& entries, int restart_interval,
                                 bool hash_index = false) {
  BlockBuilder builder(restart_interval, hash_index);
  for (const auto& [key, value] : entries) builder.Add(key, value);
  return std::string(builder.Finish());
}

// Checks SeekExact(target) against a BlockIterator seek on the same block:
// the same entry, or the same corruption at the same offset.
inline void ExpectSameAsIterator(const Block& block,
                                 const std::string& target) {
  SCOPED_TRACE(absl::StrCat("target \"", target, "\""));
  std::string_view value;
  uint32_t corrupt_offset = 0;
  const Block::SeekResult result =
      block.SeekExact(target, &value, &corrupt_offset);
  BlockIterator it(&block);
  it.Seek(target);
  if (it.corrupt()) {
    ASSERT_EQ(result, Block::SeekResult::kCorrupt);
    EXPECT_EQ(corrupt_offset, it.corrupt_offset());
  } else if (it.Valid() && it.key() == target) {
    ASSERT_EQ(result, Block::SeekResult::kFound);
    EXPECT_EQ(value, it.value());
  } else {
    EXPECT_EQ(result, Block::SeekResult::kAbsent);
  }
}

// Every key of `entries` and its neighbours (extended, cut short, one less
// in its last byte), and the extremes.
inline std::vector<std::string> Targets(const Entries& entries) {
  std::vector<std::string> targets = {"", std::string(1, '\0'), "\xff\xff\xff"};
  for (const auto& [key, value] : entries) {
    targets.push_back(key);
    targets.push_back(key + std::string(1, '\0'));
    targets.push_back(key + "a");
    if (!key.empty()) {
      targets.push_back(key.substr(0, key.size() - 1));
      std::string below = key;
      below.back() = static_cast<char>(below.back() - 1);
      targets.push_back(below);
    }
  }
  return targets;
}

}  // namespace kstone::core::block_test

#endif  // KSTONE_TESTS_CORE_STORAGE_DISK_BLOCK_TEST_UTIL_H_
