// SstPointIndex: Find agrees with a seek in the index block it flattens, for
// keys sharing long prefixes, keys that are prefixes of others, repeated
// separators and bytes 0x00/0xff; malformed indexes are refused.

#include "core/storage/disk/sst_point_index.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/storage/disk/block.h"
#include "core/storage/disk/block_builder.h"
#include "core/storage/disk/sst_format.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

constexpr uint64_t kDataEnd = 1 << 30;

// An index block whose i-th entry is keys[i] with handle (1000 i, 900).
std::unique_ptr<const Block> IndexBlock(const std::vector<std::string>& keys) {
  BlockBuilder builder(/*restart_interval=*/1);
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string handle;
    EncodeBlockHandle(BlockHandle{1000 * i, 900}, &handle);
    builder.Add(keys[i], handle);
  }
  return Block::Parse(std::string(builder.Finish()));
}

// What the index block says: the position of the first entry >= key.
size_t SeekInBlock(const Block& index, const std::vector<std::string>& keys,
                   std::string_view key) {
  BlockIterator it(&index);
  it.Seek(key);
  if (!it.Valid()) return keys.size();
  std::string_view encoded = it.value();
  BlockHandle handle;
  EXPECT_TRUE(DecodeBlockHandle(&encoded, &handle));
  return static_cast<size_t>(handle.offset / 1000);
}

// Checks Find against the block and against std::lower_bound for every key,
// its neighbours and `extra` queries.
void ExpectAgrees(const std::vector<std::string>& keys,
                  const std::vector<std::string>& extra) {
  std::unique_ptr<const Block> index = IndexBlock(keys);
  ASSERT_NE(index, nullptr);
  SstPointIndex flat;
  ASSERT_TRUE(flat.Build(*index, kDataEnd));
  ASSERT_EQ(flat.size(), keys.size());
  std::vector<std::string> queries = extra;
  for (const std::string& k : keys) {
    queries.push_back(k);
    queries.push_back(k + std::string(1, '\0'));
    queries.push_back(k + "\xff");
    if (!k.empty()) {
      queries.push_back(k.substr(0, k.size() - 1));
      std::string below = k;
      below.back() = static_cast<char>(below.back() - 1);
      queries.push_back(below);
    }
  }
  for (const std::string& q : queries) {
    const size_t want = static_cast<size_t>(
        std::lower_bound(keys.begin(), keys.end(), q) - keys.begin());
    ASSERT_EQ(flat.Find(q), want) << "query \"" << q << "\"";
    ASSERT_EQ(SeekInBlock(*index, keys, q), want) << "query \"" << q << "\"";
    if (want < keys.size()) {
      EXPECT_EQ(flat.handle(want).offset, 1000 * want);
      EXPECT_EQ(flat.handle(want).size, 900u);
      EXPECT_EQ(flat.key(want), keys[want]);
    }
  }
}

TEST(SstPointIndexTest, AgreesWithTheIndexBlock) {
  ExpectAgrees({"a", "ab", "abc", "abd", "b", std::string("b\0c", 3), "bb",
                "bb", "bb", "c", "\xff", "\xff\xff"},
               {"", "0", "zz", std::string(1, '\0'), "\xff\xff\xff"});
}

TEST(SstPointIndexTest, OneBlock) {
  ExpectAgrees({"key"}, {"", "a", "kez", "keyz", "z"});
}

TEST(SstPointIndexTest, LongSharedPrefixes) {
  // Heads tie for many entries: the full keys decide.
  std::vector<std::string> keys;
  const std::string prefix(40, 'p');
  for (int group = 0; group < 5; ++group) {
    for (int i = 0; i < 30; ++i) {
      keys.push_back(prefix + std::string(1, static_cast<char>('a' + group)) +
                     std::string(20, 'q') + std::to_string(1000 + i));
    }
  }
  std::sort(keys.begin(), keys.end());
  ExpectAgrees(keys, {prefix, prefix + "a", prefix + "f", "p", "q"});
}

TEST(SstPointIndexTest, RandomKeys) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  for (int round = 0; round < 20; ++round) {
    // A small alphabet and a shared stem make ties and prefixes common.
    const std::string stem(rng() % 12, 's');
    auto random_key = [&] {
      std::string key = stem;
      const size_t n = rng() % 14;
      for (size_t i = 0; i < n; ++i) {
        const char alphabet[] = {'\0', 'a', 'b', '\x7f', '\x80', '\xff'};
        key.push_back(alphabet[rng() % 6]);
      }
      return key;
    };
    std::vector<std::string> keys(1 + rng() % 200);
    for (std::string& key : keys) key = random_key();
    std::sort(keys.begin(), keys.end());
    std::vector<std::string> extra(100);
    for (std::string& key : extra) key = random_key();
    ExpectAgrees(keys, extra);
  }
}

TEST(SstPointIndexTest, RefusesUnsortedKeys) {
  std::unique_ptr<const Block> index = IndexBlock({"a", "c", "b"});
  ASSERT_NE(index, nullptr);
  SstPointIndex flat;
  EXPECT_FALSE(flat.Build(*index, kDataEnd));
  EXPECT_TRUE(flat.empty());
  EXPECT_EQ(flat.Find("b"), 0u);
}

TEST(SstPointIndexTest, RefusesHandlesPastTheData) {
  std::unique_ptr<const Block> index = IndexBlock({"a", "b", "c"});
  ASSERT_NE(index, nullptr);
  SstPointIndex flat;
  // The last block is at 2000 and ends, with its trailer, at 2905.
  EXPECT_FALSE(flat.Build(*index, 2000 + 900 + kBlockTrailerSize - 1));
  EXPECT_TRUE(flat.empty());
  EXPECT_TRUE(flat.Build(*index, 2000 + 900 + kBlockTrailerSize));
  EXPECT_EQ(flat.size(), 3u);
}

TEST(SstPointIndexTest, RefusesMalformedEntries) {
  BlockBuilder builder(1);
  builder.Add("a", "\xff");  // a truncated varint, not a handle
  std::unique_ptr<const Block> index =
      Block::Parse(std::string(builder.Finish()));
  ASSERT_NE(index, nullptr);
  SstPointIndex flat;
  EXPECT_FALSE(flat.Build(*index, kDataEnd));

  BlockBuilder empty(1);
  std::unique_ptr<const Block> none = Block::Parse(std::string(empty.Finish()));
  ASSERT_NE(none, nullptr);
  EXPECT_FALSE(flat.Build(*none, kDataEnd));
  EXPECT_TRUE(flat.empty());
}

}  // namespace
}  // namespace kstone::core
