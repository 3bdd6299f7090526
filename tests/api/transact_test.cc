// ReturnValuesOnConditionCheckFailure (transactions and single writes) and
// client request tokens (length, replay, mismatch, expiry by age and count,
// concurrent repeats), on both backends.

#include <atomic>
#include <chrono>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/database_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using OnFailure = ReturnValuesOnConditionCheckFailure;

Item Doc(const std::string& pk, int n) {
  return ItemBuilder().String("pk", pk).Number("n", n).Build();
}

std::string NumberOf(Database& db, const std::string& pk) {
  absl::StatusOr<std::optional<Item>> got = db.Get(Key(pk));
  if (!got.ok()) return got.status().ToString();
  if (!got->has_value()) return "<absent>";
  const Value* v = (*got)->Get("n");
  return v == nullptr ? "<missing>" : std::string(v->AsNumber());
}

class TransactTest : public BackendTest {
 protected:
  void SetUp() override {
    absl::StatusOr<Database> db = CreateDb();
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(std::move(*db));
  }

  TransactWrite Increment(const std::string& pk, const std::string& token) {
    return TransactWrite()
        .Update(Key(pk), Update("ADD n :one").Value(":one", Value::Number(1)))
        .ClientRequestToken(token);
  }

  std::optional<Database> db_;
};

TEST_P(TransactTest, CancellationReasonsCarryTheOldItem) {
  ASSERT_TRUE(db_->Put(Doc("a", 1)).ok());
  ASSERT_TRUE(db_->Put(Doc("d", 4)).ok());
  const TransactWriteResult r = db_->TransactWrite(
      TransactWrite()
          .Put(Doc("b", 2),
               PutOptions()
                   .Condition("attribute_not_exists(pk)")
                   .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld))
          .Update(Key("a"),
                  Update("SET n = :two")
                      .Condition("n = :five")
                      .Value(":two", Value::Number(2))
                      .Value(":five", Value::Number(5))
                      .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld))
          .ConditionCheck(Key("c"), ConditionCheck("attribute_exists(pk)")
                                        .ReturnValuesOnConditionCheckFailure(
                                            OnFailure::kAllOld))
          .Delete(Key("d"), DeleteOptions().Condition("n = :z").Value(
                                ":z", Value::Number(0))));
  ASSERT_EQ(ErrorCodeOf(r.status), ErrorCode::kTransactionCanceled) << r.status;
  ASSERT_EQ(r.cancellation_reasons.size(), 4u);
  // Put: its condition held.
  EXPECT_EQ(r.cancellation_reasons[0].code, CancellationCode::kNone);
  EXPECT_FALSE(r.cancellation_reasons[0].item.has_value());
  // Update: failed, ALL_OLD, the item exists.
  EXPECT_EQ(r.cancellation_reasons[1].code,
            CancellationCode::kConditionalCheckFailed);
  ASSERT_TRUE(r.cancellation_reasons[1].item.has_value());
  EXPECT_EQ(*r.cancellation_reasons[1].item, Doc("a", 1));
  // ConditionCheck: failed, ALL_OLD, no item.
  EXPECT_EQ(r.cancellation_reasons[2].code,
            CancellationCode::kConditionalCheckFailed);
  EXPECT_FALSE(r.cancellation_reasons[2].item.has_value());
  // Delete: failed, NONE.
  EXPECT_EQ(r.cancellation_reasons[3].code,
            CancellationCode::kConditionalCheckFailed);
  EXPECT_FALSE(r.cancellation_reasons[3].item.has_value());
  // Nothing was written.
  EXPECT_EQ(NumberOf(*db_, "a"), "1");
  EXPECT_EQ(NumberOf(*db_, "b"), "<absent>");
  EXPECT_EQ(NumberOf(*db_, "d"), "4");
}

