// DynamoDB's limits, enforced on every write: VALIDATION naming the
// attribute, and nothing written. Both backends.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;
using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

class ValidationTest : public BackendTest {
 protected:
  void SetUp() override {
    absl::StatusOr<Database> db = CreateDb();
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(std::move(*db));
    // Something stored before, which no failed write may disturb.
    ASSERT_TRUE(
        db_->Put(Key("keep"), ItemBuilder().Number("n", 1).Build()).ok());
  }

  // Puts `item` under `key` and expects VALIDATION mentioning `needle`, with
  // nothing written under the key.
  void ExpectRejected(const Key& key, const Item& item,
                      const std::string& needle) {
    absl::Status s = db_->Put(key, item);
    EXPECT_THAT(
        s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(needle)));
    EXPECT_EQ(ErrorCodeOf(s), ErrorCode::kValidation);
    absl::StatusOr<std::optional<Item>> got = db_->Get(key);
    if (got.ok()) {
      EXPECT_FALSE(got->has_value()) << "a rejected put wrote";
    }
    absl::StatusOr<std::optional<Item>> keep = db_->Get(Key("keep"));
    ASSERT_TRUE(keep.ok());
    EXPECT_TRUE(keep->has_value());
  }

  std::optional<Database> db_;
};

TEST_P(ValidationTest, ItemOver400KB) {
  Item item = ItemBuilder().String("big", std::string(410 * 1024, 'x')).Build();
  ExpectRejected(Key("k"), item, "Item size");
  // Just under the limit is fine.
  Item ok =
      ItemBuilder().String("big", std::string(400 * 1024 - 100, 'x')).Build();
  KS_EXPECT_OK(db_->Put(Key("k"), ok));
}

TEST_P(ValidationTest, PartitionKeyOver2048Bytes) {
  ExpectRejected(Key(std::string(2049, 'p')), Item(), "pk");
  KS_EXPECT_OK(db_->Put(Key(std::string(2048, 'p')), Item()));
}

TEST_P(ValidationTest, SortKeyOver1024Bytes) {
  ExpectRejected(Key("p", std::string(1025, 's')), Item(), "sk");
  KS_EXPECT_OK(db_->Put(Key("p", std::string(1024, 's')), Item()));
}

TEST_P(ValidationTest, EmptyKeys) {
  ExpectRejected(Key(""), Item(), "pk");
  ExpectRejected(Key("p", ""), Item(), "sk");
  EXPECT_EQ(ErrorCodeOf(db_->Get(Key("")).status()), ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeOf(db_->Delete(Key(""))), ErrorCode::kValidation);
}

TEST_P(ValidationTest, WrongKeyTypeInItem) {
  Item item = ItemBuilder().Number("pk", 1).Build();
  absl::Status s = db_->Put(item);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("does not match the schema")));
}

TEST_P(ValidationTest, NestingOf33Levels) {
  Value v = Value::String("leaf");
  for (int i = 0; i < 33; ++i) v = Value::List({v});
  ExpectRejected(Key("k"), Item().Set("deep", v), "deep");
}

TEST_P(ValidationTest, InvalidUtf8) {
  ExpectRejected(Key("k"), ItemBuilder().String("bad", "ab\xff").Build(),
                 "bad");
  ExpectRejected(Key("k"),
                 ItemBuilder().StringSet("set", {"ok", "\xc3"}).Build(), "set");
  ExpectRejected(Key("k\xff"), Item(), "pk");
}

TEST_P(ValidationTest, EmptyAndDuplicateSets) {
  ExpectRejected(Key("k"), ItemBuilder().StringSet("ss", {}).Build(), "ss");
  ExpectRejected(Key("k"), ItemBuilder().StringSet("ss", {"a", "a"}).Build(),
                 "ss");
  ExpectRejected(Key("k"), ItemBuilder().NumberSet("ns", {"1", "1.0"}).Build(),
                 "ns");
  ExpectRejected(Key("k"), ItemBuilder().BinarySet("bs", {"x", "x"}).Build(),
                 "bs");
}

