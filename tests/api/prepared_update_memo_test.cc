// An Update sent again on the same thread reuses its preparation
// (api/prepared_update_memo.h). Whatever the thread sent before, each
// Update must behave as if prepared afresh: the same results, the same
// errors, with other Updates, other values, other tables and other
// threads in between.

#include "api/prepared_update_memo.h"

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/expr/update_expression.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

class PreparedUpdateMemoTest : public testing::BackendTest {};

// The memo itself: what Take gives out comes back with GiveBack (no request
// compared), and is taken again; a Keep of another request in between wins
// over a late GiveBack.
TEST(PreparedUpdateMemoUnitTest, TakeGiveBackAndKeep) {
  const std::map<std::string, std::string> names;
  const std::map<std::string, Value> one = {{":v", Value::Number("1")}};
  const std::map<std::string, Value> two = {{":v", Value::Number("2")}};
  const PreparedUpdateMemo::Request a{"SET n = n + :v", &names, &one, "pk", ""};
  const PreparedUpdateMemo::Request b{"SET n = n + :v", &names, &two, "pk", ""};
  auto tree = [] {
    absl::StatusOr<core::expr::UpdateExpression> parsed =
        core::expr::UpdateExpression::Parse("SET n = n + :v");
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    return std::make_unique<core::expr::UpdateExpression>(std::move(*parsed));
  };
  PreparedUpdateMemo memo;
  PreparedUpdateMemo::Prepared taken;
  EXPECT_FALSE(memo.Take(a, &taken));  // empty
  PreparedUpdateMemo::Prepared kept;
  kept.tree = tree();
  const core::expr::UpdateExpression* kept_tree = kept.tree.get();
  memo.Keep(a, std::move(kept));
  // Find lends the preparation and leaves it in the memo; the tree is flat
  // (a SET of a top-level attribute, core/expr/flat_update.h).
  EXPECT_EQ(memo.Find(b), nullptr);  // another value
  const PreparedUpdateMemo::Prepared* found = memo.Find(a);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->tree.get(), kept_tree);
  EXPECT_TRUE(found->flat);
  ASSERT_EQ(memo.Find(a), found);
  EXPECT_FALSE(memo.Take(b, &taken));  // another value
  ASSERT_TRUE(memo.Take(a, &taken));
  EXPECT_EQ(taken.tree.get(), kept_tree);
  EXPECT_FALSE(memo.Take(a, &taken));  // given out
  EXPECT_EQ(memo.Find(a), nullptr);
  memo.GiveBack(&taken);
  EXPECT_EQ(taken.tree, nullptr);
  PreparedUpdateMemo::Prepared again;
  // Given back, the tree is still known to be flat.
  ASSERT_NE(memo.Find(a), nullptr);
  EXPECT_TRUE(memo.Find(a)->flat);
  ASSERT_TRUE(memo.Take(a, &again));
  EXPECT_EQ(again.tree.get(), kept_tree);

  // Keep(b) while a's preparation is out: a late GiveBack of a changes
  // nothing, and the memo answers b.
  PreparedUpdateMemo::Prepared other;
  other.tree = tree();
  memo.Keep(b, std::move(other));
  memo.GiveBack(&again);
  EXPECT_NE(again.tree, nullptr);  // not taken back
  EXPECT_FALSE(memo.Take(a, &taken));
  EXPECT_TRUE(memo.Take(b, &taken));

  // A tree that is not flat (a list element as target) is kept too, marked.
  const PreparedUpdateMemo::Request c{"SET l[0] = :v", &names, &one, "pk", ""};
  absl::StatusOr<core::expr::UpdateExpression> listed =
      core::expr::UpdateExpression::Parse("SET l[0] = :v");
  ASSERT_TRUE(listed.ok()) << listed.status();
  PreparedUpdateMemo::Prepared element;
  element.tree =
      std::make_unique<core::expr::UpdateExpression>(std::move(*listed));
  memo.Keep(c, std::move(element));
  ASSERT_NE(memo.Find(c), nullptr);
  EXPECT_FALSE(memo.Find(c)->flat);
}

