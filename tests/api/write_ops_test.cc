// Conditional writes, Update, ReturnValues, batches and transactions, on
// both backends.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;

class WriteOpsTest : public BackendTest {};

Item Doc(const std::string& pk, int n) {
  return ItemBuilder().String("pk", pk).Number("n", n).Build();
}

std::string NumberOf(const Item& item, const std::string& name) {
  const Value* v = item.Get(name);
  return v == nullptr ? "<missing>" : std::string(v->AsNumber());
}

TEST_P(WriteOpsTest, ConditionalPutOutcomes) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  // attribute_not_exists: create-if-absent.
  PutOptions create = PutOptions().Condition("attribute_not_exists(pk)");
  ASSERT_TRUE(db->Put(Doc("a", 1), create).ok());
  absl::StatusOr<WriteResult> again = db->Put(Doc("a", 2), create);
  EXPECT_EQ(ErrorCodeOf(again.status()), ErrorCode::kConditionalCheckFailed);
  absl::StatusOr<std::optional<Item>> got = db->Get(Key("a"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(NumberOf(**got, "n"), "1");  // unchanged
  // A comparison that holds, one that does not, one on a missing attribute.
  EXPECT_TRUE(db->Put(Doc("a", 3), PutOptions().Condition("n = :v").Value(
                                       ":v", Value::Number("1")))
                  .ok());
  EXPECT_EQ(
      ErrorCodeOf(db->Put(Doc("a", 4), PutOptions().Condition("n = :v").Value(
                                           ":v", Value::Number("1")))
                      .status()),
      ErrorCode::kConditionalCheckFailed);
  EXPECT_EQ(
      ErrorCodeOf(db->Put(Doc("a", 4), PutOptions()
                                           .Condition("#m > :v")
                                           .Name("#m", "missing")
                                           .Value(":v", Value::Number("0")))
                      .status()),
      ErrorCode::kConditionalCheckFailed);
  // Placeholders: unused or undefined are VALIDATION.
  EXPECT_EQ(
      ErrorCodeOf(db->Put(Doc("a", 5), PutOptions()
                                           .Condition("n = :v")
                                           .Value(":v", Value::Number("3"))
                                           .Value(":w", Value::Number("3")))
                      .status()),
      ErrorCode::kValidation);
  EXPECT_EQ(
      ErrorCodeOf(
          db->Put(Doc("a", 5), PutOptions().Condition("n = :v")).status()),
      ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeOf(
                db->Put(Doc("a", 5), PutOptions().Condition("n = (")).status()),
            ErrorCode::kValidation);
  // Delete with a condition.
  EXPECT_EQ(ErrorCodeOf(db->Delete(Key("a"), DeleteOptions().Condition(
                                                 "attribute_not_exists(n)"))
                            .status()),
            ErrorCode::kConditionalCheckFailed);
  absl::StatusOr<WriteResult> del =
      db->Delete(Key("a"), DeleteOptions()
                               .Condition("attribute_exists(n)")
                               .ReturnValues(ReturnValues::kAllOld));
  ASSERT_TRUE(del.ok()) << del.status();
  ASSERT_TRUE(del->attributes.has_value());
  EXPECT_EQ(NumberOf(*del->attributes, "n"), "3");
  got = db->Get(Key("a"));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_P(WriteOpsTest, PutReturnValues) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  PutOptions old = PutOptions().ReturnValues(ReturnValues::kAllOld);
  absl::StatusOr<WriteResult> r = db->Put(Doc("a", 1), old);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->attributes.has_value());
  r = db->Put(Doc("a", 2), old);
  ASSERT_TRUE(r.ok() && r->attributes.has_value());
  EXPECT_EQ(NumberOf(*r->attributes, "n"), "1");
  EXPECT_EQ(*r->attributes->Get("pk"), Value::String("a"));
  EXPECT_EQ(ErrorCodeOf(db->Put(Doc("a", 3), PutOptions().ReturnValues(
                                                 ReturnValues::kAllNew))
                            .status()),
            ErrorCode::kValidation);
  // Delete of a missing item with ALL_OLD returns nothing.
  absl::StatusOr<WriteResult> d = db->Delete(
      Key("zz"), DeleteOptions().ReturnValues(ReturnValues::kAllOld));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->attributes.has_value());
}

