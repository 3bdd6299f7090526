// Engine behaviour on every backend: reads and writes across flushes and
// compactions, iterators, a randomized model test, WriteLocked, concurrency,
// back-pressure, WAL segment deletion, sticky errors, metadata.

#include "core/engine/engine.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_fixture.h"
#include "tests/testing/soak.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

std::map<std::string, std::string> Scan(Engine* e, uint32_t stripe) {
  std::map<std::string, std::string> out;
  auto it = e->NewIterator(stripe);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.emplace(std::string(it->key()), std::string(it->value()));
  }
  EXPECT_TRUE(it->status().ok()) << it->status();
  return out;
}

TEST_P(EngineTest, PutGetDeleteOverwrite) {
  KS_ASSERT_OK(Open());
  EXPECT_EQ(GetOrDie(e(), K(1, "a")), std::nullopt);
  KS_ASSERT_OK(Put(e(), K(1, "a"), "1"));
  KS_ASSERT_OK(Put(e(), K(2, "a"), "2"));
  EXPECT_THAT(GetOrDie(e(), K(1, "a")), Optional(std::string("1")));
  KS_ASSERT_OK(Put(e(), K(1, "a"), "1b"));
  EXPECT_THAT(GetOrDie(e(), K(1, "a")), Optional(std::string("1b")));
  KS_ASSERT_OK(Del(e(), K(1, "a")));
  EXPECT_EQ(GetOrDie(e(), K(1, "a")), std::nullopt);
  EXPECT_THAT(GetOrDie(e(), K(2, "a")), Optional(std::string("2")));
  // An empty value is a value.
  KS_ASSERT_OK(Put(e(), K(3, "e"), ""));
  EXPECT_THAT(GetOrDie(e(), K(3, "e")), Optional(std::string()));
  EXPECT_THAT(e()->Write(Batch({PutM("", "x")})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(e()->Get(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  KS_ASSERT_OK(e()->Write(Batch({})));  // nothing to do
}

TEST_P(EngineTest, ValuesSurviveFlushesCompactionsAndReopen) {
  KS_ASSERT_OK(Open());
  // Three generations of 200 keys in 4 stripes, with flushes in between:
  // the newest version must win wherever it lives.
  for (int gen = 0; gen < 3; ++gen) {
    for (int i = 0; i < 200; ++i) {
      KS_ASSERT_OK(Put(e(), K(i % 4, absl::StrCat("key", i)),
                       absl::StrCat("gen", gen, "-", i)));
    }
    if (gen < 2) KS_ASSERT_OK(e()->Flush());
  }
  for (int i = 0; i < 200; i += 3)
    KS_ASSERT_OK(Del(e(), K(i % 4, absl::StrCat("key", i))));
  auto check = [&] {
    for (int i = 0; i < 200; ++i) {
      const std::optional<std::string> v =
          GetOrDie(e(), K(i % 4, absl::StrCat("key", i)));
      if (i % 3 == 0) {
        EXPECT_EQ(v, std::nullopt) << i;
      } else {
        EXPECT_THAT(v, Optional(absl::StrCat("gen2-", i))) << i;
      }
    }
  };
  check();
  KS_ASSERT_OK(e()->Flush());
  check();
  EXPECT_GT(e()->Stats().flushes, 0u);
  KS_ASSERT_OK(e()->Compact());
  check();
  const EngineStats stats = e()->Stats();
  EXPECT_LE(stats.tables, 4u);
  // Compacting all of a stripe's tables drops tombstones and old versions.
  EXPECT_EQ(stats.table_entries, 200u - 67u);
  EXPECT_EQ(stats.memtable_records, 0u);
  KS_ASSERT_OK(Reopen());
  check();
}

TEST_P(EngineTest, IteratorsMatchTheModelBothWays) {
  KS_ASSERT_OK(Open());
  std::map<std::string, std::string> model;
  for (int i = 0; i < 300; ++i) {
    const std::string key = K(7, absl::StrCat("k", (i * 37) % 101));
    if (i % 5 == 4) {
      KS_ASSERT_OK(Del(e(), key));
      model.erase(key);
    } else {
      KS_ASSERT_OK(Put(e(), key, absl::StrCat("v", i)));
      model[key] = absl::StrCat("v", i);
    }
    if (i % 70 == 69) KS_ASSERT_OK(e()->Flush());
  }
  KS_ASSERT_OK(Put(e(), K(8, "other"), "x"));
  EXPECT_EQ(Scan(e(), 7), model);
  auto it = e()->NewIterator(7);
  std::vector<std::string> backward;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    backward.emplace_back(it->key());
  }
  std::vector<std::string> expected;
  for (auto r = model.rbegin(); r != model.rend(); ++r)
    expected.push_back(r->first);
  EXPECT_EQ(backward, expected);
  it->Seek(K(7, "k5"));
  auto lb = model.lower_bound(K(7, "k5"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), lb->first);
  it->SeekForPrev(K(7, "k5"));
  auto ub = model.upper_bound(K(7, "k5"));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), std::prev(ub)->first);
  EXPECT_FALSE(it->status().ok() == false);
  EXPECT_TRUE(Scan(e(), 9).empty());
  auto bad = e()->NewIterator(256);
  bad->SeekToFirst();
  EXPECT_FALSE(bad->Valid());
  EXPECT_THAT(bad->status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("stripe 256")));
}

