// Engine::PrefetchForWrite and the writes that take its PrefetchHandle
// (WriteLocked and ReadModifyWrite of one key): the handle's stripe view is
// used only while it is still the stripe's current one. A view replaced in
// between (here by a flush, which moves the active memtable into a table)
// must be loaded again, or the write would go into a memtable that no view
// holds any more and be lost. The key's hash that the handle carries is
// used only for the same key.

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/engine/engine_impl.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_fixture.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {
namespace {

constexpr uint32_t kStripe = 17;

std::string KeyOf(int i) { return K(kStripe, absl::StrFormat("h%04d", i)); }

// A check function that expects `key` to hold `want` and writes `next`.
auto ReadThenWrite(const std::string& key, std::optional<std::string> want,
                   std::string next) {
  return [key, want, next](const LockedReader& reader)
             -> absl::StatusOr<std::vector<Mutation>> {
    absl::StatusOr<std::optional<std::string>> got = reader.GetPrefetched(key);
    EXPECT_TRUE(got.ok()) << got.status();
    if (got.ok()) {
      EXPECT_EQ(*got, want) << key;
    }
    return std::vector<Mutation>{PutM(key, next)};
  };
}

TEST_P(EngineTest, PrefetchHandleOfACurrentViewWrites) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  KS_ASSERT_OK(Open(o));
  KS_ASSERT_OK(Put(e(), KeyOf(1), "a"));
  for (bool read_modify_write : {false, true}) {
    SCOPED_TRACE(read_modify_write ? "ReadModifyWrite" : "WriteLocked");
    const std::string before = GetOrDie(e(), KeyOf(1)).value_or("");
    const std::string after = before + "+";
    PrefetchHandle handle;
    e()->PrefetchForWrite(KeyOf(1), &handle);
    const auto fn = ReadThenWrite(KeyOf(1), before, after);
    KS_ASSERT_OK(read_modify_write ? e()->ReadModifyWrite(KeyOf(1), fn, &handle)
                                   : e()->WriteLocked(KeyOf(1), fn, &handle));
    EXPECT_EQ(GetOrDie(e(), KeyOf(1)), std::optional<std::string>(after));
  }
  // A key never written: the read under the lock finds nothing.
  PrefetchHandle handle;
  e()->PrefetchForWrite(KeyOf(2), &handle);
  KS_ASSERT_OK(e()->ReadModifyWrite(
      KeyOf(2), ReadThenWrite(KeyOf(2), std::nullopt, "new"), &handle));
  EXPECT_EQ(GetOrDie(e(), KeyOf(2)), std::optional<std::string>("new"));
}

// PrefetchForInsert loads only what tells that a key is absent (with a
// filter over the stripe's tables, not the tables' own slots); a key that
// is there after all, in a table or a memtable, is still read.
TEST_P(EngineTest, PrefetchForInsertOfAKeyThatIsThereStillReadsIt) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  KS_ASSERT_OK(Open(o));
  for (bool read_modify_write : {false, true}) {
    SCOPED_TRACE(read_modify_write ? "ReadModifyWrite" : "WriteLocked");
    const int base = read_modify_write ? 70 : 60;
    KS_ASSERT_OK(Put(e(), KeyOf(base), "in a table"));
    KS_ASSERT_OK(e()->Flush());
    ASSERT_NE(Impl(e())->TEST_TableFilter(kStripe), nullptr);
    KS_ASSERT_OK(Put(e(), KeyOf(base + 1), "in the memtable"));
    const std::pair<std::string, std::optional<std::string>> cases[] = {
        {KeyOf(base), "in a table"},
        {KeyOf(base + 1), "in the memtable"},
        {KeyOf(base + 2), std::nullopt}};
    for (const auto& [key, want] : cases) {
      PrefetchHandle handle;
      e()->PrefetchForInsert(key, &handle);
      const std::string next = want.value_or("") + "+";
      const auto fn = ReadThenWrite(key, want, next);
      KS_ASSERT_OK(read_modify_write ? e()->ReadModifyWrite(key, fn, &handle)
                                     : e()->WriteLocked(key, fn, &handle));
      EXPECT_EQ(GetOrDie(e(), key), std::optional<std::string>(next));
    }
  }
}

TEST_P(EngineTest, PrefetchHandleOfAReplacedViewIsNotUsed) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  KS_ASSERT_OK(Open(o));
  for (bool read_modify_write : {false, true}) {
    SCOPED_TRACE(read_modify_write ? "ReadModifyWrite" : "WriteLocked");
    const std::string key = KeyOf(read_modify_write ? 10 : 20);
    KS_ASSERT_OK(Put(e(), key, "old"));
    PrefetchHandle handle;
    e()->PrefetchForWrite(key, &handle);
    // The flush publishes a view with a fresh active memtable, where the
    // next value goes: the handle's view has neither.
    KS_ASSERT_OK(e()->Flush());
    KS_ASSERT_OK(Put(e(), key, "mid"));
    const auto fn = ReadThenWrite(key, "mid", "new");
    KS_ASSERT_OK(read_modify_write ? e()->ReadModifyWrite(key, fn, &handle)
                                   : e()->WriteLocked(key, fn, &handle));
    EXPECT_EQ(GetOrDie(e(), key), std::optional<std::string>("new"));
    KS_ASSERT_OK(e()->Flush());
    EXPECT_EQ(GetOrDie(e(), key), std::optional<std::string>("new"));
  }
  if (GetParam() == Backend::kDisk) {
    KS_ASSERT_OK(Reopen());
    EXPECT_EQ(GetOrDie(e(), KeyOf(10)), std::optional<std::string>("new"));
    EXPECT_EQ(GetOrDie(e(), KeyOf(20)), std::optional<std::string>("new"));
  }
}