TEST_P(WriteOpsTest, UpdateSemanticsAndReturnValues) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  // Upsert: creates the item with its key.
  absl::StatusOr<Item> n =
      db->Update(Key("u"), Update("SET n = :v, t = :t")
                               .Value(":v", Value::Number("5"))
                               .Value(":t", Value::String("x")));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(NumberOf(*n, "n"), "5");
  EXPECT_EQ(*n->Get("pk"), Value::String("u"));
  // Remove-only on a missing item creates nothing.
  absl::StatusOr<Item> none = db->Update(Key("missing"), Update("REMOVE a"));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->size(), 0u);
  absl::StatusOr<std::optional<Item>> got = db->Get(Key("missing"));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  // ReturnValues of each kind.
  absl::StatusOr<Item> r =
      db->Update(Key("u"), Update("SET n = n + :one REMOVE t")
                               .Value(":one", Value::Number("1"))
                               .ReturnValues(ReturnValues::kUpdatedOld));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(NumberOf(*r, "n"), "5");
  EXPECT_NE(r->Get("t"), nullptr);
  EXPECT_EQ(r->Get("pk"), nullptr);
  r = db->Update(Key("u"), Update("SET n = n + :one")
                               .Value(":one", Value::Number("1"))
                               .ReturnValues(ReturnValues::kUpdatedNew));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(NumberOf(*r, "n"), "7");
  EXPECT_EQ(r->size(), 1u);
  r = db->Update(Key("u"), Update("SET m = :one")
                               .Value(":one", Value::Number("1"))
                               .ReturnValues(ReturnValues::kAllOld));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Get("m"), nullptr);
  EXPECT_EQ(NumberOf(*r, "n"), "7");
  r = db->Update(Key("u"), Update("SET m = :two")
                               .Value(":two", Value::Number("2"))
                               .ReturnValues(ReturnValues::kNone));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 0u);
  // Condition forbids; key attributes cannot be updated; missing operand.
  EXPECT_EQ(
      ErrorCodeOf(db->Update(Key("new"), Update("SET n = :v")
                                             .Value(":v", Value::Number("1"))
                                             .Condition("attribute_exists(pk)"))
                      .status()),
      ErrorCode::kConditionalCheckFailed);
  got = db->Get(Key("new"));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  EXPECT_EQ(
      ErrorCodeOf(
          db->Update(Key("u"),
                     Update("SET pk = :v").Value(":v", Value::String("z")))
              .status()),
      ErrorCode::kValidation);
  EXPECT_EQ(
      ErrorCodeOf(db->Update(Key("u"), Update("SET q = nothere + :v")
                                           .Value(":v", Value::Number("1")))
                      .status()),
      ErrorCode::kValidation);
}

TEST_P(WriteOpsTest, ItemLimitsAfterUpdate) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  const std::string big(300 * 1024, 'x');
  ASSERT_TRUE(
      db->Update(Key("b"), Update("SET a = :s").Value(":s", Value::String(big)))
          .ok());
  absl::StatusOr<Item> r = db->Update(
      Key("b"), Update("SET c = :s").Value(":s", Value::String(big)));
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation) << r.status();
  absl::StatusOr<std::optional<Item>> got = db->Get(Key("b"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->Get("c"), nullptr);
}

