// MemoryTable specifics beyond the table conformance suite: its compact
// layout (footprint per record, the shared key prefix kept once), offset
// groups, the hash index as filter, and iterator lifetime.

#include "core/storage/memory/memory_table.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;

std::string Key(int i) { return absl::StrFormat("user%012d", i); }

std::shared_ptr<const MemoryTable> BuildTable(int n, size_t value_size) {
  MemoryTableBuilder builder(1, 10);
  std::string value(value_size, 'v');
  for (int i = 0; i < n; ++i) {
    absl::Status s = builder.Add({Key(i), 100, RecordType::kValue, value});
    EXPECT_TRUE(s.ok()) << s;
  }
  auto table = builder.FinishTable();
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *table : nullptr;
}

TEST(MemoryTableTest, FootprintIsRecordBytesPlusSmallOverhead) {
  constexpr int kRecords = 100000;
  constexpr size_t kValue = 80;
  auto table = BuildTable(kRecords, kValue);
  ASSERT_NE(table, nullptr);
  // Keys user000000000000 .. user000000099999 share "user0000000".
  EXPECT_EQ(table->shared_prefix(), "user0000000");
  double raw = Key(0).size() - table->shared_prefix().size() + kValue;
  double per_record =
      static_cast<double>(table->meta().bytes) / table->meta().entries;
  // Offset 2.25 (2 bytes, and 8 per block of 32), tag 1 (the sequence
  // number relative to the table's smallest), two length bytes, hash index
  // 5 (4-byte slots at load 0.8), seek hint 2, fence 0.5.
  EXPECT_LE(per_record, raw + 13) << per_record;
  EXPECT_GE(per_record, raw);
}

TEST(MemoryTableTest, SharedPrefixIsElidedAndRestored) {
  MemoryTableBuilder builder(1, 10);
  // Keys that share "ab", one of them equal to the shared prefix, some long
  // enough that their suffix length needs a two-byte varint.
  const std::vector<std::string> keys = {"ab", std::string("ab\0", 3), "abc",
                                         "ab" + std::string(300, 'x'), "abz"};
  for (size_t i = 0; i < keys.size(); ++i) {
    KS_ASSERT_OK(builder.Add(
        {keys[i], 10 + i, RecordType::kValue, std::string(i * 50, 'v')}));
  }
  KS_ASSERT_OK_AND_ASSIGN(auto table, builder.FinishTable());
  EXPECT_EQ(table->shared_prefix(), "ab");
  std::string key;
  for (size_t i = 0; i < keys.size(); ++i) {
    RecordView r = table->RecordAt(i, &key);
    EXPECT_EQ(r.key, keys[i]);
    EXPECT_EQ(r.seq, 10 + i);
    EXPECT_EQ(r.value, std::string(i * 50, 'v'));
    KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get(keys[i]));
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(got->value, std::string(i * 50, 'v'));
    EXPECT_TRUE(table->MayContain(keys[i]));
  }
  // Keys outside the prefix, before, between and after the table's keys.
  for (std::string_view absent : {"a", "aa", "ab\x01", "abd", "ac", "b", ""}) {
    KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get(absent));
    EXPECT_FALSE(got.has_value()) << absent;
  }
  EXPECT_FALSE(table->MayContain("ac"));
  EXPECT_EQ(table->LowerBound("a"), 0u);
  EXPECT_EQ(table->LowerBound("ab"), 0u);
  EXPECT_EQ(table->UpperBound("ab"), 1u);
  EXPECT_EQ(table->LowerBound("abd"), 3u);  // before "abxxx..."
  EXPECT_EQ(table->LowerBound("ac"), keys.size());
  EXPECT_EQ(table->UpperBound("aa"), 0u);
}