// A handle also carries its key's hash (KeyHash), which the write's reads
// and its memtable insert take instead of hashing again, but only for that
// key: a write of another key through it (here in the same buffer, changed
// in between, as a caller reusing one buffer would) hashes its own key.
// With the other key's hash its read would miss the table's record, and
// its insert would set the wrong memtable filter bits, hiding the write.
TEST_P(EngineTest, PrefetchHandleOfAnotherKeyUsesItsOwnHash) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  KS_ASSERT_OK(Open(o));
  for (bool read_modify_write : {false, true}) {
    SCOPED_TRACE(read_modify_write ? "ReadModifyWrite" : "WriteLocked");
    const int base = read_modify_write ? 30 : 40;
    KS_ASSERT_OK(Put(e(), KeyOf(base), "a"));
    KS_ASSERT_OK(Put(e(), KeyOf(base + 1), "b"));
    KS_ASSERT_OK(e()->Flush());  // both in a table, found by their hash
    std::string buffer = KeyOf(base);
    PrefetchHandle handle;
    e()->PrefetchForWrite(buffer, &handle);
    buffer = KeyOf(base + 1);  // same length, same stripe
    const auto fn = ReadThenWrite(buffer, "b", "b2");
    KS_ASSERT_OK(read_modify_write ? e()->ReadModifyWrite(buffer, fn, &handle)
                                   : e()->WriteLocked(buffer, fn, &handle));
    EXPECT_EQ(GetOrDie(e(), KeyOf(base + 1)), std::optional<std::string>("b2"));
    EXPECT_EQ(GetOrDie(e(), KeyOf(base)), std::optional<std::string>("a"));
  }
}

// The write keeps its own copy of the key whose hash it holds: a check
// function may move the caller's key string away (here into a string it
// then drops, so that ASan sees any later read of the caller's bytes), and
// the read and the insert of that key still find it by the right hash.
TEST_P(EngineTest, CheckFunctionMayMoveTheCallersKeyAway) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  KS_ASSERT_OK(Open(o));
  const std::string name = KeyOf(50) + std::string(40, 'k');  // on the heap
  KS_ASSERT_OK(Put(e(), name, "a"));
  KS_ASSERT_OK(e()->Flush());
  for (bool read_modify_write : {false, true}) {
    SCOPED_TRACE(read_modify_write ? "ReadModifyWrite" : "WriteLocked");
    for (bool with_handle : {false, true}) {
      std::string key = name;
      PrefetchHandle handle;
      if (with_handle) e()->PrefetchForWrite(key, &handle);
      const std::string before = GetOrDie(e(), name).value_or("");
      auto fn = [&](const LockedReader& reader)
          -> absl::StatusOr<std::vector<Mutation>> {
        { std::string gone = std::move(key); }
        absl::StatusOr<std::optional<std::string>> got = reader.Get(name);
        EXPECT_TRUE(got.ok() && *got == std::optional<std::string>(before));
        return std::vector<Mutation>{PutM(name, before + "+")};
      };
      PrefetchHandle* h = with_handle ? &handle : nullptr;
      KS_ASSERT_OK(read_modify_write ? e()->ReadModifyWrite(key, fn, h)
                                     : e()->WriteLocked(key, fn, h));
      EXPECT_EQ(GetOrDie(e(), name), std::optional<std::string>(before + "+"));
    }
  }
}

// Read-modify-writes through handles while other threads flush and switch
// memtables under them: every increment lands (a check that read a past
// view would lose some), on the few keys of one stripe.
TEST_P(EngineTest, PrefetchHandlesRaceFlushesWithoutLosingWrites) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  KS_ASSERT_OK(Open(o));
  constexpr int kThreads = 3;
  constexpr int kIncrements = 300;
  constexpr int kKeys = 4;
  std::atomic<bool> done{false};
  std::thread flusher([&] {
    while (!done.load()) {
      ASSERT_TRUE(e()->Flush().ok());
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kIncrements; ++i) {
        const std::string key = KeyOf(100 + (t + i) % kKeys);
        PrefetchHandle handle;
        e()->PrefetchForWrite(key, &handle);
        absl::Status status = e()->ReadModifyWrite(
            key,
            [&](const LockedReader& reader)
                -> absl::StatusOr<std::vector<Mutation>> {
              absl::StatusOr<std::optional<std::string>> got =
                  reader.GetPrefetched(key);
              if (!got.ok()) return got.status();
              const int count = got->has_value() ? std::stoi(**got) : 0;
              return std::vector<Mutation>{
                  PutM(key, std::to_string(count + 1))};
            },
            &handle);
        ASSERT_TRUE(status.ok()) << status;
      }
    });
  }
  for (std::thread& w : writers) w.join();
  done.store(true);
  flusher.join();
  int total = 0;
  for (int k = 0; k < kKeys; ++k) {
    const std::optional<std::string> got = GetOrDie(e(), KeyOf(100 + k));
    ASSERT_TRUE(got.has_value());
    total += std::stoi(*got);
  }
  EXPECT_EQ(total, kThreads * kIncrements);
}

}  // namespace
}  // namespace kstone::core::testing