// The short Update and the put-if-(not-)exists of one thread share its
// write buffers (api/write_buffers.h): interleaved, succeeding and failing,
// with an item past the buffers' kept size in between, each writes its own
// item and nothing of another's.
TEST_P(WriteOpsTest, WritesSharingTheThreadsBuffersKeepTheirOwnData) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Put(Doc("a", 0)).ok());
  const Update increment =
      Update("SET n = n + :one").Value(":one", Value::Number("1"));
  const PutOptions create = PutOptions().Condition("attribute_not_exists(pk)");
  const PutOptions replace = PutOptions().Condition("attribute_exists(pk)");
  const std::string big(20000, 'x');  // past the 16 KiB the buffers keep
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(db->Update(Key("a"), increment).ok());
    const std::string b = "b" + std::to_string(round);
    ASSERT_TRUE(db->Put(Doc(b, round), create).ok());
    EXPECT_EQ(ErrorCodeOf(db->Put(Doc(b, 99), create).status()),
              ErrorCode::kConditionalCheckFailed);
    absl::StatusOr<Item> a = db->Update(
        Key("a"), Update(increment).ReturnValues(ReturnValues::kAllNew));
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(NumberOf(*a, "n"), std::to_string(2 * round + 2));
    EXPECT_EQ(ErrorCodeOf(db->Put(Doc("c", 1), replace).status()),
              ErrorCode::kConditionalCheckFailed);
    ASSERT_TRUE(db->Put(ItemBuilder()
                            .String("pk", b)
                            .String("big", big)
                            .Number("n", round)
                            .Build(),
                        replace)
                    .ok());
  }
  absl::StatusOr<std::optional<Item>> a = db->Get(Key("a"));
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ(NumberOf(**a, "n"), "6");
  EXPECT_EQ((**a).size(), 2u);  // pk and n only
  for (int round = 0; round < 3; ++round) {
    const std::string b = "b" + std::to_string(round);
    absl::StatusOr<std::optional<Item>> got = db->Get(Key(b));
    ASSERT_TRUE(got.ok() && got->has_value()) << b;
    EXPECT_EQ(NumberOf(**got, "n"), std::to_string(round)) << b;
    const Value* v = (**got).Get("big");
    ASSERT_NE(v, nullptr) << b;
    EXPECT_EQ(v->AsString(), big) << b;
  }
  absl::StatusOr<std::optional<Item>> c = db->Get(Key("c"));
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
}