// A request's stamp (the kstone::Update's) stands for its contents once the
// memo has seen them together; key names are compared every time, and a
// stamp the memo saw before other contents were kept stands for nothing.
TEST(PreparedUpdateMemoUnitTest, StampsStandForContentsTheMemoSaw) {
  const std::map<std::string, std::string> names;
  const std::map<std::string, Value> one = {{":v", Value::Number("1")}};
  const std::map<std::string, Value> two = {{":v", Value::Number("2")}};
  auto request = [&](const std::map<std::string, Value>* values, uint64_t stamp,
                     std::string_view pk = "pk", uint64_t table = 0) {
    return PreparedUpdateMemo::Request{
        "SET n = n + :v", &names, values, pk, "", stamp, table};
  };
  auto prepared = [] {
    absl::StatusOr<core::expr::UpdateExpression> parsed =
        core::expr::UpdateExpression::Parse("SET n = n + :v");
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    PreparedUpdateMemo::Prepared p;
    p.tree = std::make_unique<core::expr::UpdateExpression>(std::move(*parsed));
    return p;
  };
  PreparedUpdateMemo memo;
  memo.Keep(request(&one, 7), prepared());
  EXPECT_NE(memo.Find(request(&one, 7)), nullptr);
  EXPECT_NE(memo.Find(request(&one, 0)), nullptr);  // compared
  EXPECT_EQ(memo.Find(request(&two, 0)), nullptr);
  EXPECT_EQ(memo.Find(request(&two, 8)), nullptr);
  EXPECT_EQ(memo.Find(request(&one, 7, "id")), nullptr);  // other key names
  // Equal contents under another stamp: found by comparing, and that stamp
  // stands for them from now on. (Builders with one stamp hold one request:
  // contents that differ under a known stamp cannot come from a builder.)
  EXPECT_NE(memo.Find(request(&one, 9)), nullptr);
  EXPECT_NE(memo.Find(request(&two, 9)), nullptr);

  // Other contents kept (with no stamp): the stamps seen before stand for
  // nothing, so the old contents under them are compared, and differ.
  memo.Keep(request(&two, 0), prepared());
  EXPECT_EQ(memo.Find(request(&one, 9)), nullptr);
  EXPECT_EQ(memo.Find(request(&one, 7)), nullptr);
  EXPECT_NE(memo.Find(request(&two, 0)), nullptr);
  // ... and kept with a stamp, that one stands for them.
  memo.Keep(request(&one, 11), prepared());
  EXPECT_EQ(memo.Find(request(&two, 9)), nullptr);
  EXPECT_NE(memo.Find(request(&two, 11)), nullptr);

  // Table stamps stand for key names the same way.
  memo.Keep(request(&one, 20, "pk", 1), prepared());
  EXPECT_NE(memo.Find(request(&one, 20, "pk", 1)), nullptr);
  EXPECT_EQ(memo.Find(request(&one, 20, "id", 2)), nullptr);
  EXPECT_NE(memo.Find(request(&one, 20, "pk", 3)), nullptr);  // compared
  EXPECT_NE(memo.Find(request(&one, 20, "id", 3)), nullptr);  // (see above)
  memo.Keep(request(&one, 20, "id", 2), prepared());
  EXPECT_EQ(memo.Find(request(&one, 20, "pk", 3)), nullptr);
  EXPECT_EQ(memo.Find(request(&one, 20, "pk", 1)), nullptr);
  EXPECT_NE(memo.Find(request(&one, 20, "id", 2)), nullptr);
}

// A builder's stamp changes with each setter, travels with a copy, and is
// renewed for a moved-from builder.
TEST(PreparedUpdateMemoUnitTest, UpdateStampsFollowTheContents) {
  kstone::Update u("SET n = n + :v");
  const uint64_t built = u.stamp();
  EXPECT_NE(built, 0u);
  u.Value(":v", Value::Number("1"));
  const uint64_t with_value = u.stamp();
  EXPECT_NE(with_value, built);
  u.Name("#n", "n");
  EXPECT_NE(u.stamp(), with_value);
  uint64_t last = u.stamp();
  u.Condition("attribute_exists(n)");
  EXPECT_NE(u.stamp(), last);
  last = u.stamp();
  u.ReturnValuesOnConditionCheckFailure(
      ReturnValuesOnConditionCheckFailure::kAllOld);
  EXPECT_NE(u.stamp(), last);
  last = u.stamp();
  u.ReturnValues(ReturnValues::kNone);
  EXPECT_NE(u.stamp(), last);
  last = u.stamp();

  kstone::Update copy = u;
  EXPECT_EQ(copy.stamp(), last);
  kstone::Update assigned("SET m = :v");
  EXPECT_NE(assigned.stamp(), last);
  assigned = u;
  EXPECT_EQ(assigned.stamp(), last);
  kstone::Update moved = std::move(copy);
  EXPECT_EQ(moved.stamp(), last);
  EXPECT_NE(copy.stamp(), last);  // NOLINT(bugprone-use-after-move)
  kstone::Update move_assigned("SET m = :v");
  move_assigned = std::move(assigned);
  EXPECT_EQ(move_assigned.stamp(), last);
  EXPECT_NE(assigned.stamp(), last);  // NOLINT(bugprone-use-after-move)
  EXPECT_NE(copy.stamp(), assigned.stamp());
  // Two builders of equal contents have their own stamps.
  EXPECT_NE(kstone::Update("SET n = :v").stamp(),
            kstone::Update("SET n = :v").stamp());
}

