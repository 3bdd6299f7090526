#include "core/engine/memtable.h"

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%06d", i);
  return std::string(1, '\x07') + buf;
}

TEST(MemTableTest, EmptyTableFindsNothing) {
  MemTable mem(1);
  EXPECT_TRUE(mem.empty());
  EXPECT_FALSE(mem.Get("x").has_value());
  auto it = mem.NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek("a");
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev("z");
  EXPECT_FALSE(it->Valid());
}

TEST(MemTableTest, GetReturnsNewestVersionAndTombstones) {
  MemTable mem(1);
  mem.Add(1, RecordType::kValue, "a", "one");
  mem.Add(3, RecordType::kValue, "a", "three");
  mem.Add(2, RecordType::kValue, "a", "two");
  mem.Add(4, RecordType::kDeletion, "b", "");
  mem.Add(5, RecordType::kValue, "ab", "");
  std::optional<LookupResult> r = mem.Get("a");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->seq, 3u);
  EXPECT_EQ(r->type, RecordType::kValue);
  EXPECT_EQ(r->value, "three");
  r = mem.Get("b");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type, RecordType::kDeletion);
  r = mem.Get("ab");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value, "");
  EXPECT_FALSE(mem.Get("aa").has_value());
  EXPECT_FALSE(mem.Get("").has_value());
  EXPECT_EQ(mem.records(), 5u);
  EXPECT_EQ(mem.min_seq(), 1u);
  EXPECT_EQ(mem.max_seq(), 5u);
}

TEST(MemTableTest, IteratesInKeyThenNewestFirstOrderBothWays) {
  MemTable mem(1);
  mem.Add(10, RecordType::kValue, "b", "b10");
  mem.Add(11, RecordType::kValue, "b", "b11");
  mem.Add(5, RecordType::kValue, "a", "a5");
  mem.Add(7, RecordType::kDeletion, "c", "");
  mem.Add(8, RecordType::kValue, "c", "c8");
  // Unsigned byte order: 0xff sorts last.
  mem.Add(1, RecordType::kValue, "\xff", "ff");
  const std::vector<std::pair<std::string, uint64_t>> expected = {
      {"a", 5}, {"b", 11}, {"b", 10}, {"c", 8}, {"c", 7}, {"\xff", 1}};
  auto it = mem.NewIterator();
  std::vector<std::pair<std::string, uint64_t>> forward;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    forward.emplace_back(std::string(it->record().key), it->record().seq);
  }
  EXPECT_EQ(forward, expected);
  std::vector<std::pair<std::string, uint64_t>> backward;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    backward.emplace_back(std::string(it->record().key), it->record().seq);
  }
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(backward, expected);

  it->Seek("b");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->record().key, "b");
  EXPECT_EQ(it->record().seq, 11u);
  EXPECT_EQ(it->record().value, "b11");
  it->Seek("bb");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->record().key, "c");
  EXPECT_EQ(it->record().seq, 8u);
  // SeekForPrev lands on the oldest version of the last key <= target.
  it->SeekForPrev("c");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->record().key, "c");
  EXPECT_EQ(it->record().seq, 7u);
  EXPECT_EQ(it->record().type, RecordType::kDeletion);
  it->SeekForPrev("bz");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->record().key, "b");
  EXPECT_EQ(it->record().seq, 10u);
  it->SeekForPrev("0");
  EXPECT_FALSE(it->Valid());
}

TEST(MemTableTest, MatchesModelOnRandomInput) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  MemTable mem(1);
  std::map<std::string, std::pair<uint64_t, std::string>> newest;
  for (uint64_t seq = 1; seq <= 5000; ++seq) {
    const std::string key = Key(rng() % 1000);
    const std::string value(rng() % 120, static_cast<char>('a' + seq % 26));
    mem.Add(seq, RecordType::kValue, key, value);
    newest[key] = {seq, value};
  }
  for (const auto& [key, v] : newest) {
    std::optional<LookupResult> r = mem.Get(key);
    ASSERT_TRUE(r.has_value()) << key;
    EXPECT_EQ(r->seq, v.first);
    EXPECT_EQ(r->value, v.second);
  }
  EXPECT_EQ(mem.records(), 5000u);
  // Arena usage is close to the payload (no per-record heap allocation).
  EXPECT_GT(mem.memory_usage(), 5000u * 8);
  EXPECT_LT(mem.memory_usage(), 5000u * (60 + 14 + 64) + 64 * 1024);
}

