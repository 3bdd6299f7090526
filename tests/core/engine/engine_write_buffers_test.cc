// The FillFn forms of ReadModifyWrite and WriteLocked write the caller's
// vector of mutations and leave it as it was, so that the caller can reuse
// its strings' memory; LockedReader::GetPrefetchedInto reads into the
// caller's string. On every backend they must read and write what the
// CheckFn forms do: keys in the memtable, in tables, deleted and absent;
// other keys of the stripe; a failed check or no mutation writes nothing.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "tests/core/engine/engine_test_fixture.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::testing {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

constexpr uint32_t kStripe = 9;

std::string KeyOf(int i) { return K(kStripe, absl::StrFormat("b%05d", i)); }

// One thread's buffers, kept from one write to the next.
struct Buffers {
  std::string stored;
  std::vector<Mutation> mutations;
};

// Appends "+" to the key's value (or writes "+" where there is none) with
// the FillFn form of ReadModifyWrite (or WriteLocked) and returns what the
// function read.
std::optional<std::string> AppendWithBuffers(Engine* e, const std::string& key,
                                             bool read_modify_write,
                                             Buffers* buffers) {
  std::optional<std::string> seen;
  auto fill = [&](const LockedReader& reader,
                  std::vector<Mutation>* mutations) -> absl::Status {
    absl::StatusOr<bool> found =
        reader.GetPrefetchedInto(key, &buffers->stored);
    if (!found.ok()) return found.status();
    if (*found) seen = buffers->stored;
    mutations->resize(1);
    Mutation& m = (*mutations)[0];
    m.type = RecordType::kValue;
    m.key.assign(key);
    m.value.assign(seen.value_or(""));
    m.value.append("+");
    return absl::OkStatus();
  };
  PrefetchHandle handle;
  e->PrefetchForWrite(key, &handle);
  absl::Status s =
      read_modify_write
          ? e->ReadModifyWrite(key, fill, &handle, &buffers->mutations)
          : e->WriteLocked(key, fill, &handle, &buffers->mutations);
  EXPECT_TRUE(s.ok()) << s;
  return seen;
}

// Keys 0-39 in tables, 40-69 in the memtable, every fifth deleted, 70-79
// never written: each read must be what Get reads and each write the next
// read, and the mutation handed in comes back with its string memory.
TEST_P(EngineTest, WritesWithBuffersReadAndWriteWhatGetSees) {
  EngineOptions o = SmallOptions();
  o.idle_compaction_ms = 0;
  o.memtable_max_records_per_stripe = 1000;  // flushes only when asked
  KS_ASSERT_OK(Open(o));
  KS_ASSERT_OK(WriteAcrossTablesAndMemtable(e(), KeyOf));
  Buffers buffers;
  buffers.mutations.resize(1);
  buffers.mutations[0].value.reserve(256);
  const char* const value_memory = buffers.mutations[0].value.data();
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 80; ++i) {
      const std::string key = KeyOf(i);
      const std::optional<std::string> before = GetOrDie(e(), key);
      const bool read_modify_write = (i + round) % 2 == 0;
      EXPECT_EQ(AppendWithBuffers(e(), key, read_modify_write, &buffers),
                before)
          << "key " << i << " round " << round;
      EXPECT_EQ(GetOrDie(e(), key), before.value_or("") + "+") << "key " << i;
      ASSERT_EQ(buffers.mutations.size(), 1u);
      EXPECT_EQ(buffers.mutations[0].key, key);
      EXPECT_EQ(buffers.mutations[0].value, before.value_or("") + "+");
      // The write gave the string back, memory and all.
      EXPECT_EQ(buffers.mutations[0].value.data(), value_memory);
    }
    KS_ASSERT_OK(e()->Flush());
  }
  EXPECT_EQ(GetOrDie(e(), KeyOf(1)), "v1+++");
  EXPECT_EQ(GetOrDie(e(), KeyOf(5)), "+++");   // deleted, then appended to
  EXPECT_EQ(GetOrDie(e(), KeyOf(75)), "+++");  // absent, then appended to
  KS_ASSERT_OK(Reopen());
  EXPECT_EQ(GetOrDie(e(), KeyOf(1)), "v1+++");
}

