// The memtable's insert hint (the splice of the last Add): whatever order
// records arrive in, the memtable holds them in (key ascending, seq
// descending) order, forwards and backwards, and every level of the
// skiplist stays searchable (Get and Seek find every key).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/engine/memtable.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

std::string HintKey(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "h%07d", i);
  return std::string(1, '\x03') + buf;
}

// (key, seq) in memtable order: key ascending, seq descending.
struct Entry {
  std::string key;
  uint64_t seq;
  bool operator<(const Entry& o) const {
    return std::tie(key, o.seq) < std::tie(o.key, seq);
  }
};

// Adds `keys` with sequence numbers 1, 2, ... and checks the memtable
// against a sorted model: a full scan both ways, a Get and a Seek of every
// key. `prepare`, if given, names the key to PrepareAdd before each Add
// (the one added, another, or "" for none), which must call back at as many
// steps as it is asked to.
void AddAndCheck(const std::vector<std::string>& keys,
                 const std::vector<std::string>* prepare = nullptr) {
  MemTable mem(7);
  std::set<Entry> model;
  uint64_t seq = 0;
  for (const std::string& key : keys) {
    if (prepare != nullptr && !(*prepare)[seq].empty()) {
      // Steps at nodes the walk reaches or not (it loads about log4 of the
      // records, and none when the last hint fits): every step runs.
      static const std::vector<std::vector<int>> kStepNodes = {
          {}, {1}, {1, 3}, {2, 5, 40}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50}};
      const std::vector<int>& step_nodes = kStepNodes[seq % kStepNodes.size()];
      size_t steps = 0;
      mem.PrepareAdd((*prepare)[seq], step_nodes, [&] { ++steps; });
      ASSERT_EQ(steps, step_nodes.size());
      // The place found reads as a search does.
      LookupResult prepared;
      const bool found = mem.GetPreparedInto((*prepare)[seq], &prepared);
      const std::optional<LookupResult> searched = mem.Get((*prepare)[seq]);
      ASSERT_EQ(found, searched.has_value()) << (*prepare)[seq];
      if (found) {
        EXPECT_EQ(prepared.seq, searched->seq);
        EXPECT_EQ(prepared.value, searched->value);
      }
    }
    ++seq;
    mem.Add(seq, RecordType::kValue, key, key + "/" + std::to_string(seq));
    model.insert(Entry{key, seq});
  }
  ASSERT_EQ(mem.records(), model.size());
  auto it = mem.NewIterator();
  it->SeekToFirst();
  for (const Entry& e : model) {
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->record().key, e.key);
    ASSERT_EQ(it->record().seq, e.seq);
    it->Next();
  }
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  for (auto e = model.rbegin(); e != model.rend(); ++e) {
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->record().key, e->key);
    ASSERT_EQ(it->record().seq, e->seq);
    it->Prev();
  }
  EXPECT_FALSE(it->Valid());
  // The newest version of every key, found by Get and by Seek (which walk
  // the upper levels, so a node linked at a wrong place there shows up).
  for (auto e = model.begin(); e != model.end();) {
    std::optional<LookupResult> r = mem.Get(e->key);
    ASSERT_TRUE(r.has_value()) << e->key;
    EXPECT_EQ(r->seq, e->seq) << e->key;
    EXPECT_EQ(r->value, e->key + "/" + std::to_string(e->seq));
    it->Seek(e->key);
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->record().key, e->key);
    EXPECT_EQ(it->record().seq, e->seq);
    const std::string key = e->key;
    while (e != model.end() && e->key == key) ++e;
  }
  EXPECT_FALSE(mem.Get(HintKey(9999999)).has_value());  // never added
}

TEST(MemTableHintTest, AscendingKeys) {
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) keys.push_back(HintKey(i));
  AddAndCheck(keys);
}

TEST(MemTableHintTest, DescendingKeys) {
  std::vector<std::string> keys;
  for (int i = 5000; i > 0; --i) keys.push_back(HintKey(i));
  AddAndCheck(keys);
}