// Seeks go through the fence array (first 16 suffix bytes of every 32nd
// record) and then the records it leaves; keys here share long runs of
// equal first bytes (so fences tie), hold 0x00 and 0xff bytes, and are
// shorter and longer than 8 and 16 bytes.
TEST(MemoryTableTest, SeeksAgreeWithASortedModelAcrossFences) {
  const uint32_t seed = 20261125;
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  const std::string alphabet("\x00\x01a\xfe\xff", 5);
  auto random_key = [&] {
    std::string key = "p";  // a shared prefix byte
    // Long shared heads: many keys start with the same 8 or 20 bytes.
    if (rng() % 2 == 0) key += std::string("\x05partit", 8);
    if (rng() % 3 == 0) key += "sharedshared";
    const size_t len = rng() % 12;
    for (size_t i = 0; i < len; ++i) key += alphabet[rng() % alphabet.size()];
    return key;
  };
  std::set<std::string> model;
  while (model.size() < 3000) model.insert(random_key());
  MemoryTableBuilder builder(1, 10);
  for (const std::string& key : model) {
    KS_ASSERT_OK(builder.Add({key, 7, RecordType::kValue, "v"}));
  }
  KS_ASSERT_OK_AND_ASSIGN(auto table, builder.FinishTable());
  const std::vector<std::string> sorted(model.begin(), model.end());
  std::vector<std::string> probes(sorted.begin(), sorted.end());
  for (int i = 0; i < 3000; ++i) probes.push_back(random_key());
  for (std::string_view extra : {"", "o", "p", "q", "\xff\xff"}) {
    probes.emplace_back(extra);
  }
  for (const std::string& probe : probes) {
    const size_t lower = static_cast<size_t>(
        std::lower_bound(sorted.begin(), sorted.end(), probe) - sorted.begin());
    const size_t upper = static_cast<size_t>(
        std::upper_bound(sorted.begin(), sorted.end(), probe) - sorted.begin());
    ASSERT_EQ(table->LowerBound(probe), lower) << absl::CEscape(probe);
    ASSERT_EQ(table->UpperBound(probe), upper) << absl::CEscape(probe);
  }
}

// Inside a fence group a seek compares two-byte hints taken after the bytes
// the whole group shares (up to 16), and reads records only where hints
// tie. Keys here: groups that share nothing, a few bytes, or more than 16
// (the cap), keys that are prefixes of others, 0x00 bytes that equal the
// hints' zero padding, several versions of one key; probes of every length
// around them, including each key's prefixes and the key plus a 0x00 byte.
TEST(MemoryTableTest, GroupHintsAgreeWithASortedModel) {
  for (const uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    std::mt19937 rng(seed);
    const std::string alphabet("\x00\x01a\xff", 4);
    // Heads: shared beyond the 16-byte cap (fences tie); 14 bytes, so the
    // first 16 change slowly and some groups share exactly 16; a few
    // bytes; 0x00 bytes; nothing.
    const std::vector<std::string> heads = {std::string(20, 'h'),
                                            std::string(14, 'h'), "head",
                                            std::string("\x00\x00", 2), ""};
    auto random_key = [&] {
      std::string key = heads[rng() % heads.size()];
      const size_t len = rng() % 7;
      for (size_t i = 0; i < len; ++i) key += alphabet[rng() % 4];
      return key;
    };
    std::set<std::string> keys;
    while (keys.size() < 1500) keys.insert(random_key());
    std::vector<std::string> sorted;  // one entry per record (versions too)
    MemoryTableBuilder builder(1, 10);
    for (const std::string& key : keys) {
      const int versions = 1 + static_cast<int>(rng() % 3);
      for (int v = versions; v > 0; --v) {
        KS_ASSERT_OK(builder.Add(
            {key, static_cast<uint64_t>(v), RecordType::kValue, "v"}));
        sorted.push_back(key);
      }
    }
    KS_ASSERT_OK_AND_ASSIGN(auto table, builder.FinishTable());
    ASSERT_EQ(table->size(), sorted.size());
    std::vector<std::string> probes;
    for (const std::string& key : keys) {
      for (size_t n = 0; n <= key.size(); ++n)
        probes.push_back(key.substr(0, n));
      probes.push_back(key + std::string(1, '\0'));
      probes.push_back(key + "\x01\x01\x01");
    }
    for (int i = 0; i < 2000; ++i) probes.push_back(random_key());
    for (const std::string& probe : probes) {
      const size_t lower = static_cast<size_t>(
          std::lower_bound(sorted.begin(), sorted.end(), probe) -
          sorted.begin());
      const size_t upper = static_cast<size_t>(
          std::upper_bound(sorted.begin(), sorted.end(), probe) -
          sorted.begin());
      ASSERT_EQ(table->LowerBound(probe), lower) << absl::CEscape(probe);
      ASSERT_EQ(table->UpperBound(probe), upper) << absl::CEscape(probe);
    }
  }
}