// GetPrefetchedInto of another key than the prepared one, of a deleted key
// and of an absent one; a failed check, or a function that leaves no
// mutation, writes nothing (and a failed one leaves the caller's vector as
// the function left it).
TEST_P(EngineTest, WritesWithBuffersOfOtherKeysFailuresAndNoWrites) {
  KS_ASSERT_OK(Open());
  KS_ASSERT_OK(Put(e(), KeyOf(1), "one"));
  KS_ASSERT_OK(Put(e(), KeyOf(2), "two"));
  KS_ASSERT_OK(Put(e(), KeyOf(3), "three"));
  KS_ASSERT_OK(e()->Flush());
  KS_ASSERT_OK(Del(e(), KeyOf(3)));
  std::vector<Mutation> mutations;
  std::string stored = "left over";
  KS_ASSERT_OK(e()->ReadModifyWrite(
      KeyOf(1),
      [&](const LockedReader& reader, std::vector<Mutation>* out) {
        absl::StatusOr<bool> two = reader.GetPrefetchedInto(KeyOf(2), &stored);
        EXPECT_TRUE(two.ok() && *two);
        EXPECT_EQ(stored, "two");
        absl::StatusOr<bool> three =
            reader.GetPrefetchedInto(KeyOf(3), &stored);
        EXPECT_TRUE(three.ok() && !*three);  // deleted
        absl::StatusOr<bool> four = reader.GetPrefetchedInto(KeyOf(4), &stored);
        EXPECT_TRUE(four.ok() && !*four);  // never written
        absl::StatusOr<bool> one = reader.GetPrefetchedInto(KeyOf(1), &stored);
        EXPECT_TRUE(one.ok() && *one);
        EXPECT_EQ(stored, "one");
        *out = {PutM(KeyOf(5), "five"), PutM(KeyOf(1), "uno")};
        return absl::OkStatus();
      },
      nullptr, &mutations));
  EXPECT_EQ(GetOrDie(e(), KeyOf(1)), "uno");
  EXPECT_EQ(GetOrDie(e(), KeyOf(5)), "five");
  ASSERT_EQ(mutations.size(), 2u);
  EXPECT_EQ(mutations[1].value, "uno");
  const uint64_t seq = e()->Stats().last_sequence;

  KS_ASSERT_OK(e()->WriteLocked(
      KeyOf(6),
      [&](const LockedReader&, std::vector<Mutation>* out) {
        out->clear();  // nothing to write
        return absl::OkStatus();
      },
      nullptr, &mutations));
  absl::Status failed = e()->ReadModifyWrite(
      KeyOf(1),
      [&](const LockedReader&, std::vector<Mutation>* out) {
        *out = {PutM(KeyOf(1), "not written")};
        return absl::FailedPreconditionError("condition false");
      },
      nullptr, &mutations);
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("condition false")));
  ASSERT_EQ(mutations.size(), 1u);
  EXPECT_EQ(mutations[0].value, "not written");
  absl::Status outside = e()->WriteLocked(
      KeyOf(1),
      [&](const LockedReader&, std::vector<Mutation>* out) {
        *out = {PutM(K(kStripe + 1, "x"), "outside")};
        return absl::OkStatus();
      },
      nullptr, &mutations);
  EXPECT_THAT(outside, StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("locked stripes")));
  EXPECT_EQ(e()->Stats().last_sequence, seq);
  EXPECT_EQ(GetOrDie(e(), KeyOf(1)), "uno");
  EXPECT_EQ(GetOrDie(e(), KeyOf(6)), std::nullopt);
  EXPECT_EQ(GetOrDie(e(), K(kStripe + 1, "x")), std::nullopt);
}

}  // namespace
}  // namespace kstone::core::testing