// Many versions of one key in a row (each new version sorts before the
// last one), and ascending keys with a few versions each.
TEST(MemTableHintTest, ManyVersionsOfOneKey) {
  std::vector<std::string> keys(3000, HintKey(42));
  for (int i = 0; i < 3000; ++i) {
    keys.push_back(HintKey(100 + i / 3));  // ascending, three versions each
  }
  keys.insert(keys.end(), 500, HintKey(42));  // and the first key again
  AddAndCheck(keys);
}

// Ascending runs from several starting points, interleaved with random keys
// and repeats: a hinted insert right after an unrelated insert, runs that
// end where another run's keys already are, and keys equal to existing
// ones (new versions).
TEST(MemTableHintTest, MixedRunsAndRandomKeysMatchTheModel) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  for (int round = 0; round < 4; ++round) {
    std::vector<std::string> keys;
    while (keys.size() < 12000) {
      switch (rng() % 4) {
        case 0: {  // an ascending run, maybe with gaps
          const int start = static_cast<int>(rng() % 5000);
          const int len = 1 + static_cast<int>(rng() % 300);
          const int step = 1 + static_cast<int>(rng() % 3);
          for (int i = 0; i < len; ++i)
            keys.push_back(HintKey(start + i * step));
          break;
        }
        case 1:  // random keys
          for (int i = 0; i < 50; ++i) {
            keys.push_back(HintKey(static_cast<int>(rng() % 5000)));
          }
          break;
        case 2: {  // a descending run
          const int start = 40 + static_cast<int>(rng() % 5000);
          for (int i = 0; i < 40; ++i) keys.push_back(HintKey(start - i));
          break;
        }
        default:  // one key, several versions
          keys.insert(keys.end(), 1 + rng() % 20,
                      HintKey(static_cast<int>(rng() % 5000)));
          break;
      }
    }
    AddAndCheck(keys);
  }
}

// PrepareAdd before an Add leaves the hint at the prepared key: an Add of
// that key (new or a new version) links there, an Add of another key must
// notice the hint does not fit. Either way the memtable matches the model.
// Keys longer than the memtable notes (64 bytes) take the checked path.
TEST(MemTableHintTest, PrepareAddOfTheSameOrAnotherKeyMatchesTheModel) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  for (const std::string& prefix : {std::string(), std::string(70, 'x')}) {
    std::vector<std::string> keys;
    std::vector<std::string> prepare;
    for (int i = 0; i < 12000; ++i) {
      // Few distinct keys, so that many Adds are new versions of a key.
      keys.push_back(prefix + HintKey(static_cast<int>(rng() % 3000)));
      switch (rng() % 6) {
        case 0:
          prepare.push_back(prefix + HintKey(static_cast<int>(rng() % 3000)));
          break;
        case 1:
          prepare.push_back("");
          break;
        default:
          prepare.push_back(keys.back());
          break;
      }
    }
    AddAndCheck(keys, &prepare);
  }
}

// An Add right after PrepareAdd of its key links at the place the walk
// found without checking it, but only for a record newer than every record
// here (the engine's writes): an older version of the key (as recovery
// might add) sorts after the key's newer records and must be placed there.
TEST(MemTableHintTest, AnOlderVersionAfterPrepareAddGoesAfterTheNewerOnes) {
  MemTable mem(7);
  for (int i = 0; i < 200; ++i) {
    mem.Add(static_cast<uint64_t>(i) * 10 + 100, RecordType::kValue, HintKey(i),
            "v");
  }
  const std::string key = HintKey(50);  // has version 600
  mem.PrepareAdd(key, {}, [] {});
  mem.Add(5, RecordType::kValue, key, "older");
  mem.PrepareAdd(key, {}, [] {});
  mem.Add(5000, RecordType::kValue, key, "newest");
  auto it = mem.NewIterator();
  it->Seek(key);
  std::vector<uint64_t> seqs;
  for (; it->Valid() && it->record().key == key; it->Next()) {
    seqs.push_back(it->record().seq);
  }
  EXPECT_EQ(seqs, (std::vector<uint64_t>{5000, 600, 5}));
  EXPECT_EQ(mem.Get(key)->value, "newest");
}

}  // namespace
}  // namespace kstone::core