// ExpectBytes only sizes the arena up front: the table (content and
// footprint) is the same as one built without the hint, whether the hint is
// generous, short or absurd.
TEST(MemoryTableTest, ExpectBytesChangesNothingButGrowth) {
  auto plain = BuildTable(5000, 50);
  ASSERT_NE(plain, nullptr);
  for (uint64_t hint : {uint64_t{10} << 20, uint64_t{1000}, ~uint64_t{0}}) {
    SCOPED_TRACE(hint);
    MemoryTableBuilder builder(1, 10);
    builder.ExpectBytes(hint);
    const std::string value(50, 'v');
    for (int i = 0; i < 5000; ++i) {
      KS_ASSERT_OK(builder.Add({Key(i), 100, RecordType::kValue, value}));
    }
    KS_ASSERT_OK_AND_ASSIGN(auto table, builder.FinishTable());
    EXPECT_EQ(table->meta().bytes, plain->meta().bytes);
    ASSERT_EQ(table->size(), plain->size());
    std::string a, b;
    for (size_t i = 0; i < table->size(); i += 97) {
      EXPECT_EQ(table->RecordAt(i, &a).key, plain->RecordAt(i, &b).key);
    }
  }
}

TEST(MemoryTableTest, HashIndexRejectsMostAbsentKeys) {
  auto table = BuildTable(10000, 4);
  ASSERT_NE(table, nullptr);
  int false_positives = 0;
  // Absent keys inside the table's key range (between Key(i) and Key(i+1)),
  // which only the index can reject.
  for (int i = 0; i < 10000; ++i) {
    if (table->MayContain(Key(i) + "x")) ++false_positives;
  }
  // The slots hold offsets into an arena of ~120 KB (17 bits), which
  // leaves 15 fingerprint bits: about 1 in 2^15 per compared slot, and ~13
  // slots filled in a bucket at load 0.8.
  ASSERT_TRUE(table->hash_slots_hold_offsets());
  EXPECT_LT(false_positives, 20);
  for (int i = 0; i < 10000; i += 7) EXPECT_TRUE(table->MayContain(Key(i)));
}

