// The cheap write path (api/database_write.cc, api/expression_cache.h):
// actions that need no stored item are written without reading it, parsed
// expressions are reused across requests with other placeholders, the
// per-thread cache stays bounded, and an Update applied in place still
// returns the old item when asked. Both backends.

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/expression_cache.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;

Item Doc(const std::string& pk, int n) {
  return ItemBuilder().String("pk", pk).Number("n", n).Build();
}

class WritePathTest : public BackendTest {
 protected:
  void SetUp() override {
    absl::StatusOr<Database> db = CreateDb();
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(std::move(*db));
  }

  // The item at `pk`, or nullopt; fails the test on an error.
  std::optional<Item> Read(const std::string& pk) {
    absl::StatusOr<std::optional<Item>> got = db_->Get(Key(pk));
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::nullopt;
  }

  std::optional<Database> db_;
};

TEST_P(WritePathTest, TransactionOfPlainPutsReplacesExistingItems) {
  ASSERT_TRUE(db_->Put(ItemBuilder()
                           .String("pk", "a")
                           .Number("n", 1)
                           .String("old", "x")
                           .Build())
                  .ok());
  const TransactWriteResult r =
      db_->TransactWrite(TransactWrite().Put(Doc("a", 2)).Put(Doc("b", 3)));
  ASSERT_TRUE(r.ok()) << r.status;
  // Replaced whole (the attribute the new item lacks is gone), and created.
  EXPECT_EQ(Read("a"), std::optional<Item>(Doc("a", 2)));
  EXPECT_EQ(Read("b"), std::optional<Item>(Doc("b", 3)));
}

// A Put under a given key checks the item's key attributes against it
// (with or without a condition); a Put of an item takes its key from the
// item, so there is nothing to check.
TEST_P(WritePathTest, PutUnderAnotherKeyThanTheItemsIsRejected) {
  const Item b = ItemBuilder().String("pk", "b").Number("n", 1).Build();
  for (const PutOptions& options :
       {PutOptions(), PutOptions().Condition("attribute_not_exists(pk)")}) {
    absl::StatusOr<WriteResult> r = db_->Put(Key("a"), b, options);
    EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
    EXPECT_THAT(std::string(r.status().message()),
                ::testing::HasSubstr("differs from the key"));
  }
  absl::Status plain = db_->Put(Key("a"), b);
  EXPECT_EQ(ErrorCodeOf(plain), ErrorCode::kValidation) << plain;
  EXPECT_EQ(Read("a"), std::nullopt);
  EXPECT_EQ(Read("b"), std::nullopt);
  ASSERT_TRUE(db_->Put(b).ok());
  ASSERT_TRUE(db_->Put(ItemBuilder().String("pk", "c").Build(),
                       PutOptions().Condition("attribute_not_exists(pk)"))
                  .ok());
  EXPECT_EQ(Read("b"), std::optional<Item>(b));
  EXPECT_TRUE(Read("c").has_value());
}

TEST_P(WritePathTest, TransactionOfPlainDeletes) {
  ASSERT_TRUE(db_->Put(Doc("a", 1)).ok());
  const TransactWriteResult r = db_->TransactWrite(
      TransactWrite().Delete(Key("a")).Delete(Key("missing")).Put(Doc("c", 3)));
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_EQ(Read("a"), std::nullopt);
  EXPECT_EQ(Read("missing"), std::nullopt);
  EXPECT_EQ(Read("c"), std::optional<Item>(Doc("c", 3)));
  // A later conditional write sees the deletes.
  absl::StatusOr<WriteResult> w =
      db_->Put(Doc("a", 5), PutOptions().Condition("attribute_not_exists(pk)"));
  EXPECT_TRUE(w.ok()) << w.status();
}

TEST_P(WritePathTest, PlainPutWithReturnValuesStillReadsTheOldItem) {
  ASSERT_TRUE(db_->Put(Doc("a", 1)).ok());
  absl::StatusOr<WriteResult> w =
      db_->Put(Doc("a", 2), PutOptions().ReturnValues(ReturnValues::kAllOld));
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(w->attributes.has_value());
  EXPECT_EQ(*w->attributes, Doc("a", 1));
  w = db_->Delete(Key("a"),
                  DeleteOptions().ReturnValues(ReturnValues::kAllOld));
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE(w->attributes.has_value());
  EXPECT_EQ(*w->attributes, Doc("a", 2));
  EXPECT_EQ(Read("a"), std::nullopt);
}

