// Engine::Prefetch is a hint: on every backend, for keys in the active
// memtable, in immutable memtables and tables, deleted keys, missing keys and
// the empty key, it changes nothing that a Get, a WriteLocked or an iterator
// sees, also when it runs concurrently with the writes and flushes it probes.

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

constexpr uint32_t kStripe = 9;

std::string KeyOf(int i) { return K(kStripe, absl::StrFormat("p%05d", i)); }

TEST_P(EngineTest, PrefetchChangesNothingReadsSee) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  KS_ASSERT_OK(Open(o));
  e()->Prefetch("");        // ignored
  e()->Prefetch(KeyOf(0));  // nothing written yet
  // Tables, then memtables over them: keys 0-99 flushed, 100-149 in the
  // memtables, every third key deleted after the flush.
  for (int i = 0; i < 150; ++i) {
    if (i == 100) {
      KS_ASSERT_OK(e()->Flush());
    }
    KS_ASSERT_OK(Put(e(), KeyOf(i), absl::StrCat("v", i)));
  }
  for (int i = 0; i < 150; i += 3) KS_ASSERT_OK(Del(e(), KeyOf(i)));
  const uint64_t seq = e()->Stats().last_sequence;
  for (int i = 0; i < 160; ++i) {
    e()->Prefetch(KeyOf(i));
    const std::optional<std::string> want =
        i >= 150 || i % 3 == 0
            ? std::nullopt
            : std::optional<std::string>(absl::StrCat("v", i));
    EXPECT_EQ(GetOrDie(e(), KeyOf(i)), want) << "key " << i;
  }
  EXPECT_EQ(e()->Stats().last_sequence, seq);  // nothing written
  // A locked read right after a prefetch sees the same.
  e()->Prefetch(KeyOf(4));
  KS_ASSERT_OK(e()->WriteLocked(
      {KeyOf(4)},
      [&](const LockedReader& reader) -> absl::StatusOr<std::vector<Mutation>> {
        absl::StatusOr<std::optional<std::string>> got = reader.Get(KeyOf(4));
        EXPECT_TRUE(got.ok());
        if (got.ok()) {
          EXPECT_EQ(*got, std::optional<std::string>("v4"));
        }
        return std::vector<Mutation>{PutM(KeyOf(4), "v4b")};
      }));
  EXPECT_EQ(GetOrDie(e(), KeyOf(4)), std::optional<std::string>("v4b"));
}

// After Prefetch, a locked read that skips the probes (GetPrefetched) reads
// what Get reads. (ReadModifyWrite's steps of the lookup have their own test:
// engine_read_modify_write_test.cc.)
TEST_P(EngineTest, GetPrefetchedReadsWhatGetReads) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  KS_ASSERT_OK(Open(o));
  // Keys 0-59 in a table, 60-89 in the memtables, every fourth deleted, and
  // 90-99 never written.
  for (int i = 0; i < 90; ++i) {
    if (i == 60) {
      KS_ASSERT_OK(e()->Flush());
    }
    KS_ASSERT_OK(Put(e(), KeyOf(i), absl::StrCat("v", i)));
  }
  for (int i = 0; i < 90; i += 4) KS_ASSERT_OK(Del(e(), KeyOf(i)));
  for (int i = 0; i < 100; ++i) {
    const std::string key = KeyOf(i);
    const std::optional<std::string> want =
        i >= 90 || i % 4 == 0
            ? std::nullopt
            : std::optional<std::string>(absl::StrCat("v", i));
    e()->Prefetch(key);
    KS_ASSERT_OK(e()->WriteLocked(
        {key},
        [&](const LockedReader& reader)
            -> absl::StatusOr<std::vector<Mutation>> {
          absl::StatusOr<std::optional<std::string>> plain = reader.Get(key);
          absl::StatusOr<std::optional<std::string>> prefetched =
              reader.GetPrefetched(key);
          EXPECT_TRUE(plain.ok() && prefetched.ok()) << "key " << i;
          if (plain.ok() && prefetched.ok()) {
            EXPECT_EQ(*plain, want) << "key " << i;
            EXPECT_EQ(*prefetched, want) << "key " << i;
          }
          return std::vector<Mutation>{};
        }));
  }
}

TEST_P(EngineTest, PrefetchRacesWritesAndFlushes) {
  KS_ASSERT_OK(Open());
  constexpr int kKeys = 400;
  std::thread writer([&] {
    for (int i = 0; i < kKeys; ++i) {
      ASSERT_TRUE(Put(e(), KeyOf(i), absl::StrCat("w", i)).ok());
      if (i % 100 == 99) {
        ASSERT_TRUE(e()->Flush().ok());
      }
    }
  });
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < kKeys; i += 7) e()->Prefetch(KeyOf(i));
  }
  writer.join();
  for (int i = 0; i < kKeys; ++i) {
    e()->Prefetch(KeyOf(i));
    EXPECT_EQ(GetOrDie(e(), KeyOf(i)),
              std::optional<std::string>(absl::StrCat("w", i)))
        << "key " << i;
  }
}

}  // namespace
}  // namespace kstone::core::testing