// Keys below the table's first key or above its last are rejected without
// the index (OutsideKeyRange, on the first eight bytes after the shared
// prefix); keys that share those eight bytes with an end key, shorter keys
// and keys with zero bytes (which the padding of short keys could be
// confused with) must still be looked up. Checked against a model, for
// every lookup path.
TEST(MemoryTableTest, KeysOutsideTheRangeAreAbsentAndInsideAreFound) {
  std::mt19937 rng(5);
  const std::string alphabet("\0\1ab\xff", 5);
  auto random_suffix = [&] {
    std::string s(rng() % 12, 'a');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    return s;
  };
  for (int round = 0; round < 20; ++round) {
    std::set<std::string> keys;
    while (keys.size() < 40) keys.insert("pre" + random_suffix());
    MemoryTableBuilder builder(1, 10);
    for (const std::string& k : keys) {
      KS_ASSERT_OK(builder.Add({k, 1, RecordType::kValue, "v"}));
    }
    KS_ASSERT_OK_AND_ASSIGN(auto table, builder.FinishTable());
    std::vector<std::string> probes(keys.begin(), keys.end());
    for (int i = 0; i < 400; ++i) probes.push_back("pre" + random_suffix());
    // Right next to the ends.
    probes.push_back(*keys.begin() + std::string(1, '\0'));
    probes.push_back(keys.begin()->substr(0, keys.begin()->size() - 1));
    probes.push_back(*keys.rbegin() + std::string(1, '\0'));
    probes.push_back(*keys.rbegin() + "\xff\xff\xff\xff\xff\xff\xff\xff");
    for (const std::string& probe : probes) {
      const bool present = keys.count(probe) > 0;
      SCOPED_TRACE(absl::CEscape(probe));
      if (present) {
        EXPECT_TRUE(table->MayContain(probe));
      }
      const HashedKey hashed(probe);
      uint64_t state = 0;
      table->PrefetchStep(hashed, &state);
      for (auto got : {table->Get(probe), table->GetHashed(hashed),
                       table->GetAfterSteps(hashed, state)}) {
        ASSERT_TRUE(got.ok()) << got.status();
        EXPECT_EQ(got->has_value(), present);
      }
    }
  }
}

// Prefetch and its steps are hints, and GetAfterSteps reads what Get reads:
// for present keys, absent ones, keys outside the table's shared prefix and
// records in wide offset blocks, after zero, one, two or three steps (and
// ASan sees every address they read); with hash slots that hold arena
// offsets and, in a table too large for that (over 4 MiB), record indexes.
TEST(MemoryTableTest, PrefetchStepsAndGetAfterStepsChangeNothing) {
  for (size_t value_size : {size_t{4}, size_t{3000}, size_t{9000}}) {
    auto table = BuildTable(500, value_size);
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table->hash_slots_hold_offsets(), value_size < 9000);
    for (int i = 0; i < 600; ++i) {
      for (const std::string& key : {Key(i), absl::StrCat("other", i)}) {
        const bool present = i < 500 && key == Key(i);
        for (int steps = 0; steps <= 3; ++steps) {
          const HashedKey hashed(key);
          table->Prefetch(hashed);
          uint64_t state = 0;
          for (int n = 0; n < steps; ++n) table->PrefetchStep(hashed, &state);
          if (steps > 0) {
            EXPECT_NE(state, 0u) << key;  // step 1 always decides something
          }
          for (auto got : {table->Get(key), table->GetHashed(hashed),
                           table->GetAfterSteps(hashed, state)}) {
            ASSERT_TRUE(got.ok()) << got.status();
            ASSERT_EQ(got->has_value(), present) << key << " steps " << steps;
            if (present) {
              EXPECT_EQ((*got)->value, std::string(value_size, 'v')) << key;
            }
          }
        }
      }
    }
  }
  MemoryTableBuilder builder(2, 10);
  auto empty = builder.FinishTable();
  ASSERT_TRUE(empty.ok()) << empty.status();
  uint64_t state = 0;
  const std::string key_1 = Key(1);
  const HashedKey key1(key_1);
  (*empty)->PrefetchStep(key1, &state);
  (*empty)->PrefetchStep(key1, &state);
  for (auto got :
       {(*empty)->Get(Key(1)), (*empty)->GetAfterSteps(key1, state)}) {
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->has_value());
  }
}