TEST_P(TransactTest, SingleWritesCarryTheOldItem) {
  ASSERT_TRUE(db_->Put(Doc("a", 1)).ok());
  const PutOptions put_all_old =
      PutOptions()
          .Condition("attribute_not_exists(pk)")
          .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld);
  absl::StatusOr<WriteResult> w = db_->Put(Doc("a", 9), put_all_old);
  EXPECT_EQ(ErrorCodeOf(w.status()), ErrorCode::kConditionalCheckFailed);
  std::optional<Item> old = ConditionCheckFailureItem(w.status());
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(*old, Doc("a", 1));
  // NONE (the default): no item.
  w = db_->Put(Doc("a", 9), PutOptions().Condition("attribute_not_exists(pk)"));
  EXPECT_EQ(ErrorCodeOf(w.status()), ErrorCode::kConditionalCheckFailed);
  EXPECT_FALSE(ConditionCheckFailureItem(w.status()).has_value());
  // The condition holds: the write happens and returns nothing extra.
  w = db_->Put(Doc("b", 2), put_all_old);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_FALSE(w->attributes.has_value());
  // Delete of a missing item whose condition fails: no item.
  w = db_->Delete(Key("zz"),
                  DeleteOptions()
                      .Condition("attribute_exists(pk)")
                      .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld));
  EXPECT_EQ(ErrorCodeOf(w.status()), ErrorCode::kConditionalCheckFailed);
  EXPECT_FALSE(ConditionCheckFailureItem(w.status()).has_value());
  // Delete and Update of an existing item.
  w = db_->Delete(Key("b"),
                  DeleteOptions()
                      .Condition("n = :x")
                      .Value(":x", Value::Number(7))
                      .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld));
  old = ConditionCheckFailureItem(w.status());
  ASSERT_TRUE(old.has_value()) << w.status();
  EXPECT_EQ(*old, Doc("b", 2));
  absl::StatusOr<Item> u = db_->Update(
      Key("a"), Update("SET n = n + :x")
                    .Condition("n > :x")
                    .Value(":x", Value::Number(5))
                    .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld));
  EXPECT_EQ(ErrorCodeOf(u.status()), ErrorCode::kConditionalCheckFailed);
  old = ConditionCheckFailureItem(u.status());
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(*old, Doc("a", 1));
  EXPECT_EQ(NumberOf(*db_, "a"), "1");
  // Other statuses carry nothing.
  EXPECT_FALSE(ConditionCheckFailureItem(absl::OkStatus()).has_value());
  EXPECT_FALSE(
      ConditionCheckFailureItem(absl::InvalidArgumentError("x")).has_value());
  EXPECT_EQ(ReturnValuesOnConditionCheckFailureName(OnFailure::kAllOld),
            "ALL_OLD");
  EXPECT_EQ(ReturnValuesOnConditionCheckFailureName(OnFailure::kNone), "NONE");
}

TEST_P(TransactTest, TokenLength) {
  auto code = [&](const std::string& token) {
    return ErrorCodeOf(db_->TransactWrite(Increment("a", token)).status);
  };
  EXPECT_EQ(code(""), ErrorCode::kValidation);
  EXPECT_EQ(code(std::string(37, 't')), ErrorCode::kValidation);
  EXPECT_EQ(code(std::string(36, 't')), ErrorCode::kOk);
  EXPECT_EQ(code("1"), ErrorCode::kOk);
  // Characters, not bytes: 36 two-byte characters are allowed.
  std::string e_acute;
  for (int i = 0; i < 36; ++i) e_acute += "\xc3\xa9";
  EXPECT_EQ(code(e_acute), ErrorCode::kOk);
  EXPECT_EQ(code(e_acute + "\xc3\xa9"), ErrorCode::kValidation);
  EXPECT_EQ(NumberOf(*db_, "a"), "3");
  // Without a token every request applies.
  ASSERT_TRUE(
      db_
          ->TransactWrite(TransactWrite().Update(
              Key("a"), Update("ADD n :one").Value(":one", Value::Number(1))))
          .ok());
  EXPECT_EQ(NumberOf(*db_, "a"), "4");
}

TEST_P(TransactTest, ReplayAndMismatch) {
  ASSERT_TRUE(db_->TransactWrite(Increment("a", "tok")).ok());
  ASSERT_TRUE(db_->TransactWrite(Increment("a", "tok")).ok());
  EXPECT_EQ(NumberOf(*db_, "a"), "1");
  // The same token with other parameters.
  TransactWriteResult r = db_->TransactWrite(Increment("b", "tok"));
  EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kIdempotentParameterMismatch);
  EXPECT_EQ(ErrorCodeName(ErrorCodeOf(r.status)),
            "IDEMPOTENT_PARAMETER_MISMATCH");
  EXPECT_THAT(std::string(r.status.message()), HasSubstr("ClientRequestToken"));
  // Another ReturnValuesOnConditionCheckFailure is another request too.
  r = db_->TransactWrite(
      TransactWrite()
          .Update(Key("a"),
                  Update("ADD n :one")
                      .Value(":one", Value::Number(1))
                      .ReturnValuesOnConditionCheckFailure(OnFailure::kAllOld))
          .ClientRequestToken("tok"));
  EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kIdempotentParameterMismatch);
  EXPECT_EQ(NumberOf(*db_, "a"), "1");
  EXPECT_EQ(NumberOf(*db_, "b"), "<absent>");
  // A cancelled request does not keep its token.
  TransactWrite guarded =
      TransactWrite()
          .Update(Key("c"), Update("ADD n :one")
                                .Condition("attribute_exists(pk)")
                                .Value(":one", Value::Number(1)))
          .ClientRequestToken("tok-c");
  EXPECT_EQ(ErrorCodeOf(db_->TransactWrite(guarded).status),
            ErrorCode::kTransactionCanceled);
  ASSERT_TRUE(db_->Put(Doc("c", 0)).ok());
  ASSERT_TRUE(db_->TransactWrite(guarded).ok());
  ASSERT_TRUE(db_->TransactWrite(guarded).ok());
  EXPECT_EQ(NumberOf(*db_, "c"), "1");
}

