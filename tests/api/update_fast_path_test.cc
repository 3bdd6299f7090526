// The Update fast path (core/expr/flat_update.h, taken for ReturnValues NONE
// and ALL_NEW without a condition) against the general path (ReturnValues
// UPDATED_OLD), through the Database: the same stored items, the same
// errors, the same new item returned, on items in the memtable, in a
// flushed table, deleted, and missing.

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

class UpdateFastPathTest : public testing::BackendTest {};

TEST_P(UpdateFastPathTest, SameItemsAndErrorsBothWays) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  const Item base = ItemBuilder().Number("n", 5).String("s", "x").Build();
  auto put = [&](const std::string& pk) {
    Item item = base;
    item.Set("pk", Value::String(pk));
    ASSERT_TRUE(db->Put(item).ok());
  };
  // Per shape of stored item and ReturnValues of the fast call: a key the
  // fast path updates and a twin the general path updates (UPDATED_OLD
  // keeps the old item, so it never takes the fast path).
  const std::vector<std::string> rvs = {"none", "allnew"};
  auto key_of = [](const std::string& prefix, const std::string& rv,
                   const char* way) { return prefix + "_" + rv + "_" + way; };
  for (const std::string& rv : rvs) {
    for (const char* prefix : {"mem", "tab", "del"}) {
      put(key_of(prefix, rv, "fast"));
      put(key_of(prefix, rv, "slow"));
    }
    ASSERT_TRUE(db->Delete(Key(key_of("del", rv, "fast"))).ok());
    ASSERT_TRUE(db->Delete(Key(key_of("del", rv, "slow"))).ok());
  }
  ASSERT_TRUE(db->Flush().ok());
  for (const std::string& rv : rvs) {
    put(key_of("mem", rv, "fast"));
    put(key_of("mem", rv, "slow"));
  }

  const std::vector<kstone::Update> updates = {
      kstone::Update("SET n = n + :one").Value(":one", Value::Number("1")),
      kstone::Update("SET t = :v, n = n - :one, u = s")
          .Value(":one", Value::Number("1"))
          .Value(":v", Value::String("new")),
      kstone::Update("SET #a = :v")
          .Name("#a", "a")
          .Value(":v", Value::Number("7")),
      kstone::Update("SET n = n + :big").Value(":big", Value::Number("1e30")),
      kstone::Update("SET s = s + :one").Value(":one", Value::Number("1")),
      kstone::Update("SET q = nothere"),
  };
  for (const std::string& rv : rvs) {
    for (const std::string prefix : {"mem", "tab", "del", "none"}) {
      for (size_t i = 0; i < updates.size(); ++i) {
        SCOPED_TRACE(prefix + " " + rv + " update " + std::to_string(i));
        const std::string fast_key = key_of(prefix, rv, "fast");
        const std::string slow_key = key_of(prefix, rv, "slow");
        kstone::Update fast = updates[i];
        kstone::Update slow = updates[i];
        fast.ReturnValues(rv == "none" ? ReturnValues::kNone
                                       : ReturnValues::kAllNew);
        slow.ReturnValues(ReturnValues::kUpdatedOld);
        absl::StatusOr<Item> a = db->Update(Key(fast_key), fast);
        absl::StatusOr<Item> b = db->Update(Key(slow_key), slow);
        ASSERT_EQ(a.ok(), b.ok()) << a.status() << " / " << b.status();
        if (!a.ok()) {
          EXPECT_EQ(a.status().message(), b.status().message());
          EXPECT_EQ(ErrorCodeOf(a.status()), ErrorCodeOf(b.status()));
        }
        absl::StatusOr<std::optional<Item>> got_fast = db->Get(Key(fast_key));
        absl::StatusOr<std::optional<Item>> got_slow = db->Get(Key(slow_key));
        ASSERT_TRUE(got_fast.ok() && got_slow.ok());
        ASSERT_EQ(got_fast->has_value(), got_slow->has_value());
        if (!got_fast->has_value()) continue;
        Item f = **got_fast;
        Item s = **got_slow;
        if (a.ok()) {
          // NONE returns nothing, ALL_NEW the whole new item with its key.
          EXPECT_EQ(a->ToDynamoJson(),
                    rv == "none" ? Item().ToDynamoJson() : f.ToDynamoJson());
        }
        f.Remove("pk");
        s.Remove("pk");
        EXPECT_EQ(f.ToDynamoJson(), s.ToDynamoJson());
      }
    }
  }
}