// The key filter never hides a record, also when far more keys went in than
// it was sized for (it saturates and lets everything through), and absent
// keys are still answered correctly.
TEST(MemTableTest, KeyFilterNeverHidesARecord) {
  for (size_t filter_bytes :
       {size_t{0}, size_t{8}, size_t{512}, size_t{64} << 10}) {
    SCOPED_TRACE(testing::Message() << "filter bytes " << filter_bytes);
    MemTable mem(1, filter_bytes);
    for (int i = 0; i < 20000; i += 2) {
      mem.Add(static_cast<uint64_t>(i) + 1, RecordType::kValue, Key(i), "v");
    }
    for (int i = 0; i < 20000; ++i) {
      std::optional<LookupResult> r = mem.Get(Key(i));
      ASSERT_EQ(r.has_value(), i % 2 == 0) << i;
    }
  }
}

// A caller that computed a key's KeyHash once (the engine does, for a
// write's prefetch and Add and for every memtable a read asks) gets what
// the overloads that hash the key themselves give: each Add sets the bits
// of its key, so Get, with or without the hash, finds every record.
TEST(MemTableTest, TheCallersKeyHashIsTheKeys) {
  MemTable mem(1, 512);
  for (int i = 0; i < 2000; i += 2) {
    const std::string key = Key(i);
    const uint64_t hash = KeyHash(key);
    mem.PrefetchFilter(hash);
    mem.Add(static_cast<uint64_t>(i) + 1, RecordType::kValue, key, "v", hash);
  }
  for (int i = 0; i < 2000; ++i) {
    const std::string key = Key(i);
    const std::optional<LookupResult> hashed = mem.Get(key, KeyHash(key));
    ASSERT_EQ(hashed.has_value(), i % 2 == 0) << i;
    ASSERT_EQ(mem.Get(key).has_value(), i % 2 == 0) << i;
    if (hashed.has_value()) {
      EXPECT_EQ(hashed->seq, static_cast<uint64_t>(i) + 1);
    }
  }
}

TEST(MemTableTest, LargeValuesGetTheirOwnBlocks) {
  MemTable mem(1);
  const std::string big(100000, 'x');
  mem.Add(1, RecordType::kValue, "big", big);
  mem.Add(2, RecordType::kValue, "small", "s");
  EXPECT_EQ(mem.Get("big")->value, big);
  EXPECT_EQ(mem.Get("small")->value, "s");
  EXPECT_GE(mem.memory_usage(), big.size());
}

TEST(MemTableTest, ReadersRunConcurrentlyWithTheWriter) {
  MemTable mem(1);
  constexpr int kRecords = 20000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kRecords; ++i) {
      mem.Add(i + 1, RecordType::kValue, Key((i * 7919) % kRecords),
              std::to_string(i));
    }
    done = true;
  });
  int scans = 0;
  bool sorted = true;
  while (!done.load() || scans < 2) {
    auto it = mem.NewIterator();
    std::string prev;
    size_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string key(it->record().key);
      if (count > 0 && key <= prev) sorted = false;
      // A record, once visible, is complete.
      if (it->record().value != std::to_string(it->record().seq - 1)) {
        sorted = false;
      }
      prev = key;
      ++count;
    }
    ++scans;
    if (!sorted) break;
  }
  writer.join();
  EXPECT_TRUE(sorted);
  EXPECT_EQ(mem.records(), static_cast<uint64_t>(kRecords));
}

}  // namespace
}  // namespace kstone::core