TEST_P(EngineTest, IteratorSeesTheStateAtItsCreation) {
  KS_ASSERT_OK(Open());
  KS_ASSERT_OK(Put(e(), K(4, "a"), "1"));
  KS_ASSERT_OK(Put(e(), K(4, "c"), "1"));
  auto it = e()->NewIterator(4);
  KS_ASSERT_OK(Put(e(), K(4, "b"), "new"));
  KS_ASSERT_OK(Put(e(), K(4, "a"), "2"));
  KS_ASSERT_OK(Del(e(), K(4, "c")));
  KS_ASSERT_OK(e()->Flush());
  std::map<std::string, std::string> seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    seen.emplace(std::string(it->key()), std::string(it->value()));
  }
  const std::map<std::string, std::string> expected = {{K(4, "a"), "1"},
                                                       {K(4, "c"), "1"}};
  EXPECT_EQ(seen, expected);
}

TEST_P(EngineTest, RandomizedAgainstAModel) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  KS_ASSERT_OK(Open());
  std::map<std::string, std::string> model;
  // Disk reopens and syncs cost more; fewer ops keep the suite fast.
  const int kOps = (reopenable() ? 1500 : 4000) * kstone::testing::SoakFactor();
  for (int op = 0; op < kOps; ++op) {
    const std::string key = K(rng() % 6, absl::StrCat("k", rng() % 300));
    const uint32_t dice = rng() % 100;
    if (dice < 50) {
      const std::string value(rng() % 64, static_cast<char>('a' + op % 26));
      KS_ASSERT_OK(Put(e(), key, value));
      model[key] = value;
    } else if (dice < 70) {
      KS_ASSERT_OK(Del(e(), key));
      model.erase(key);
    } else if (dice < 97) {
      auto it = model.find(key);
      const std::optional<std::string> expected =
          it == model.end() ? std::nullopt
                            : std::optional<std::string>(it->second);
      ASSERT_EQ(GetOrDie(e(), key), expected) << "op " << op;
    } else if (dice < 98) {
      KS_ASSERT_OK(e()->Flush());
    } else if (dice < 99) {
      KS_ASSERT_OK(e()->Compact());
    } else {
      KS_ASSERT_OK(Reopen());
    }
  }
  for (uint32_t s = 0; s < 6; ++s) {
    std::map<std::string, std::string> expected;
    for (const auto& [k, v] : model) {
      if (StripeOfKey(k) == s) expected.emplace(k, v);
    }
    EXPECT_EQ(Scan(e(), s), expected) << "stripe " << s;
  }
}

TEST_P(EngineTest, PointReadsTouchABoundedNumberOfTables) {
  EngineOptions o = SmallOptions();
  o.memtable_max_records_per_stripe = 8;
  KS_ASSERT_OK(Open(o));
  // Each Flush adds a table to each of the 3 stripes.
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 60; ++i) {
      KS_ASSERT_OK(Put(e(), K(i % 3, absl::StrCat("k", (round * 60 + i) % 500)),
                       absl::StrCat("v", round)));
    }
    KS_ASSERT_OK(e()->Flush());
  }
  Impl(e())->TEST_WaitForIdle();
  for (uint32_t s = 0; s < 3; ++s) {
    EXPECT_LE(Impl(e())->TEST_TablesInStripe(s),
              static_cast<size_t>(o.max_tables_per_stripe));
  }
  // Not only once the background is idle: a flush folds the newest tables
  // into its output instead of leaving the stripe over the bound.
  EXPECT_LE(Impl(e())->TEST_max_tables_per_stripe_seen(),
            static_cast<uint64_t>(o.max_tables_per_stripe));
  EXPECT_GT(e()->Stats().compactions, 0u);
  EXPECT_THAT(GetOrDie(e(), K(2, "k0")), Optional(std::string("v8")));
}