TEST_P(WriteOpsTest, ConcurrentIncrementsLoseNothing) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Put(ItemBuilder()
                          .String("pk", "c")
                          .Number("n", 0)
                          .Number("version", 0)
                          .Build())
                  .ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        absl::StatusOr<Item> r = db->Update(
            Key("c"),
            Update("SET n = n + :one").Value(":one", Value::Number("1")));
        if (!r.ok()) ++errors;
      }
      // Optimistic increments: read the version, update if unchanged.
      for (int done = 0; done < kPerThread / 4;) {
        absl::StatusOr<std::optional<Item>> cur = db->Get(Key("c"));
        if (!cur.ok() || !cur->has_value()) {
          ++errors;
          return;
        }
        Value v = *(*cur)->Get("version");
        absl::StatusOr<Item> r =
            db->Update(Key("c"), Update("SET version = version + :one")
                                     .Value(":one", Value::Number("1"))
                                     .Value(":v", v)
                                     .Condition("version = :v"));
        if (r.ok()) {
          ++done;
        } else if (ErrorCodeOf(r.status()) !=
                   ErrorCode::kConditionalCheckFailed) {
          ++errors;
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  absl::StatusOr<std::optional<Item>> got = db->Get(Key("c"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(NumberOf(**got, "n"), std::to_string(kThreads * kPerThread));
  EXPECT_EQ(NumberOf(**got, "version"),
            std::to_string(kThreads * (kPerThread / 4)));
}

TEST_P(WriteOpsTest, BatchLimitsAndDuplicates) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  BatchWrite bw;
  for (int i = 0; i < 25; ++i) bw.Put(Doc("k" + std::to_string(i), i));
  ASSERT_TRUE(db->BatchWrite(bw).ok());
  BatchWrite too_many = bw;
  too_many.Put(Doc("k25", 25));
  EXPECT_EQ(ErrorCodeOf(db->BatchWrite(too_many)), ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeOf(db->BatchWrite(BatchWrite())), ErrorCode::kValidation);
  BatchWrite dup = BatchWrite().Put(Doc("x", 1)).Delete(Key("x"));
  EXPECT_EQ(ErrorCodeOf(db->BatchWrite(dup)), ErrorCode::kValidation);
  absl::StatusOr<std::optional<Item>> x = db->Get(Key("x"));
  ASSERT_TRUE(x.ok());
  EXPECT_FALSE(x->has_value());  // nothing written
  ASSERT_TRUE(
      db->BatchWrite(BatchWrite().Delete(Key("k0")).Put(Doc("y", 9))).ok());

  std::vector<Key> keys = {Key("k1"), Key("k0"), Key("y")};
  absl::StatusOr<std::vector<std::optional<Item>>> got = db->BatchGet(keys);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 3u);
  ASSERT_TRUE((*got)[0].has_value());
  EXPECT_EQ(NumberOf(*(*got)[0], "n"), "1");
  EXPECT_FALSE((*got)[1].has_value());
  EXPECT_EQ(NumberOf(*(*got)[2], "n"), "9");
  EXPECT_EQ(ErrorCodeOf(db->BatchGet({Key("a"), Key("a")}).status()),
            ErrorCode::kValidation);
  std::vector<Key> many;
  for (int i = 0; i < 101; ++i) many.emplace_back("m" + std::to_string(i));
  EXPECT_EQ(ErrorCodeOf(db->BatchGet(many).status()), ErrorCode::kValidation);
  many.pop_back();
  EXPECT_TRUE(db->BatchGet(many).ok());
}

TEST_P(WriteOpsTest, TransactWriteAllOrNothing) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Put(Doc("a", 10)).ok());
  ASSERT_TRUE(db->Put(Doc("b", 0)).ok());
  TransactWrite ok_tx =
      TransactWrite()
          .Update(Key("a"), Update("SET n = n - :x")
                                .Value(":x", Value::Number("4"))
                                .Condition("n >= :x"))
          .Update(Key("b"),
                  Update("SET n = n + :x").Value(":x", Value::Number("4")))
          .Put(Doc("c", 1), PutOptions().Condition("attribute_not_exists(pk)"))
          .ConditionCheck(Key("d"), ConditionCheck("attribute_not_exists(pk)"));
  TransactWriteResult r = db->TransactWrite(ok_tx);
  ASSERT_TRUE(r.ok()) << r.status;
  // Now c exists: the Put's condition fails, and so does a's (6 < 7).
  TransactWrite bad =
      TransactWrite()
          .Update(Key("a"), Update("SET n = n - :x")
                                .Value(":x", Value::Number("7"))
                                .Condition("n >= :x"))
          .Delete(Key("b"))
          .Put(Doc("c", 2), PutOptions().Condition("attribute_not_exists(pk)"));
  r = db->TransactWrite(bad);
  EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kTransactionCanceled);
  ASSERT_EQ(r.cancellation_reasons.size(), 3u);
  EXPECT_EQ(r.cancellation_reasons[0].code,
            CancellationCode::kConditionalCheckFailed);
  EXPECT_EQ(r.cancellation_reasons[1].code, CancellationCode::kNone);
  EXPECT_EQ(r.cancellation_reasons[2].code,
            CancellationCode::kConditionalCheckFailed);
  absl::StatusOr<std::vector<std::optional<Item>>> got =
      db->TransactGet({Key("a"), Key("b"), Key("c"), Key("d")});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(NumberOf(*(*got)[0], "n"), "6");
  EXPECT_EQ(NumberOf(*(*got)[1], "n"), "4");  // not deleted
  EXPECT_EQ(NumberOf(*(*got)[2], "n"), "1");
  EXPECT_FALSE((*got)[3].has_value());
  // Whole-request validation errors.
  EXPECT_EQ(ErrorCodeOf(db->TransactWrite(TransactWrite()).status),
            ErrorCode::kValidation);
  EXPECT_EQ(
      ErrorCodeOf(db->TransactWrite(
                        TransactWrite().Delete(Key("a")).ConditionCheck(
                            Key("a"), ConditionCheck("attribute_exists(n)")))
                      .status),
      ErrorCode::kValidation);
  TransactWrite big;
  for (int i = 0; i < 101; ++i) big.Delete(Key("t" + std::to_string(i)));
  EXPECT_EQ(ErrorCodeOf(db->TransactWrite(big).status), ErrorCode::kValidation);
  // A bad key is ValidationError on that action.
  r = db->TransactWrite(
      TransactWrite().Delete(Key("a")).Delete(Key(Value::Number("1"))));
  EXPECT_EQ(ErrorCodeOf(r.status), ErrorCode::kTransactionCanceled);
  ASSERT_EQ(r.cancellation_reasons.size(), 2u);
  EXPECT_EQ(r.cancellation_reasons[1].code, CancellationCode::kValidationError);
}