// A state whose record is not the key (as after a fingerprint's false
// match, or a state from another key's steps) still reads the key's own
// record: GetAfterSteps falls back to a search.
TEST(MemoryTableTest, GetAfterStepsOfAnotherKeysStateSearches) {
  for (size_t value_size : {size_t{8}, size_t{25000}}) {  // offsets, indexes
    auto table = BuildTable(200, value_size);
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table->hash_slots_hold_offsets(), value_size == 8);
    for (int i = 0; i < 200; ++i) {
      for (int steps = 1; steps <= 2; ++steps) {
        uint64_t other = 0;
        for (int n = 0; n < steps; ++n) {
          table->PrefetchStep(HashedKey(Key((i + 1) % 200)), &other);
        }
        auto got = table->GetAfterSteps(HashedKey(Key(i)), other);
        ASSERT_TRUE(got.ok()) << got.status();
        ASSERT_TRUE(got->has_value()) << Key(i);
        EXPECT_EQ((*got)->value, std::string(value_size, 'v'));
      }
    }
  }
}

TEST(MemoryTableTest, ManyOffsetGroups) {
  constexpr int kRecords = 3 * 4096 + 17;
  auto table = BuildTable(kRecords, 3);
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; i += 97) {
    KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get(Key(i)));
    ASSERT_TRUE(got.has_value()) << i;
    EXPECT_EQ(got->value, "vvv");
  }
  for (int i : {4095, 4096, 4097, 8191, 8192, kRecords - 1}) {
    std::string key;
    EXPECT_EQ(table->RecordAt(i, &key).key, Key(i));
    EXPECT_EQ(table->LowerBound(Key(i)), static_cast<size_t>(i));
    EXPECT_EQ(table->UpperBound(Key(i)), static_cast<size_t>(i) + 1);
  }
  auto it = table->NewIterator();
  int count = 0;
  for (it->SeekToLast(); it->Valid(); it->Prev()) ++count;
  EXPECT_EQ(count, kRecords);
}

TEST(MemoryTableTest, IteratorKeepsTableAlive) {
  auto table = BuildTable(10, 5);
  ASSERT_NE(table, nullptr);
  auto it = table->NewIterator();
  table.reset();
  it->Seek(Key(3));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->record().key, Key(3));
}

TEST(MemoryTableTest, BuilderRejectsUseAfterFinish) {
  MemoryTableBuilder builder(1, 10);
  KS_ASSERT_OK(builder.Add({"a", 1, RecordType::kValue, "v"}));
  KS_ASSERT_OK(builder.Finish().status());
  EXPECT_THAT(builder.Add({"b", 1, RecordType::kValue, "v"}),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(builder.Finish(),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

TEST(MemoryTableTest, SeqAbove56BitsIsInvalidArgument) {
  MemoryTableBuilder builder(1, 10);
  EXPECT_THAT(
      builder.Add({"a", MemoryTable::kMaxSeq + 1, RecordType::kValue, "v"}),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  KS_ASSERT_OK(
      builder.Add({"a", MemoryTable::kMaxSeq, RecordType::kValue, "v"}));
  KS_ASSERT_OK_AND_ASSIGN(auto table, builder.FinishTable());
  std::string key;
  EXPECT_EQ(table->RecordAt(0, &key).seq, MemoryTable::kMaxSeq);
}

TEST(MemoryTableTest, PublishAndAbandonCallbacks) {
  std::shared_ptr<const MemoryTable> published;
  int abandoned = 0;
  {
    MemoryTableBuilder builder(
        5, 10,
        [&](std::shared_ptr<const MemoryTable> t) {
          published = std::move(t);
          return absl::OkStatus();
        },
        [&] { ++abandoned; });
    KS_ASSERT_OK(builder.Add({"a", 1, RecordType::kValue, "v"}));
    KS_ASSERT_OK(builder.Finish().status());
  }
  ASSERT_NE(published, nullptr);
  EXPECT_EQ(published->meta().number, 5u);
  EXPECT_EQ(abandoned, 0);
  {
    MemoryTableBuilder builder(6, 10, nullptr, [&] { ++abandoned; });
    KS_ASSERT_OK(builder.Add({"a", 1, RecordType::kValue, "v"}));
  }  // destroyed unfinished
  EXPECT_EQ(abandoned, 1);
}

}  // namespace
}  // namespace kstone::core