// Once writes stop, the background merges every stripe that holds several
// tables into one (EngineOptions::idle_compaction_ms), and what reads see
// does not change: newest versions win, deleted keys stay deleted.
TEST_P(EngineTest, IdleCompactionLeavesOneTablePerStripe) {
  EngineOptions o = SmallOptions();
  o.max_tables_per_stripe = 4;
  o.idle_compaction_ms = 0;  // off while the tables build up
  KS_ASSERT_OK(Open(o));
  std::map<std::string, std::string> model;
  // Three rounds of 10 writes per stripe, each flushed: three tables per
  // stripe, under the bound, so no other compaction merges them.
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 40; ++i) {
      const std::string key = K(i % 4, absl::StrCat("k", (round * 7 + i) % 60));
      if (i % 9 == 0) {
        KS_ASSERT_OK(e()->Write(Batch({DelM(key)})));
        model.erase(key);
      } else {
        const std::string value = absl::StrCat("v", round, "-", i);
        KS_ASSERT_OK(Put(e(), key, value));
        model[key] = value;
      }
    }
    KS_ASSERT_OK(e()->Flush());
  }
  Impl(e())->TEST_WaitForIdle();
  size_t most = 0;
  for (uint32_t s = 0; s < 4; ++s) {
    most = std::max(most, Impl(e())->TEST_TablesInStripe(s));
  }
  ASSERT_EQ(most, 3u);
  Impl(e())->TEST_SetIdleCompactionMs(1);
  Impl(e())->TEST_WaitForIdleCompactionDone();
  EXPECT_GT(Impl(e())->TEST_idle_compactions(), 0u);
  for (uint32_t s = 0; s < 4; ++s) {
    EXPECT_LE(Impl(e())->TEST_TablesInStripe(s), 1u) << "stripe " << s;
    std::map<std::string, std::string> expected;
    for (const auto& [k, v] : model) {
      if (StripeOfKey(k) == s) expected.emplace(k, v);
    }
    EXPECT_EQ(Scan(e(), s), expected) << "stripe " << s;
  }
}

TEST_P(EngineTest, WriteLockedIsAtomic) {
  KS_ASSERT_OK(Open());
  const std::vector<std::string> counters = {K(10, "c0"), K(20, "c1"),
                                             K(30, "c2"), K(10, "c3")};
  constexpr int kThreads = 8;
  constexpr int kIncrements = 150;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrements; ++i) {
        // Each transaction increments two counters together.
        const std::string& a = counters[(t + i) % 4];
        const std::string& b = counters[(t + i + 1) % 4];
        absl::Status s = e()->WriteLocked(
            {b, a},
            [&](const LockedReader& r)
                -> absl::StatusOr<std::vector<Mutation>> {
              std::vector<Mutation> out;
              for (const std::string* key : {&a, &b}) {
                absl::StatusOr<std::optional<std::string>> v = r.Get(*key);
                if (!v.ok()) return v.status();
                const int n = v->has_value() ? std::stoi(**v) : 0;
                out.push_back(PutM(*key, std::to_string(n + 1)));
              }
              return out;
            });
        if (!s.ok()) failures++;
        if (i % 50 == 0 && t == 0) e()->Flush().IgnoreError();  // races too
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  int total = 0;
  for (const std::string& c : counters) {
    std::optional<std::string> v = GetOrDie(e(), c);
    ASSERT_TRUE(v.has_value());
    total += std::stoi(*v);
  }
  EXPECT_EQ(total, kThreads * kIncrements * 2);
}

TEST_P(EngineTest, WriteLockedCheckFailureWritesNothing) {
  KS_ASSERT_OK(Open());
  absl::Status s = e()->WriteLocked(
      {K(1, "x")},
      [&](const LockedReader&) -> absl::StatusOr<std::vector<Mutation>> {
        return absl::FailedPreconditionError("condition false");
      });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition,
                          HasSubstr("condition false")));
  EXPECT_EQ(GetOrDie(e(), K(1, "x")), std::nullopt);
  s = e()->WriteLocked(
      {K(1, "x")},
      [&](const LockedReader&) -> absl::StatusOr<std::vector<Mutation>> {
        return std::vector<Mutation>{PutM(K(2, "y"), "outside")};
      });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("locked stripes")));
  EXPECT_EQ(GetOrDie(e(), K(2, "y")), std::nullopt);
  EXPECT_EQ(e()->Stats().last_sequence, 0u);
}

