// Engine::ReadModifyWrite is WriteLocked of one key, prepared for a check
// function that reads the key and writes it (the memtable walk for the write
// and the tables' lookup of the key run interleaved before the function).
// On every backend it must read and write exactly as WriteLocked does: for
// keys in the active memtable, in tables (one or several), deleted keys and
// absent ones; when the function reads or writes another key of the stripe,
// fails, or writes nothing; and atomically under concurrent writers and
// flushes.

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_fixture.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

constexpr uint32_t kStripe = 5;

std::string KeyOf(int i) { return K(kStripe, absl::StrFormat("r%05d", i)); }

// Appends "+" to the key's value (or writes "+" where there is none) and
// returns what the function read.
std::optional<std::string> Append(Engine* e, const std::string& key) {
  std::optional<std::string> seen;
  absl::Status s = e->ReadModifyWrite(
      key,
      [&](const LockedReader& reader) -> absl::StatusOr<std::vector<Mutation>> {
        absl::StatusOr<std::optional<std::string>> v =
            reader.GetPrefetched(key);
        if (!v.ok()) return v.status();
        seen = *v;
        return std::vector<Mutation>{PutM(key, seen.value_or("") + "+")};
      });
  EXPECT_TRUE(s.ok()) << s;
  return seen;
}

// Keys 0-39 end up in tables (flushed in two rounds, so a stripe may hold
// two), 40-69 stay in the memtable, every fifth key is deleted, 70-79 are
// never written. Each read-modify-write must read what Get reads, and the
// next one must read its write, whichever structure held the key before.
TEST_P(EngineTest, ReadModifyWriteReadsAndWritesWhatWriteLockedWould) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  o.memtable_max_records_per_stripe = 1000;  // flushes only when asked
  KS_ASSERT_OK(Open(o));
  KS_ASSERT_OK(WriteAcrossTablesAndMemtable(e(), KeyOf));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 80; ++i) {
      const std::string key = KeyOf(i);
      const std::optional<std::string> before = GetOrDie(e(), key);
      EXPECT_EQ(Append(e(), key), before) << "key " << i << " round " << round;
      EXPECT_EQ(GetOrDie(e(), key), before.value_or("") + "+") << "key " << i;
    }
    // The appended versions move into tables too before the next round.
    KS_ASSERT_OK(e()->Flush());
  }
  const std::string expected_written = absl::StrCat("v", 1, "+++");
  EXPECT_EQ(GetOrDie(e(), KeyOf(1)), expected_written);
  EXPECT_EQ(GetOrDie(e(), KeyOf(5)), "+++");   // deleted, then appended to
  EXPECT_EQ(GetOrDie(e(), KeyOf(75)), "+++");  // absent, then appended to
  KS_ASSERT_OK(Reopen());
  EXPECT_EQ(GetOrDie(e(), KeyOf(1)), expected_written);
}

// The function may read other keys of the stripe (without the prepared
// lookup), write another key than the one prepared, write several, or
// nothing; a failed check or a mutation outside the stripe writes nothing.
TEST_P(EngineTest, ReadModifyWriteOfOtherKeysFailuresAndNoWrites) {
  KS_ASSERT_OK(Open());
  KS_ASSERT_OK(Put(e(), KeyOf(1), "one"));
  KS_ASSERT_OK(Put(e(), KeyOf(2), "two"));
  KS_ASSERT_OK(e()->Flush());
  KS_ASSERT_OK(e()->ReadModifyWrite(
      KeyOf(1),
      [&](const LockedReader& reader) -> absl::StatusOr<std::vector<Mutation>> {
        absl::StatusOr<std::optional<std::string>> other = reader.Get(KeyOf(2));
        absl::StatusOr<std::optional<std::string>> own =
            reader.GetPrefetched(KeyOf(1));
        EXPECT_TRUE(other.ok() && own.ok());
        if (other.ok() && own.ok()) {
          EXPECT_EQ(*other, std::optional<std::string>("two"));
          EXPECT_EQ(*own, std::optional<std::string>("one"));
        }
        // Another key first (the prepared insert place does not fit it),
        // then the prepared one.
        return std::vector<Mutation>{PutM(KeyOf(3), "three"),
                                     PutM(KeyOf(1), "uno")};
      }));
  EXPECT_EQ(GetOrDie(e(), KeyOf(1)), "uno");
  EXPECT_EQ(GetOrDie(e(), KeyOf(3)), "three");
  const uint64_t seq = e()->Stats().last_sequence;

  KS_ASSERT_OK(e()->ReadModifyWrite(
      KeyOf(4),
      [&](const LockedReader&) -> absl::StatusOr<std::vector<Mutation>> {
        return std::vector<Mutation>();  // nothing to write
      }));
  absl::Status failed = e()->ReadModifyWrite(
      KeyOf(1),
      [&](const LockedReader&) -> absl::StatusOr<std::vector<Mutation>> {
        return absl::FailedPreconditionError("condition false");
      });
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("condition false")));
  absl::Status outside = e()->ReadModifyWrite(
      KeyOf(1),
      [&](const LockedReader&) -> absl::StatusOr<std::vector<Mutation>> {
        return std::vector<Mutation>{PutM(K(kStripe + 1, "x"), "outside")};
      });
  EXPECT_THAT(outside, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("locked stripes")));
  EXPECT_EQ(e()->Stats().last_sequence, seq);
  EXPECT_EQ(GetOrDie(e(), KeyOf(1)), "uno");
  EXPECT_EQ(GetOrDie(e(), KeyOf(4)), std::nullopt);
  EXPECT_EQ(GetOrDie(e(), K(kStripe + 1, "x")), std::nullopt);
  absl::Status empty = e()->ReadModifyWrite(
      "", [&](const LockedReader&) -> absl::StatusOr<std::vector<Mutation>> {
        return std::vector<Mutation>();
      });
  EXPECT_THAT(empty,
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

// Increments by threads racing each other and flushes lose nothing.
TEST_P(EngineTest, ReadModifyWriteIncrementsAreAtomic) {
  KS_ASSERT_OK(Open());
  constexpr int kThreads = 6;
  constexpr int kIncrements = 200;
  constexpr int kCounters = 3;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrements; ++i) {
        const std::string key = KeyOf((t + i) % kCounters);
        absl::Status s = e()->ReadModifyWrite(
            key,
            [&](const LockedReader& reader)
                -> absl::StatusOr<std::vector<Mutation>> {
              absl::StatusOr<std::optional<std::string>> v =
                  reader.GetPrefetched(key);
              if (!v.ok()) return v.status();
              const int n = v->has_value() ? std::stoi(**v) : 0;
              return std::vector<Mutation>{PutM(key, std::to_string(n + 1))};
            });
        if (!s.ok()) failures++;
        if (t == 0 && i % 40 == 0) e()->Flush().IgnoreError();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  int total = 0;
  for (int c = 0; c < kCounters; ++c) {
    const std::optional<std::string> v = GetOrDie(e(), KeyOf(c));
    ASSERT_TRUE(v.has_value());
    total += std::stoi(*v);
  }
  EXPECT_EQ(total, kThreads * kIncrements);
}

}  // namespace
}  // namespace kstone::core::testing