// A set with duplicate elements is VALIDATION however it reaches a write:
// a conditional Put, an Update's value (the general path, then the same
// request again, which the thread's memo sends down the short path that
// patches stored bytes), an ADD, a batch; in a transaction the action's
// ValidationError cancels it. Nothing is written: the stored item keeps its
// old value. (Stored sets never hold duplicates, which the item decoder
// relies on: it rejects them.)
TEST_P(ValidationTest, DuplicateSetsInEveryKindOfWrite) {
  const Value dup_ss = Value::StringSet({"a", "a"});
  const Value dup_ns = Value::NumberSet({"1", "1.0"});
  ASSERT_TRUE(
      db_->Put(ItemBuilder().String("pk", "u").Number("n", 1).Build()).ok());
  auto expect_validation = [&](const absl::Status& s, const char* what) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("duplicates")))
        << what;
    EXPECT_EQ(ErrorCodeOf(s), ErrorCode::kValidation) << what;
  };
  Item dup_item = ItemBuilder().String("pk", "c").Build();
  dup_item.Set("ss", dup_ss);
  expect_validation(
      db_->Put(dup_item, PutOptions().Condition("attribute_not_exists(pk)"))
          .status(),
      "put if absent");
  for (int i = 0; i < 2; ++i) {  // general path, then the memoized one
    expect_validation(
        db_->Update(Key("u"), kstone::Update("SET s = :s").Value(":s", dup_ss))
            .status(),
        "update SET");
  }
  expect_validation(
      db_->Update(Key("u"), kstone::Update("ADD s :s").Value(":s", dup_ns))
          .status(),
      "update ADD");
  expect_validation(db_->BatchWrite(kstone::BatchWrite().Put(dup_item)),
                    "batch put");
  // In a transaction, as DynamoDB: the action's ValidationError cancels it.
  const TransactWriteResult txn =
      db_->TransactWrite(kstone::TransactWrite().Put(dup_item));
  EXPECT_EQ(ErrorCodeOf(txn.status), ErrorCode::kTransactionCanceled);
  ASSERT_EQ(txn.cancellation_reasons.size(), 1u);
  EXPECT_EQ(txn.cancellation_reasons[0].code,
            CancellationCode::kValidationError);
  EXPECT_THAT(txn.cancellation_reasons[0].message, HasSubstr("duplicates"));
  absl::StatusOr<std::optional<Item>> u = db_->Get(Key("u"));
  ASSERT_TRUE(u.ok()) << u.status();
  ASSERT_TRUE(u->has_value());
  EXPECT_EQ((*u)->Get("s"), nullptr) << "a rejected update wrote";
  absl::StatusOr<std::optional<Item>> c = db_->Get(Key("c"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->has_value()) << "a rejected put wrote";
}

TEST_P(ValidationTest, BadNumbers) {
  ExpectRejected(Key("k"), ItemBuilder().Number("nan", "NaN").Build(), "nan");
  ExpectRejected(Key("k"), ItemBuilder().Number("inf", 1.0 / 0.0).Build(),
                 "inf");
  ExpectRejected(Key("k"),
                 ItemBuilder().Number("digits39", std::string(39, '1')).Build(),
                 "digits39");
  ExpectRejected(Key("k"), ItemBuilder().Number("huge", "1e126").Build(),
                 "huge");
  ExpectRejected(Key("k"), ItemBuilder().Number("tiny", "1e-131").Build(),
                 "tiny");
  ExpectRejected(Key("k"),
                 Item().Set("nested", Value::List({Value::Number("1x")})),
                 "nested");
  ExpectRejected(Key("k"), ItemBuilder().NumberSet("ns", {"1", "zz"}).Build(),
                 "ns");
}

TEST_P(ValidationTest, EmptyAttributeName) {
  ExpectRejected(Key("k"), ItemBuilder().String("", "x").Build(), "");
}

KSTONE_INSTANTIATE_BACKENDS(ValidationTest);

}  // namespace
}  // namespace kstone