// A counter sent again and again: from the second call on the thread's memo
// holds the preparation and the Update takes the short path
// (DatabaseImpl::TryFlatUpdate), which hands what it cannot patch (a
// missing item or attribute, another type) back to the general path. Each
// outcome matches a twin key updated through the general path.
TEST_P(UpdateFastPathTest, RepeatedCountersMatchTheGeneralPath) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  const kstone::Update increment =
      kstone::Update("SET n = n + :one").Value(":one", Value::Number("1"));
  // Twins: "<shape>_fast" gets ReturnValues NONE or ALL_NEW (short path),
  // "<shape>_slow" UPDATED_NEW (general path).
  auto put = [&](const std::string& shape, Item item) {
    for (const char* way : {"_fast", "_slow"}) {
      item.Set("pk", Value::String(shape + way));
      ASSERT_TRUE(db->Put(item).ok());
    }
  };
  put("table", ItemBuilder().Number("n", 10).Build());
  put("string", ItemBuilder().String("n", "ten").Build());
  put("absent_n", ItemBuilder().Number("m", 1).Build());
  ASSERT_TRUE(db->Flush().ok());
  put("memtable", ItemBuilder().Number("n", -3).String("s", "x").Build());
  const std::vector<std::string> shapes = {"table", "memtable", "string",
                                           "absent_n", "missing"};
  for (int round = 0; round < 5; ++round) {
    for (const std::string& shape : shapes) {
      SCOPED_TRACE(shape + " round " + std::to_string(round));
      kstone::Update fast = increment;
      fast.ReturnValues(round % 2 == 0 ? ReturnValues::kNone
                                       : ReturnValues::kAllNew);
      kstone::Update slow = increment;
      slow.ReturnValues(ReturnValues::kUpdatedNew);
      absl::StatusOr<Item> a = db->Update(Key(shape + "_fast"), fast);
      absl::StatusOr<Item> b = db->Update(Key(shape + "_slow"), slow);
      ASSERT_EQ(a.ok(), b.ok()) << a.status() << " / " << b.status();
      if (!a.ok()) {
        EXPECT_EQ(a.status().message(), b.status().message());
        EXPECT_EQ(ErrorCodeOf(a.status()), ErrorCodeOf(b.status()));
      }
      absl::StatusOr<std::optional<Item>> got_fast =
          db->Get(Key(shape + "_fast"));
      absl::StatusOr<std::optional<Item>> got_slow =
          db->Get(Key(shape + "_slow"));
      ASSERT_TRUE(got_fast.ok() && got_slow.ok());
      ASSERT_EQ(got_fast->has_value(), got_slow->has_value());
      if (a.ok() && round % 2 == 1) {
        // ALL_NEW: the whole new item, with its key.
        ASSERT_TRUE(got_fast->has_value());
        EXPECT_EQ(a->ToDynamoJson(), (*got_fast)->ToDynamoJson());
      } else if (a.ok()) {
        EXPECT_EQ(a->ToDynamoJson(), Item().ToDynamoJson());
      }
      if (!got_fast->has_value()) continue;
      Item f = **got_fast;
      Item s = **got_slow;
      f.Remove("pk");
      s.Remove("pk");
      EXPECT_EQ(f.ToDynamoJson(), s.ToDynamoJson());
    }
  }
  // Five increments each where the counter exists; nothing elsewhere.
  absl::StatusOr<std::optional<Item>> table = db->Get(Key("table_fast"));
  ASSERT_TRUE(table.ok() && table->has_value());
  EXPECT_EQ((*table)->Get("n")->AsNumber(), "15");
  absl::StatusOr<std::optional<Item>> mem = db->Get(Key("memtable_fast"));
  ASSERT_TRUE(mem.ok() && mem->has_value());
  EXPECT_EQ((*mem)->Get("n")->AsNumber(), "2");
  absl::StatusOr<std::optional<Item>> str = db->Get(Key("string_fast"));
  ASSERT_TRUE(str.ok() && str->has_value());
  EXPECT_EQ((*str)->Get("n")->AsString(), "ten");
  absl::StatusOr<std::optional<Item>> missing = db->Get(Key("missing_fast"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(UpdateFastPathTest, UnusedPlaceholdersAreStillReported) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  for (ReturnValues rv : {ReturnValues::kNone, ReturnValues::kAllNew}) {
    absl::StatusOr<Item> r =
        db->Update(Key("k"), kstone::Update("SET n = :one")
                                 .Value(":one", Value::Number("1"))
                                 .Value(":extra", Value::Number("2"))
                                 .ReturnValues(rv));
    EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation);
    EXPECT_NE(r.status().message().find("unused in expressions: keys: "
                                        "{:extra}"),
              std::string::npos)
        << r.status();
    r = db->Update(Key("k"), kstone::Update("SET n = :one")
                                 .Name("#x", "x")
                                 .Value(":one", Value::Number("1"))
                                 .ReturnValues(rv));
    EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
    // Used by the condition only: fine.
    r = db->Update(Key("k"), kstone::Update("SET n = :one")
                                 .Condition("attribute_not_exists(#x) OR "
                                            "#x <> :two")
                                 .Name("#x", "x")
                                 .Value(":one", Value::Number("1"))
                                 .Value(":two", Value::Number("2"))
                                 .ReturnValues(rv));
    EXPECT_TRUE(r.ok()) << r.status();
  }
  absl::StatusOr<std::optional<Item>> got = db->Get(Key("k"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->ToDynamoJson(), R"({"n":{"N":"1"},"pk":{"S":"k"}})");
}

// UPDATED_OLD / UPDATED_NEW project the update's targets, also those
// written with #names (they failed after the write before session 6).
TEST_P(UpdateFastPathTest, UpdatedValuesOfNamePlaceholderTargets) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(
      db->Put(ItemBuilder().String("pk", "k").Number("a", 1).Build()).ok());
  absl::StatusOr<Item> old_values =
      db->Update(Key("k"), kstone::Update("SET #a = :v")
                               .Name("#a", "a")
                               .Value(":v", Value::Number("2"))
                               .ReturnValues(ReturnValues::kUpdatedOld));
  ASSERT_TRUE(old_values.ok()) << old_values.status();
  EXPECT_EQ(old_values->ToDynamoJson(), R"({"a":{"N":"1"}})");
  absl::StatusOr<Item> new_values =
      db->Update(Key("k"), kstone::Update("SET #a = :v")
                               .Name("#a", "a")
                               .Value(":v", Value::Number("3"))
                               .ReturnValues(ReturnValues::kUpdatedNew));
  ASSERT_TRUE(new_values.ok()) << new_values.status();
  EXPECT_EQ(new_values->ToDynamoJson(), R"({"a":{"N":"3"}})");
}

KSTONE_INSTANTIATE_BACKENDS(UpdateFastPathTest);

}  // namespace
}  // namespace kstone
