// Puts whose condition only asks whether the item exists (attribute_exists
// or attribute_not_exists of a key attribute) take a short path
// (DatabaseImpl::PutIfItemExists). Here they are checked against the
// general path (ReturnValues ALL_OLD, which never takes the short one):
// the same stored items and the same errors, for items in the memtable, in
// a flushed table, deleted and missing, with and without a sort key; and
// the conditions that look alike but are not existence checks still take
// the general path's meaning.

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

class PutExistenceCheckTest : public testing::BackendTest {};

TEST_P(PutExistenceCheckTest, SameItemsAndErrorsAsTheGeneralPath) {
  for (const bool with_sort_key : {false, true}) {
    SCOPED_TRACE(with_sort_key ? "pk + sk" : "pk");
    const TableSchema schema =
        with_sort_key ? TableSchema().PartitionKey("pk").SortKey("sk")
                      : TableSchema().PartitionKey("pk").WithoutSortKey();
    absl::StatusOr<Database> db =
        disk() ? Database::CreateWithSchema(
                     dir_.Sub(with_sort_key ? "db_sk" : "db_pk"), schema)
               : Database::CreateInMemoryWithSchema(schema);
    ASSERT_TRUE(db.ok()) << db.status();
    auto key_of = [&](const std::string& pk) {
      return with_sort_key ? Key(pk, "s") : Key(pk);
    };
    auto item_of = [&](const std::string& pk, int v) {
      ItemBuilder b;
      b.String("pk", pk).Number("v", v);
      if (with_sort_key) b.String("sk", "s");
      return b.Build();
    };
    // Per state, a key the short path writes and a twin for the general.
    const std::vector<std::string> states = {"mem", "tab", "del", "none"};
    for (const std::string& state : states) {
      if (state == "none") continue;
      for (const char* way : {"_fast", "_slow"}) {
        ASSERT_TRUE(db->Put(item_of(state + way, 1)).ok());
        if (state == "del") {
          ASSERT_TRUE(db->Delete(key_of(state + way)).ok());
        }
      }
    }
    ASSERT_TRUE(db->Flush().ok());
    for (const char* way : {"_fast", "_slow"}) {
      ASSERT_TRUE(db->Put(item_of(std::string("mem") + way, 1)).ok());
    }
    std::vector<std::string> conditions = {
        "attribute_not_exists(pk)", "attribute_exists(pk)",
        "attribute_not_exists(v)",  "attribute_exists(v)",
        "attribute_not_exists(pk",  "attribute_not_exists(pk) AND v = v"};
    if (with_sort_key) {
      conditions.push_back("attribute_not_exists(sk)");
      conditions.push_back("attribute_exists(sk)");
    }
    int round = 2;
    for (const std::string& state : states) {
      for (const std::string& condition : conditions) {
        SCOPED_TRACE(state + ": " + condition);
        const std::string fast = state + "_fast";
        const std::string slow = state + "_slow";
        absl::StatusOr<WriteResult> a =
            db->Put(item_of(fast, round), PutOptions().Condition(condition));
        absl::StatusOr<WriteResult> b =
            db->Put(item_of(slow, round),
                    PutOptions().Condition(condition).ReturnValues(
                        ReturnValues::kAllOld));
        ASSERT_EQ(a.ok(), b.ok()) << a.status() << " / " << b.status();
        if (!a.ok()) {
          EXPECT_EQ(a.status().message(), b.status().message());
          EXPECT_EQ(ErrorCodeOf(a.status()), ErrorCodeOf(b.status()));
        }
        std::string got_fast = testing::StoredJson(*db, key_of(fast));
        std::string got_slow = testing::StoredJson(*db, key_of(slow));
        EXPECT_EQ(got_fast.empty(), got_slow.empty());
        if (!got_fast.empty()) {
          EXPECT_EQ(got_fast.replace(got_fast.find("_fast"), 5, "_slow"),
                    got_slow);
        }
        ++round;
      }
    }
    // Put-if-absent of a new key writes it; a second one fails and keeps
    // the first item.
    const PutOptions if_absent =
        PutOptions().Condition("attribute_not_exists(pk)");
    ASSERT_TRUE(db->Put(item_of("new", 1), if_absent).ok());
    absl::StatusOr<WriteResult> again = db->Put(item_of("new", 2), if_absent);
    EXPECT_EQ(ErrorCodeOf(again.status()), ErrorCode::kConditionalCheckFailed);
    EXPECT_EQ(testing::StoredJson(*db, key_of("new")),
              item_of("new", 1).ToDynamoJson());
  }
}