TEST_P(EngineTest, ConcurrentWritersAndReaders) {
  KS_ASSERT_OK(Open());
  constexpr int kWriters = 4;
  constexpr int kReaders = 4;
  constexpr int kKeys = 400;
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kKeys; ++i) {
        // A two-stripe batch: both keys or neither.
        absl::Status s = e()->Write(Batch(
            {PutM(K(w * 3, absl::StrCat("k", i)), absl::StrCat(w, ":", i)),
             PutM(K(w * 3 + 1, absl::StrCat("k", i)),
                  absl::StrCat(w, ":", i))}));
        if (!s.ok()) bad++;
      }
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937 rng(r);
      while (!done.load()) {
        const int w = rng() % kWriters;
        const int i = rng() % kKeys;
        std::optional<std::string> v =
            GetOrDie(e(), K(w * 3, absl::StrCat("k", i)));
        if (v.has_value() && *v != absl::StrCat(w, ":", i)) bad++;
        auto it = e()->NewIterator(w * 3 + 1);
        int n = 0;
        for (it->SeekToFirst(); it->Valid() && n < 20; it->Next()) ++n;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(bad.load(), 0);
  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(Scan(e(), w * 3).size(), static_cast<size_t>(kKeys));
    EXPECT_EQ(Scan(e(), w * 3 + 1).size(), static_cast<size_t>(kKeys));
  }
  EXPECT_EQ(e()->Stats().last_sequence,
            static_cast<uint64_t>(kWriters * kKeys * 2));
}

TEST_P(EngineTest, BackPressureBoundsMemtableMemory) {
  EngineOptions o = SmallOptions();
  o.memtable_max_records_per_stripe = 1 << 20;  // only the caps matter
  o.memtable_max_bytes_per_stripe = 128 * 1024;
  o.total_memtable_bytes = 256 * 1024;
  o.background_threads = 1;
  KS_ASSERT_OK(Open(o));
  const std::string value(200, 'v');
  std::atomic<uint64_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 6000; ++i) {
        EXPECT_TRUE(
            Put(e(), K(t * 2 + i % 2, absl::StrCat("k", i)), value).ok());
        const uint64_t now = e()->Stats().memtable_bytes;
        uint64_t p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  // Writers wait at the cap; the overshoot is bounded by what the writers
  // in flight add (one record each, plus an arena block per memtable).
  EXPECT_LE(peak.load(), o.total_memtable_bytes + 4 * 64 * 1024);
  EXPECT_GT(e()->Stats().flushes, 5u);
  EXPECT_THAT(GetOrDie(e(), K(0, "k0")), Optional(value));
  EXPECT_THAT(GetOrDie(e(), K(3, "k5999")), Optional(value));
}

TEST_P(EngineTest, WalSegmentsAreDeletedAfterFlush) {
  KS_ASSERT_OK(Open());
  for (int i = 0; i < 500; ++i) {
    KS_ASSERT_OK(
        Put(e(), K(i % 8, absl::StrCat("k", i)), std::string(100, 'x')));
  }
  const EngineStats before = e()->Stats();
  EXPECT_GT(before.wal_bytes, 500u * 100);
  KS_ASSERT_OK(e()->Flush());
  const EngineStats after = e()->Stats();
  EXPECT_LT(after.wal_bytes, 1000u);
  EXPECT_LE(after.wal_segments, 1u);
  EXPECT_EQ(GetOrDie(e(), K(3, "k3")), std::string(100, 'x'));
}

TEST_P(EngineTest, WalStaysBoundedWithoutExplicitFlushes) {
  EngineOptions o = SmallOptions();
  o.memtable_max_records_per_stripe = 1 << 20;
  o.memtable_max_bytes_per_stripe = 256 * 1024;
  o.total_memtable_bytes = 1 << 20;
  KS_ASSERT_OK(Open(o));
  uint64_t peak = 0;
  // A cold stripe written once pins the oldest WAL data until it is forced
  // out; the WAL must not grow with the total written (~8 MB).
  KS_ASSERT_OK(Put(e(), K(200, "cold"), "c"));
  for (int i = 0; i < 40000; ++i) {
    KS_ASSERT_OK(
        Put(e(), K(i % 4, absl::StrCat("k", i % 5000)), std::string(200, 'x')));
    if (i % 1000 == 0) peak = std::max(peak, e()->Stats().wal_bytes);
  }
  EXPECT_LT(peak, 4u * o.total_memtable_bytes);
  EXPECT_THAT(GetOrDie(e(), K(200, "cold")), Optional(std::string("c")));
}