TEST_P(TransactTest, TokensExpireAfterTenMinutes) {
  std::atomic<int64_t> seconds{0};
  const Clock::time_point base = Clock::now();
  DatabaseTesting::SetTokenClock(
      *db_, [&] { return base + std::chrono::seconds(seconds.load()); });
  ASSERT_TRUE(db_->TransactWrite(Increment("a", "tok")).ok());
  seconds = kIdempotencyWindowSeconds - 1;
  ASSERT_TRUE(db_->TransactWrite(Increment("a", "tok")).ok());
  EXPECT_EQ(NumberOf(*db_, "a"), "1");
  EXPECT_EQ(ErrorCodeOf(db_->TransactWrite(Increment("b", "tok")).status),
            ErrorCode::kIdempotentParameterMismatch);
  EXPECT_EQ(DatabaseTesting::RememberedTokens(*db_), 1u);
  // Ten minutes after its success the token is forgotten: the request
  // applies again, and so would another one.
  seconds = kIdempotencyWindowSeconds;
  ASSERT_TRUE(db_->TransactWrite(Increment("a", "tok")).ok());
  EXPECT_EQ(NumberOf(*db_, "a"), "2");
  seconds = 2 * kIdempotencyWindowSeconds;
  ASSERT_TRUE(db_->TransactWrite(Increment("b", "tok")).ok());
  EXPECT_EQ(NumberOf(*db_, "b"), "1");
  // Old tokens go even if never asked about again.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(
        db_->TransactWrite(Increment("x", "t" + std::to_string(i))).ok());
  }
  EXPECT_EQ(DatabaseTesting::RememberedTokens(*db_), 11u);
  seconds = 4 * kIdempotencyWindowSeconds;
  ASSERT_TRUE(db_->TransactWrite(Increment("y", "last")).ok());
  EXPECT_EQ(DatabaseTesting::RememberedTokens(*db_), 1u);
}

TEST_P(TransactTest, TokensAreBoundedInNumber) {
  DatabaseTesting::SetTokenCapacity(*db_, 3);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(
        db_->TransactWrite(Increment("a", "t" + std::to_string(i))).ok());
    EXPECT_LE(DatabaseTesting::RememberedTokens(*db_), 3u);
  }
  EXPECT_EQ(NumberOf(*db_, "a"), "5");
  // t5 is remembered (a replay), t1 was forgotten (applies again).
  ASSERT_TRUE(db_->TransactWrite(Increment("a", "t5")).ok());
  EXPECT_EQ(NumberOf(*db_, "a"), "5");
  ASSERT_TRUE(db_->TransactWrite(Increment("a", "t1")).ok());
  EXPECT_EQ(NumberOf(*db_, "a"), "6");
  EXPECT_EQ(DatabaseTesting::RememberedTokens(*db_), 3u);
}

TEST_P(TransactTest, ConcurrentRepeatsApplyOnce) {
  constexpr int kRounds = 40;
  constexpr int kThreads = 3;
  for (int round = 0; round < kRounds; ++round) {
    const std::string token = "round-" + std::to_string(round);
    std::latch start(kThreads);
    std::vector<absl::Status> results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        results[t] = db_->TransactWrite(Increment("n", token)).status;
      });
    }
    for (std::thread& t : threads) t.join();
    for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
    ASSERT_EQ(NumberOf(*db_, "n"), std::to_string(round + 1))
        << "round " << round;
  }
}