// One Update object changed between calls: each call behaves as the object
// is then, never as it was when the memo kept its preparation.
TEST_P(PreparedUpdateMemoTest, AnUpdateChangedBetweenCallsIsPreparedAgain) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  kstone::Update u = kstone::Update("SET #a = #a + :d")
                         .Name("#a", "n")
                         .Value(":d", Value::Number("1"))
                         .ReturnValues(ReturnValues::kNone);
  ASSERT_TRUE(db->Put(ItemBuilder()
                          .String("pk", "c")
                          .Number("n", 0)
                          .Number("m", 0)
                          .Build())
                  .ok());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(db->Update(Key("c"), u).ok());
  u.Value(":d", Value::Number("10"));  // another value
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(db->Update(Key("c"), u).ok());
  u.Name("#a", "m");  // another attribute
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(db->Update(Key("c"), u).ok());
  EXPECT_EQ(testing::StoredJson(*db, Key("c")),
            R"({"m":{"N":"20"},"n":{"N":"22"},"pk":{"S":"c"}})");
  // Another placeholder: :e is defined but not used.
  u.Value(":e", Value::Number("1"));
  absl::StatusOr<Item> r = db->Update(Key("c"), u);
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
  // Another expression, by assignment; then back.
  const kstone::Update before = u;
  u = kstone::Update("SET #a = #a + :d, m = :e")
          .Name("#a", "n")
          .Value(":d", Value::Number("100"))
          .Value(":e", Value::Number("1"))
          .ReturnValues(ReturnValues::kNone);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(db->Update(Key("c"), u).ok());
  r = db->Update(Key("c"), before);
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
  // A condition: no longer the memo's, and false here.
  u.Condition("n = :d");
  r = db->Update(Key("c"), u);
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kConditionalCheckFailed)
      << r.status();
  // Moved from, the object holds what it holds; moved to, the other one
  // does the same as u did.
  kstone::Update moved = std::move(u);
  ASSERT_TRUE(db->Update(Key("c"), moved.Condition("")).ok());
  EXPECT_EQ(testing::StoredJson(*db, Key("c")),
            R"({"m":{"N":"1"},"n":{"N":"322"},"pk":{"S":"c"}})");
}

TEST_P(PreparedUpdateMemoTest, RepeatedAndInterleavedUpdatesStayExact) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  const kstone::Update increment =
      kstone::Update("SET n = n + :one").Value(":one", Value::Number("1"));
  ASSERT_TRUE(
      db->Put(ItemBuilder().String("pk", "c").Number("n", 0).Build()).ok());
  for (int i = 0; i < 50; ++i) {
    // The same request, rebuilt or reused.
    kstone::Update fresh =
        kstone::Update("SET n = n + :one").Value(":one", Value::Number("1"));
    ASSERT_TRUE(db->Update(Key("c"), i % 2 == 0 ? increment : fresh).ok());
    if (i % 10 == 9) {
      ASSERT_TRUE(db->Flush().ok());
    }
  }
  EXPECT_EQ(testing::StoredJson(*db, Key("c")),
            R"({"n":{"N":"50"},"pk":{"S":"c"}})");

  // Same expression, other values; other expressions in between.
  ASSERT_TRUE(db->Update(Key("c"), kstone::Update("SET n = n + :one")
                                       .Value(":one", Value::Number("-20")))
                  .ok());
  ASSERT_TRUE(
      db->Update(Key("c"),
                 kstone::Update("SET m = :v").Value(":v", Value::String("x")))
          .ok());
  ASSERT_TRUE(db->Update(Key("c"), increment).ok());
  // A number written differently is another request.
  ASSERT_TRUE(db->Update(Key("c"), kstone::Update("SET n = n + :one")
                                       .Value(":one", Value::Number("1.0")))
                  .ok());
  EXPECT_EQ(testing::StoredJson(*db, Key("c")),
            R"({"m":{"S":"x"},"n":{"N":"32"},"pk":{"S":"c"}})");

  // Errors stay errors the second time, and what was kept before survives.
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<Item> r = db->Update(
        Key("c"),
        kstone::Update("SET m = m + :one").Value(":one", Value::Number("1")));
    EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
    r = db->Update(Key("c"), kstone::Update("SET n = n + :one")
                                 .Value(":one", Value::Number("1"))
                                 .Value(":unused", Value::Number("2")));
    EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
    r = db->Update(
        Key("c"),
        kstone::Update("SET pk = :one").Value(":one", Value::String("1")));
    EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
    ASSERT_TRUE(db->Update(Key("c"), increment).ok());
  }
  EXPECT_EQ(testing::StoredJson(*db, Key("c")),
            R"({"m":{"S":"x"},"n":{"N":"34"},"pk":{"S":"c"}})");

  // Sets are never kept, but work every time.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        db->Update(Key("c"), kstone::Update("ADD tags :t")
                                 .Value(":t", Value::StringSet({"b", "a"})))
            .ok());
  }
  EXPECT_EQ(testing::StoredJson(*db, Key("c")),
            R"({"m":{"S":"x"},"n":{"N":"34"},"pk":{"S":"c"},)"
            R"("tags":{"SS":["a","b"]}})");
}