TEST_P(WriteOpsTest, IdempotencyToken) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  TransactWrite inc =
      TransactWrite()
          .Update(Key("a"),
                  Update("ADD n :one").Value(":one", Value::Number("1")))
          .ClientRequestToken("tok-1");
  ASSERT_TRUE(db->TransactWrite(inc).ok());
  ASSERT_TRUE(db->TransactWrite(inc).ok());  // replay: not applied again
  absl::StatusOr<std::optional<Item>> got = db->Get(Key("a"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(NumberOf(**got, "n"), "1");
  TransactWrite other =
      TransactWrite().Delete(Key("a")).ClientRequestToken("tok-1");
  EXPECT_EQ(ErrorCodeOf(db->TransactWrite(other).status),
            ErrorCode::kIdempotentParameterMismatch);
  EXPECT_EQ(
      ErrorCodeOf(
          db->TransactWrite(TransactWrite().Delete(Key("a")).ClientRequestToken(
                                std::string(37, 't')))
              .status),
      ErrorCode::kValidation);
}

TEST_P(WriteOpsTest, TransactGetSeesConsistentSnapshots) {
  absl::StatusOr<Database> db = CreateDb();
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Put(Doc("x", 100)).ok());
  ASSERT_TRUE(db->Put(Doc("y#other-stripe", 0)).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      TransactWriteResult r = db->TransactWrite(
          TransactWrite()
              .Update(
                  Key("x"),
                  Update("SET n = n - :one").Value(":one", Value::Number("1")))
              .Update(Key("y#other-stripe"),
                      Update("SET n = n + :one")
                          .Value(":one", Value::Number("1"))));
      if (!r.ok()) ++errors;
    }
    stop = true;
  });
  int reads = 0;
  while (!stop.load() || reads < 10) {
    absl::StatusOr<std::vector<std::optional<Item>>> got =
        db->TransactGet({Key("x"), Key("y#other-stripe")});
    ASSERT_TRUE(got.ok()) << got.status();
    const int sum = std::stoi(NumberOf(*(*got)[0], "n")) +
                    std::stoi(NumberOf(*(*got)[1], "n"));
    ASSERT_EQ(sum, 100) << "after " << reads << " reads";
    ++reads;
  }
  writer.join();
  EXPECT_EQ(errors.load(), 0);
}

TEST_P(WriteOpsTest, TransactionsSurviveReopen) {
  if (!disk()) GTEST_SKIP() << "reopen needs the disk backend";
  {
    absl::StatusOr<Database> db = CreateDb();
    ASSERT_TRUE(db.ok()) << db.status();
    TransactWrite tx;
    for (int i = 0; i < 20; ++i) tx.Put(Doc("r" + std::to_string(i), i));
    ASSERT_TRUE(db->TransactWrite(tx).ok());
  }
  absl::StatusOr<Database> db = ReopenDb();
  ASSERT_TRUE(db.ok()) << db.status();
  std::vector<Key> keys;
  for (int i = 0; i < 20; ++i) keys.emplace_back("r" + std::to_string(i));
  absl::StatusOr<std::vector<std::optional<Item>>> got = db->TransactGet(keys);
  ASSERT_TRUE(got.ok()) << got.status();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*got)[i].has_value()) << i;
    EXPECT_EQ(NumberOf(*(*got)[i], "n"), std::to_string(i));
  }
}

KSTONE_INSTANTIATE_BACKENDS(WriteOpsTest);

}  // namespace
}  // namespace kstone