// A transaction's Update without a condition takes the fast path of a single
// Update (the stored bytes patched) where it applies: the same stored items
// and, where the update cannot apply, the same error as a single Update on
// the general path (UPDATED_OLD), as a ValidationError that writes nothing
// (the Put beside it included). Items in the memtable, in a flushed table,
// deleted, missing, and near the size limit.
TEST_P(TransactTest, UpdatesMatchTheGeneralPath) {
  const Item base = ItemBuilder().Number("n", 5).String("s", "x").Build();
  auto put = [&](const std::string& pk, const Item& item) {
    Item with_key = item;
    with_key.Set("pk", Value::String(pk));
    ASSERT_TRUE(db_->Put(with_key).ok());
  };
  const Item big = ItemBuilder()
                       .Number("n", 1)
                       .String("s", std::string(409600 - 1000, 'b'))
                       .Build();
  for (const char* way : {"tx", "sg"}) {
    for (const char* prefix : {"tab", "del"})
      put(prefix + std::string(way), base);
    ASSERT_TRUE(db_->Delete(Key(std::string("del") + way)).ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  for (const char* way : {"tx", "sg"}) {
    put(std::string("mem") + way, base);
    put(std::string("big") + way, big);
  }

  const std::vector<kstone::Update> updates = {
      Update("SET n = n + :one").Value(":one", Value::Number("1")),
      Update("SET t = :v, n = n - :one, u = s")
          .Value(":one", Value::Number("1"))
          .Value(":v", Value::String("new")),
      Update("SET #a = :v").Name("#a", "a").Value(":v", Value::Number("7")),
      Update("SET n = n + :big").Value(":big", Value::Number("1e30")),
      Update("SET s = s + :one").Value(":one", Value::Number("1")),
      Update("SET q = nothere"),
      Update("SET w = :w").Value(":w", Value::String(std::string(2000, 'w'))),
  };
  int fresh = 0;
  for (const std::string prefix : {"mem", "tab", "del", "none", "big"}) {
    for (size_t i = 0; i < updates.size(); ++i) {
      SCOPED_TRACE(prefix + " update " + std::to_string(i));
      const std::string tx_key = prefix + "tx";
      const std::string single_key = prefix + "sg";  // as long as tx_key
      const std::string put_key = "fresh" + std::to_string(fresh++);
      const TransactWriteResult r = db_->TransactWrite(
          TransactWrite()
              .Put(ItemBuilder().String("pk", put_key).Number("n", 0).Build())
              .Update(Key(tx_key), updates[i]));
      kstone::Update single = updates[i];
      single.ReturnValues(ReturnValues::kUpdatedOld);
      const absl::StatusOr<Item> b = db_->Update(Key(single_key), single);
      ASSERT_EQ(r.ok(), b.ok()) << r.status << " / " << b.status();
      if (r.ok()) {
        EXPECT_EQ(NumberOf(*db_, put_key), "0");
      } else {
        EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kTransactionCanceled);
        ASSERT_EQ(r.cancellation_reasons.size(), 2u);
        EXPECT_EQ(r.cancellation_reasons[0].code, CancellationCode::kNone);
        EXPECT_EQ(r.cancellation_reasons[1].code,
                  CancellationCode::kValidationError);
        EXPECT_EQ(r.cancellation_reasons[1].message,
                  std::string(b.status().message()));
        EXPECT_EQ(NumberOf(*db_, put_key), "<absent>");
      }
      absl::StatusOr<std::optional<Item>> got_tx = db_->Get(Key(tx_key));
      absl::StatusOr<std::optional<Item>> got_single =
          db_->Get(Key(single_key));
      ASSERT_TRUE(got_tx.ok() && got_single.ok());
      ASSERT_EQ(got_tx->has_value(), got_single->has_value());
      if (!got_tx->has_value()) continue;
      Item t = **got_tx;
      Item s = **got_single;
      t.Remove("pk");
      s.Remove("pk");
      EXPECT_EQ(t.ToDynamoJson(), s.ToDynamoJson());
    }
  }
}

// Two actions on one item are found at every size (pairs compared up to 16
// actions, a set beyond), wherever they are, also when one takes its key
// from a Put's item; nothing is written. Distinct keys at those sizes apply.
TEST_P(TransactTest, DuplicateItemsAtEverySize) {
  for (const size_t n : {2, 3, 16, 17, 100}) {
    for (const auto& [first, second] : std::vector<std::pair<size_t, size_t>>{
             {0, 1}, {0, n - 1}, {n - 2, n - 1}, {n / 2, n - 1}}) {
      SCOPED_TRACE(std::to_string(n) + " actions, " + std::to_string(first) +
                   " = " + std::to_string(second));
      if (first == second) continue;  // n / 2 of 2
      TransactWrite tx;
      for (size_t i = 0; i < n; ++i) {
        const std::string pk = "d" + std::to_string(n) + "_" +
                               std::to_string(i == second ? first : i);
        if (i % 2 == 0) {
          tx.Put(Doc(pk, static_cast<int>(i)));
        } else {
          tx.Update(Key(pk),
                    Update("SET n = :v").Value(":v", Value::Number(1)));
        }
      }
      const TransactWriteResult r = db_->TransactWrite(tx);
      EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kValidation) << r.status;
      EXPECT_THAT(std::string(r.status.message()),
                  HasSubstr("multiple operations on one item"));
      EXPECT_TRUE(r.cancellation_reasons.empty());
      EXPECT_EQ(
          NumberOf(*db_, "d" + std::to_string(n) + "_" + std::to_string(first)),
          "<absent>");
    }
    TransactWrite distinct;
    for (size_t i = 0; i < n; ++i) {
      distinct.Put(Doc("u" + std::to_string(n) + "_" + std::to_string(i), 7));
    }
    const TransactWriteResult r = db_->TransactWrite(distinct);
    EXPECT_TRUE(r.ok()) << n << ": " << r.status;
    EXPECT_EQ(
        NumberOf(*db_, "u" + std::to_string(n) + "_" + std::to_string(n - 1)),
        "7");
  }
}