TEST_P(EngineTest, FailedWalAppendIsSticky) {
  absl::StatusOr<std::unique_ptr<Storage>> base = OpenStorage(nullptr);
  KS_ASSERT_OK(base);
  auto storage = std::make_unique<FailingStorage>(std::move(*base));
  FailingWal* wal = storage->failing_wal();
  KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Engine> engine,
                          Engine::Open(std::move(storage), SmallOptions()));
  KS_ASSERT_OK(Put(engine.get(), K(1, "a"), "1"));
  wal->FailFrom(2);
  EXPECT_THAT(Put(engine.get(), K(1, "b"), "2"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("injected")));
  EXPECT_EQ(GetOrDie(engine.get(), K(1, "b")), std::nullopt);
  // Later writes fail with the same error without reaching the WAL.
  wal->FailFrom(0);
  EXPECT_THAT(Put(engine.get(), K(2, "c"), "3"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("injected")));
  EXPECT_THAT(
      engine->WriteLocked(
          {K(2, "c")},
          [](const LockedReader&) -> absl::StatusOr<std::vector<Mutation>> {
            return std::vector<Mutation>{PutM(K(2, "c"), "x")};
          }),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("injected")));
  EXPECT_THAT(engine->Flush(),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("injected")));
  // Reads still work.
  EXPECT_THAT(GetOrDie(engine.get(), K(1, "a")), Optional(std::string("1")));
}

TEST_P(EngineTest, MetadataPersists) {
  KS_ASSERT_OK(Open());
  EXPECT_EQ(e()->metadata(), "");
  KS_ASSERT_OK(e()->SetMetadata(std::string("schema\0v1", 9)));
  EXPECT_EQ(e()->metadata(), std::string("schema\0v1", 9));
  KS_ASSERT_OK(Put(e(), K(0, "a"), "b"));
  KS_ASSERT_OK(e()->Flush());
  KS_ASSERT_OK(Reopen());
  EXPECT_EQ(e()->metadata(), std::string("schema\0v1", 9));
}

TEST_P(EngineTest, StatsCountWhatIsStored) {
  KS_ASSERT_OK(Open());
  EXPECT_EQ(e()->Stats().stripes_in_use, 0u);
  KS_ASSERT_OK(e()->Write(
      Batch({PutM(K(1, "a"), "x"), PutM(K(2, "a"), "y"), DelM(K(3, "a"))})));
  EngineStats s = e()->Stats();
  EXPECT_EQ(s.last_sequence, 3u);
  EXPECT_EQ(s.memtable_records, 3u);
  EXPECT_GT(s.memtable_bytes, 0u);
  EXPECT_EQ(s.stripes_in_use, 3u);
  KS_ASSERT_OK(e()->Flush());
  s = e()->Stats();
  EXPECT_EQ(s.memtable_records, 0u);
  EXPECT_EQ(s.memtable_bytes, 0u);
  // The tombstone in a stripe with no tables is dropped at flush.
  EXPECT_EQ(s.tables, 2u);
  EXPECT_EQ(s.table_entries, 2u);
  EXPECT_GT(s.table_bytes, 0u);
  EXPECT_EQ(s.stripes_in_use, 2u);
  EXPECT_GE(s.flushes, 2u);
}

TEST_P(EngineTest, EverySyncModeWritesAndReopens) {
  for (const SyncMode mode :
       {SyncMode::kEveryCommit, SyncMode::kInterval, SyncMode::kNone}) {
    EngineOptions o = SmallOptions();
    o.sync_mode = mode;
    o.sync_interval_ms = 1;
    KS_ASSERT_OK(Open(o));
    const std::string key = K(5, absl::StrCat("mode", static_cast<int>(mode)));
    KS_ASSERT_OK(Put(e(), key, "v"));
    KS_ASSERT_OK(Reopen());
    EXPECT_THAT(GetOrDie(e(), key), Optional(std::string("v")));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest,
                         ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace kstone::core::testing