TEST_P(WritePathTest, ReusedExpressionTakesEachRequestsPlaceholders) {
  ASSERT_TRUE(db_->Put(Doc("a", 10)).ok());
  // One update text, other values: 10 + 1, then + 5, then - 3.
  for (int add : {1, 5, -3}) {
    absl::StatusOr<Item> u =
        db_->Update(Key("a"), Update("SET n = n + :d")
                                  .Value(":d", Value::Number(add))
                                  .ReturnValues(ReturnValues::kNone));
    ASSERT_TRUE(u.ok()) << u.status();
  }
  EXPECT_EQ(Read("a"), std::optional<Item>(Doc("a", 13)));
  // One condition text, a true then a false value.
  const std::string cond = "n = :want";
  absl::StatusOr<WriteResult> w =
      db_->Put(Doc("a", 20),
               PutOptions().Condition(cond).Value(":want", Value::Number(13)));
  EXPECT_TRUE(w.ok()) << w.status();
  w = db_->Put(Doc("a", 30),
               PutOptions().Condition(cond).Value(":want", Value::Number(13)));
  EXPECT_EQ(ErrorCodeOf(w.status()), ErrorCode::kConditionalCheckFailed);
  EXPECT_EQ(Read("a"), std::optional<Item>(Doc("a", 20)));
  // One text, the #name bound to another attribute each time.
  ASSERT_TRUE(db_->Put(ItemBuilder()
                           .String("pk", "b")
                           .Number("x", 1)
                           .Number("y", 2)
                           .Build())
                  .ok());
  for (const char* attr : {"x", "y", "z"}) {
    absl::StatusOr<Item> u =
        db_->Update(Key("b"), Update("SET #t = :v")
                                  .Condition("attribute_exists(#t)")
                                  .Name("#t", attr)
                                  .Value(":v", Value::Number(7)));
    if (std::string(attr) == "z") {
      EXPECT_EQ(ErrorCodeOf(u.status()), ErrorCode::kConditionalCheckFailed);
    } else {
      EXPECT_TRUE(u.ok()) << attr << ": " << u.status();
    }
  }
  EXPECT_EQ(Read("b"), std::optional<Item>(ItemBuilder()
                                               .String("pk", "b")
                                               .Number("x", 7)
                                               .Number("y", 7)
                                               .Build()));
  // A request that fails to resolve (undefined placeholder) does not spoil
  // the cached tree for the next one.
  absl::StatusOr<Item> bad = db_->Update(Key("a"), Update("SET n = n + :d"));
  EXPECT_EQ(ErrorCodeOf(bad.status()), ErrorCode::kValidation);
  absl::StatusOr<Item> good = db_->Update(
      Key("a"), Update("SET n = n + :d").Value(":d", Value::Number(2)));
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(*good, Doc("a", 22));
}

TEST_P(WritePathTest, OneTextTwiceInATransactionKeepsBothBindings) {
  ASSERT_TRUE(db_->Put(Doc("a", 1)).ok());
  ASSERT_TRUE(db_->Put(Doc("b", 2)).ok());
  auto check = [](int want) {
    return ConditionCheck("n = :v").Value(":v", Value::Number(want));
  };
  TransactWriteResult r = db_->TransactWrite(
      TransactWrite()
          .ConditionCheck(Key("a"), check(1))
          .ConditionCheck(Key("b"), check(2))
          .Update(Key("c"),
                  Update("SET n = :v").Value(":v", Value::Number(3))));
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_EQ(Read("c"), std::optional<Item>(Doc("c", 3)));
  // Swapped values: both checks fail, each with its own reason.
  r = db_->TransactWrite(TransactWrite()
                             .ConditionCheck(Key("a"), check(2))
                             .ConditionCheck(Key("b"), check(2))
                             .ConditionCheck(Key("c"), check(1)));
  ASSERT_EQ(ErrorCodeOf(r.status), ErrorCode::kTransactionCanceled);
  ASSERT_EQ(r.cancellation_reasons.size(), 3u);
  EXPECT_EQ(r.cancellation_reasons[0].code,
            CancellationCode::kConditionalCheckFailed);
  EXPECT_EQ(r.cancellation_reasons[1].code, CancellationCode::kNone);
  EXPECT_EQ(r.cancellation_reasons[2].code,
            CancellationCode::kConditionalCheckFailed);
}