// Transactions and single Updates on one thread share the thread's last
// prepared Update (PreparedUpdateMemo): only an equal Update (expression,
// placeholders) reuses it, several equal Updates in one transaction all
// apply, and a cancelled transaction or a request with other placeholders
// changes nothing that follows.
TEST_P(TransactTest, UpdatesShareTheThreadsPreparation) {
  for (const char* pk : {"a", "b", "c"}) ASSERT_TRUE(db_->Put(Doc(pk, 0)).ok());
  auto add = [](int v) {
    return Update("SET n = n + :one").Value(":one", Value::Number(v));
  };
  ASSERT_TRUE(db_->Update(Key("a"), add(1)).ok());  // the memo holds add(1)
  EXPECT_EQ(NumberOf(*db_, "a"), "1");
  TransactWriteResult r = db_->TransactWrite(TransactWrite()
                                                 .Update(Key("a"), add(1))
                                                 .Put(Doc("p", 9))
                                                 .Update(Key("b"), add(1))
                                                 .Update(Key("c"), add(1)));
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_EQ(NumberOf(*db_, "a"), "2");
  EXPECT_EQ(NumberOf(*db_, "b"), "1");
  EXPECT_EQ(NumberOf(*db_, "c"), "1");
  // Another value: prepared anew, never the memo's.
  r = db_->TransactWrite(TransactWrite().Update(Key("a"), add(5)));
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_EQ(NumberOf(*db_, "a"), "7");
  ASSERT_TRUE(db_->Update(Key("a"), add(1)).ok());
  EXPECT_EQ(NumberOf(*db_, "a"), "8");
  // A cancelled transaction writes nothing; the next one applies.
  r = db_->TransactWrite(
      TransactWrite()
          .Update(Key("a"), add(1))
          .ConditionCheck(Key("b"), ConditionCheck("n = :z").Value(
                                        ":z", Value::Number(100))));
  EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kTransactionCanceled);
  EXPECT_EQ(NumberOf(*db_, "a"), "8");
  r = db_->TransactWrite(TransactWrite().Update(Key("a"), add(1)));
  ASSERT_TRUE(r.ok()) << r.status;
  EXPECT_EQ(NumberOf(*db_, "a"), "9");
  // An unused placeholder is still an error after an equal expression.
  r = db_->TransactWrite(TransactWrite().Update(
      Key("a"), add(1).Value(":extra", Value::Number(2))));
  EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kValidation) << r.status;
  EXPECT_EQ(NumberOf(*db_, "a"), "9");
  // A key attribute as the target is still an error.
  r = db_->TransactWrite(TransactWrite().Update(
      Key("a"), Update("SET pk = :v").Value(":v", Value::String("x"))));
  EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kValidation) << r.status;
  ASSERT_TRUE(db_->Update(Key("b"), add(1)).ok());
  EXPECT_EQ(NumberOf(*db_, "b"), "2");
}

KSTONE_INSTANTIATE_BACKENDS(TransactTest);

}  // namespace
}  // namespace kstone