// The same request against a table whose key it targets: preparation
// depends on the table's key names, so the memo of one table must not
// answer for the other.
TEST_P(PreparedUpdateMemoTest, KeyNamesAreSeparate) {
  absl::StatusOr<Database> by_id =
      disk() ? Database::CreateWithSchema(dir_.Sub("by_id"),
                                          TableSchema().PartitionKey("id"))
             : Database::CreateInMemoryWithSchema(
                   TableSchema().PartitionKey("id"));
  absl::StatusOr<Database> by_n =
      disk()
          ? Database::CreateWithSchema(dir_.Sub("by_n"),
                                       TableSchema().PartitionKey("n"))
          : Database::CreateInMemoryWithSchema(TableSchema().PartitionKey("n"));
  ASSERT_TRUE(by_id.ok() && by_n.ok());
  const kstone::Update set_n =
      kstone::Update("SET n = :v").Value(":v", Value::String("x"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(by_id->Update(Key("a"), set_n).ok());
    absl::StatusOr<Item> r = by_n->Update(Key("a"), set_n);
    EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
  }
  EXPECT_EQ(testing::StoredJson(*by_id, Key("a")),
            R"({"id":{"S":"a"},"n":{"S":"x"}})");
  EXPECT_EQ(testing::StoredJson(*by_n, Key("a")), "");
}

// Each thread keeps its own: concurrent counters lose no increment.
TEST_P(PreparedUpdateMemoTest, ThreadsKeepTheirOwn) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  constexpr int kThreads = 4;
  constexpr int kIncrements = 200;
  ASSERT_TRUE(
      db->Put(ItemBuilder().String("pk", "shared").Number("n", 0).Build())
          .ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Two counters per thread, alternating, and a shared one.
      const kstone::Update by_one =
          kstone::Update("SET n = n + :d").Value(":d", Value::Number("1"));
      const kstone::Update by_two =
          kstone::Update("SET n = n + :d").Value(":d", Value::Number("2"));
      for (int i = 0; i < kIncrements; ++i) {
        EXPECT_TRUE(db->Update(Key("t" + std::to_string(t)),
                               kstone::Update("SET n = if_not_exists(n, :z) "
                                              "+ :d")
                                   .Value(":z", Value::Number("0"))
                                   .Value(":d", Value::Number("1")))
                        .ok());
        EXPECT_TRUE(
            db->Update(Key("shared"), i % 2 == 0 ? by_one : by_two).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(testing::StoredJson(*db, Key("t" + std::to_string(t))),
              absl::StrCat(R"({"n":{"N":")", kIncrements, R"("},"pk":{"S":"t)",
                           t, R"("}})"));
  }
  // Each thread added 1 and 2 alternately.
  EXPECT_EQ(testing::StoredJson(*db, Key("shared")),
            absl::StrCat(R"({"n":{"N":")", kThreads * kIncrements / 2 * 3,
                         R"("},"pk":{"S":"shared"}})"));
}

KSTONE_INSTANTIATE_BACKENDS(PreparedUpdateMemoTest);

}  // namespace
}  // namespace kstone