TEST_P(WritePathTest, UpdateInPlaceStillReturnsOldValues) {
  ASSERT_TRUE(db_->Put(ItemBuilder()
                           .String("pk", "a")
                           .Number("n", 1)
                           .String("s", "keep")
                           .Build())
                  .ok());
  absl::StatusOr<Item> u =
      db_->Update(Key("a"), Update("SET n = n + :one REMOVE s")
                                .Value(":one", Value::Number(1))
                                .ReturnValues(ReturnValues::kAllOld));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(*u, ItemBuilder()
                    .String("pk", "a")
                    .Number("n", 1)
                    .String("s", "keep")
                    .Build());
  u = db_->Update(Key("a"), Update("SET n = n + :one")
                                .Value(":one", Value::Number(1))
                                .ReturnValues(ReturnValues::kUpdatedOld));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(*u, ItemBuilder().Number("n", 2).Build());
  u = db_->Update(Key("a"), Update("SET n = n + :one")
                                .Value(":one", Value::Number(1))
                                .ReturnValues(ReturnValues::kUpdatedNew));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(*u, ItemBuilder().Number("n", 4).Build());
  // A failed Update (the item would exceed 400 KB) changes nothing.
  u = db_->Update(Key("a"),
                  Update("SET big = :b")
                      .Value(":b", Value::String(std::string(410000, 'x'))));
  EXPECT_EQ(ErrorCodeOf(u.status()), ErrorCode::kValidation);
  EXPECT_EQ(Read("a"),
            std::optional<Item>(
                ItemBuilder().String("pk", "a").Number("n", 4).Build()));
}

TEST_P(WritePathTest, KeyOnlyConditionStillReturnsTheWholeOldItem) {
  const Item stored = ItemBuilder()
                          .String("pk", "a")
                          .Number("n", 1)
                          .String("other", "kept")
                          .Build();
  ASSERT_TRUE(db_->Put(stored).ok());
  using OnFailure = ReturnValuesOnConditionCheckFailure;
  absl::StatusOr<WriteResult> w =
      db_->Put(Doc("a", 2),
               PutOptions()
                   .Condition("attribute_not_exists(pk)")
                   .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld));
  EXPECT_EQ(ErrorCodeOf(w.status()), ErrorCode::kConditionalCheckFailed);
  EXPECT_EQ(ConditionCheckFailureItem(w.status()), std::optional<Item>(stored));
  const TransactWriteResult r = db_->TransactWrite(TransactWrite().Put(
      Doc("a", 3),
      PutOptions()
          .Condition("attribute_not_exists(pk)")
          .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld)));
  ASSERT_EQ(ErrorCodeOf(r.status), ErrorCode::kTransactionCanceled);
  ASSERT_EQ(r.cancellation_reasons.size(), 1u);
  EXPECT_EQ(r.cancellation_reasons[0].item, std::optional<Item>(stored));
  // With ReturnValues ALL_OLD the old item is whole too.
  w = db_->Put(Doc("a", 4), PutOptions()
                                .Condition("attribute_exists(pk)")
                                .ReturnValues(ReturnValues::kAllOld));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->attributes, std::optional<Item>(stored));
  // A key condition that is true on the key alone.
  w = db_->Put(Doc("a", 5), PutOptions().Condition("pk = :a").Value(
                                ":a", Value::String("a")));
  EXPECT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(Read("a"), std::optional<Item>(Doc("a", 5)));
}

KSTONE_INSTANTIATE_BACKENDS(WritePathTest);

// The cache itself (per thread; these run on the test's thread).

TEST(ExpressionCacheTest, ReusesTreesAndForgetsParseErrors) {
  ClearExpressionCacheForTesting();
  {
    absl::StatusOr<CachedCondition> a = ParseConditionCached("x = :v");
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(CachedExpressionTextsForTesting(), 1u);
    EXPECT_EQ(CachedExpressionTreesForTesting(), 0u);  // checked out
    // A second user of the text gets its own tree.
    absl::StatusOr<CachedCondition> b = ParseConditionCached("x = :v");
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_NE(a->get(), b->get());
  }
  EXPECT_EQ(CachedExpressionTreesForTesting(), 2u);
  const void* reused = nullptr;
  {
    absl::StatusOr<CachedCondition> c = ParseConditionCached("x = :v");
    ASSERT_TRUE(c.ok());
    reused = c->get();
    EXPECT_EQ(CachedExpressionTreesForTesting(), 1u);
  }
  {
    absl::StatusOr<CachedCondition> d = ParseConditionCached("x = :v");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->get(), reused);  // the last one returned, first out
  }
  // Conditions and updates of one text are different entries.
  {
    absl::StatusOr<CachedUpdate> u = ParseUpdateCached("SET x = :v");
    ASSERT_TRUE(u.ok()) << u.status();
  }
  EXPECT_EQ(CachedExpressionTextsForTesting(), 2u);
  // Syntax errors are reported every time and not remembered.
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<CachedCondition> bad = ParseConditionCached("x = = :v");
    EXPECT_FALSE(bad.ok());
    absl::StatusOr<CachedUpdate> bad_update = ParseUpdateCached("SET");
    EXPECT_FALSE(bad_update.ok());
  }
  EXPECT_EQ(CachedExpressionTextsForTesting(), 2u);
  ClearExpressionCacheForTesting();
}