// The same condition text asks about the item's existence in a table whose
// partition key it names, and about an ordinary attribute in another table:
// alternating between them (the thread remembers its last condition), each
// keeps its own meaning.
TEST_P(PutExistenceCheckTest, SameConditionInTablesWithOtherKeyNames) {
  auto create = [&](const std::string& pk) {
    const TableSchema schema = TableSchema().PartitionKey(pk).WithoutSortKey();
    return disk() ? Database::CreateWithSchema(dir_.Sub("by_" + pk), schema)
                  : Database::CreateInMemoryWithSchema(schema);
  };
  absl::StatusOr<Database> by_id = create("id");
  absl::StatusOr<Database> by_pk = create("pk");
  ASSERT_TRUE(by_id.ok() && by_pk.ok());
  const PutOptions no_id = PutOptions().Condition("attribute_not_exists(id)");
  for (int i = 0; i < 3; ++i) {
    // In by_id the condition means "absent": the second put of "a" fails.
    absl::StatusOr<WriteResult> a = by_id->Put(
        ItemBuilder().String("id", "a").Number("v", i).Build(), no_id);
    EXPECT_EQ(a.ok(), i == 0) << i;
    // In by_pk the items have no "id" attribute: every put passes.
    absl::StatusOr<WriteResult> b = by_pk->Put(
        ItemBuilder().String("pk", "a").Number("v", i).Build(), no_id);
    EXPECT_TRUE(b.ok()) << i << ": " << b.status();
  }
  EXPECT_EQ(testing::StoredJson(*by_id, Key("a")),
            R"({"id":{"S":"a"},"v":{"N":"0"}})");
  EXPECT_EQ(testing::StoredJson(*by_pk, Key("a")),
            R"({"pk":{"S":"a"},"v":{"N":"2"}})");
}

// One PutOptions object changed between puts: each put asks what the
// options then say, never what the thread remembered of them.
TEST_P(PutExistenceCheckTest, OptionsChangedBetweenPuts) {
  absl::StatusOr<Database> db =
      CreateDb(TableSchema().PartitionKey("pk").WithoutSortKey());
  ASSERT_TRUE(db.ok()) << db.status();
  auto item = [](const char* pk) {
    return ItemBuilder().String("pk", pk).Build();
  };
  PutOptions options = PutOptions().Condition("attribute_not_exists(pk)");
  EXPECT_TRUE(db->Put(item("a"), options).ok());
  EXPECT_EQ(ErrorCodeOf(db->Put(item("a"), options).status()),
            ErrorCode::kConditionalCheckFailed);
  options.Condition("attribute_exists(pk)");
  EXPECT_TRUE(db->Put(item("a"), options).ok());
  EXPECT_EQ(ErrorCodeOf(db->Put(item("b"), options).status()),
            ErrorCode::kConditionalCheckFailed);
  // Assigned other options, then moved from.
  const PutOptions if_absent =
      PutOptions().Condition("attribute_not_exists(pk)");
  options = if_absent;
  EXPECT_TRUE(db->Put(item("b"), options).ok());
  PutOptions moved = std::move(options);
  EXPECT_EQ(ErrorCodeOf(db->Put(item("b"), moved).status()),
            ErrorCode::kConditionalCheckFailed);
  options = PutOptions().Condition("attribute_exists(pk)");
  EXPECT_TRUE(db->Put(item("b"), options).ok());
  EXPECT_EQ(ErrorCodeOf(db->Put(item("b"), if_absent).status()),
            ErrorCode::kConditionalCheckFailed);
  EXPECT_EQ(testing::StoredJson(*db, Key("c")), "");
}

TEST_P(PutExistenceCheckTest, BadItemsAreReportedBeforeTheCondition) {
  absl::StatusOr<Database> db =
      CreateDb(TableSchema().PartitionKey("pk").WithoutSortKey());
  ASSERT_TRUE(db.ok()) << db.status();
  const PutOptions if_absent =
      PutOptions().Condition("attribute_not_exists(pk)");
  // A key that differs from the item's key attribute.
  absl::StatusOr<WriteResult> r =
      db->Put(Key("a"), ItemBuilder().String("pk", "b").Build(), if_absent);
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
  // An invalid attribute (an empty set), also when the item exists (the
  // condition would fail).
  ASSERT_TRUE(db->Put(ItemBuilder().String("pk", "c").Build()).ok());
  for (const char* pk : {"c", "d"}) {
    r = db->Put(
        ItemBuilder().String("pk", pk).Set("e", Value::StringSet({})).Build(),
        if_absent);
    EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
  }
  EXPECT_EQ(testing::StoredJson(*db, Key("d")), "");
  EXPECT_EQ(testing::StoredJson(*db, Key("c")), R"({"pk":{"S":"c"}})");
}

KSTONE_INSTANTIATE_BACKENDS(PutExistenceCheckTest);

}  // namespace
}  // namespace kstone