TEST(ExpressionCacheTest, IsBounded) {
  ClearExpressionCacheForTesting();
  for (int i = 0; i < 3 * static_cast<int>(kMaxCachedTexts); ++i) {
    const std::string text = "attribute_exists(a" + std::to_string(i) + ")";
    absl::StatusOr<CachedCondition> c = ParseConditionCached(text);
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_LE(CachedExpressionTextsForTesting(), kMaxCachedTexts);
  }
  EXPECT_EQ(CachedExpressionTextsForTesting(), kMaxCachedTexts);
  // Many trees of one text out at once: at most kMaxCachedTrees come back.
  {
    std::vector<CachedCondition> out;
    for (size_t i = 0; i < kMaxCachedTrees + 10; ++i) {
      absl::StatusOr<CachedCondition> c = ParseConditionCached("n = :v");
      ASSERT_TRUE(c.ok()) << c.status();
      out.push_back(std::move(*c));
    }
  }
  EXPECT_EQ(CachedExpressionTreesForTesting(), kMaxCachedTrees);
  // Texts longer than kMaxCachedTextBytes (DynamoDB's limit, which the
  // parser enforces) are never kept.
  ClearExpressionCacheForTesting();
  std::string long_text = "a = :v";
  while (long_text.size() <= kMaxCachedTextBytes) long_text += " OR a = :v";
  EXPECT_FALSE(ParseConditionCached(long_text).ok());
  EXPECT_EQ(CachedExpressionTextsForTesting(), 0u);
  EXPECT_EQ(CachedExpressionTreesForTesting(), 0u);
  ClearExpressionCacheForTesting();
}

TEST(ExpressionCacheTest, TheLastTextIsFoundAgainAcrossOthersAndEvictions) {
  ClearExpressionCacheForTesting();
  const void* first = nullptr;
  {
    absl::StatusOr<CachedCondition> a = ParseConditionCached("a = :v");
    ASSERT_TRUE(a.ok());
    first = a->get();
  }
  { ASSERT_TRUE(ParseConditionCached("b = :v").ok()); }
  {
    // Not the last text any more: found through the map, same tree.
    absl::StatusOr<CachedCondition> a = ParseConditionCached("a = :v");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->get(), first);
  }
  // Each new text may evict the one taken just before (the remembered
  // one); taking it again must still give a tree of its own text.
  for (int i = 0; i < 3 * static_cast<int>(kMaxCachedTexts); ++i) {
    const std::string text = "attribute_exists(a" + std::to_string(i) + ")";
    const void* tree = nullptr;
    {
      absl::StatusOr<CachedCondition> c = ParseConditionCached(text);
      ASSERT_TRUE(c.ok()) << c.status();
      tree = c->get();
    }
    absl::StatusOr<CachedCondition> again = ParseConditionCached(text);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->get(), tree) << text;
    ASSERT_TRUE((*again)->Resolve({}).ok());
    core::Item item;
    item.Set("a" + std::to_string(i), core::Value::Bool(true));
    EXPECT_TRUE((*again)->Evaluate(&item)) << text;
    EXPECT_FALSE((*again)->Evaluate(nullptr)) << text;
    ASSERT_LE(CachedExpressionTextsForTesting(), kMaxCachedTexts);
  }
  ClearExpressionCacheForTesting();
  {
    // After a clear nothing is remembered.
    absl::StatusOr<CachedCondition> a = ParseConditionCached("a = :v");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(CachedExpressionTextsForTesting(), 1u);
  }
  ClearExpressionCacheForTesting();
}

TEST(ExpressionCacheTest, EachThreadHasItsOwn) {
  ClearExpressionCacheForTesting();
  { ASSERT_TRUE(ParseConditionCached("a = :v").ok()); }
  size_t other_texts = 99;
  std::thread t([&] {
    { ASSERT_TRUE(ParseConditionCached("b = :v").ok()); }
    { ASSERT_TRUE(ParseConditionCached("c = :v").ok()); }
    other_texts = CachedExpressionTextsForTesting();
  });
  t.join();
  EXPECT_EQ(other_texts, 2u);
  EXPECT_EQ(CachedExpressionTextsForTesting(), 1u);
  ClearExpressionCacheForTesting();
}

}  // namespace
}  // namespace kstone
