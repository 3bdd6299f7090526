// Database put/get/delete on both backends.

#include "kstone/database.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;
using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

class DatabaseTest : public BackendTest {};

TEST_P(DatabaseTest, PutGetDeleteOverwrite) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  Item alice = ItemBuilder().String("name", "Alice").Number("age", 30).Build();
  KS_ASSERT_OK(db.Put(Key("user#1"), alice));

  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key("user#1")));
  ASSERT_TRUE(got.has_value());
  // Items come back with their key attribute.
  Item expected = alice;
  expected.Set("pk", Value::String("user#1"));
  EXPECT_EQ(*got, expected);

  Item replaced = ItemBuilder().Bool("active", true).Build();
  KS_ASSERT_OK(db.Put(Key("user#1"), replaced));
  KS_ASSERT_OK_AND_ASSIGN(got, db.Get(Key("user#1")));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->Get("name"), nullptr) << "a put replaces the whole item";
  ASSERT_NE(got->Get("active"), nullptr);
  EXPECT_TRUE(got->Get("active")->AsBool());

  KS_ASSERT_OK(db.Delete(Key("user#1")));
  KS_ASSERT_OK_AND_ASSIGN(got, db.Get(Key("user#1")));
  EXPECT_FALSE(got.has_value());
}

TEST_P(DatabaseTest, DeleteMissingItemSucceeds) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  KS_EXPECT_OK(db.Delete(Key("nobody")));
  KS_EXPECT_OK(db.Delete(Key("nobody", "nothing")));
}

TEST_P(DatabaseTest, GetMissingIsNulloptNotAnError) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key("missing")));
  EXPECT_FALSE(got.has_value());
}

TEST_P(DatabaseTest, SortKeysAddressDistinctItems) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  KS_ASSERT_OK(db.Put(Key("u"), ItemBuilder().Number("n", 0).Build()));
  KS_ASSERT_OK(db.Put(Key("u", "a"), ItemBuilder().Number("n", 1).Build()));
  KS_ASSERT_OK(db.Put(Key("u", "aa"), ItemBuilder().Number("n", 2).Build()));
  KS_ASSERT_OK(db.Put(Key("u", "b"), ItemBuilder().Number("n", 3).Build()));
  const std::pair<std::optional<std::string>, std::string> cases[] = {
      {std::nullopt, "0"}, {"a", "1"}, {"aa", "2"}, {"b", "3"}};
  for (const auto& [sk, n] : cases) {
    Key key = sk ? Key("u", *sk) : Key("u");
    KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(key));
    ASSERT_TRUE(got.has_value()) << key.ToString();
    EXPECT_EQ(got->Get("n")->AsNumber(), n) << key.ToString();
    EXPECT_EQ(got->Get("pk")->AsString(), "u");
    if (sk) {
      EXPECT_EQ(got->Get("sk")->AsString(), *sk);
    } else {
      EXPECT_EQ(got->Get("sk"), nullptr);
    }
  }
  KS_ASSERT_OK(db.Delete(Key("u", "a")));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> aa, db.Get(Key("u", "aa")));
  EXPECT_TRUE(aa.has_value()) << "deleting sk=a must not touch sk=aa";
}

TEST_P(DatabaseTest, PutItemTakesKeyFromAttributes) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  Item item = ItemBuilder()
                  .String("pk", "user#1")
                  .String("sk", "post#1")
                  .String("title", "hi")
                  .Build();
  KS_ASSERT_OK(db.Put(item));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got,
                          db.Get(Key("user#1", "post#1")));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, item);
}

TEST_P(DatabaseTest, PutItemWithoutPartitionKeyIsValidation) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  absl::Status s = db.Put(ItemBuilder().String("name", "x").Build());
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          HasSubstr("Missing the key pk")));
  EXPECT_EQ(ErrorCodeOf(s), ErrorCode::kValidation);
}

TEST_P(DatabaseTest, ItemKeyAttributeDifferentFromKeyIsValidation) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  Item item = ItemBuilder().String("pk", "other").Build();
  EXPECT_THAT(db.Put(Key("user#1"), item),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pk")));
  Item with_sk = ItemBuilder().String("sk", "s2").Build();
  EXPECT_THAT(db.Put(Key("user#1", "s1"), with_sk),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sk")));
  EXPECT_THAT(db.Put(Key("user#1"), with_sk),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("sk")));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key("user#1")));
  EXPECT_FALSE(got.has_value()) << "nothing may be written";
  // Equal key attributes are fine.
  KS_EXPECT_OK(
      db.Put(Key("user#1"), ItemBuilder().String("pk", "user#1").Build()));
}

TEST_P(DatabaseTest, NumberKeysAreNormalised) {
  KS_ASSERT_OK_AND_ASSIGN(Database db,
                          CreateDb(TableSchema()
                                       .PartitionKey("id", KeyType::kNumber)
                                       .SortKey("v", KeyType::kNumber)));
  KS_ASSERT_OK(db.Put(Key(Value::Number("1e3")),
                      ItemBuilder().String("x", "first").Build()));
  KS_ASSERT_OK(db.Put(Key(Value::Number("1000")),
                      ItemBuilder().String("x", "second").Build()));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got,
                          db.Get(Key(Value::Number("1000.00"))));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->Get("x")->AsString(), "second") << "1e3 and 1000 are one item";
  EXPECT_EQ(got->Get("id")->AsNumber(), "1000");
  KS_ASSERT_OK(db.Put(Key(Value::Number(5), Value::Number("-0.50")), Item()));
  KS_ASSERT_OK_AND_ASSIGN(
      got, db.Get(Key(Value::Number("5"), Value::Number("-.5"))));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->Get("v")->AsNumber(), "-0.5");
}

TEST_P(DatabaseTest, BinaryKeys) {
  KS_ASSERT_OK_AND_ASSIGN(Database db,
                          CreateDb(TableSchema()
                                       .PartitionKey("b", KeyType::kBinary)
                                       .SortKey("s", KeyType::kBinary)));
  std::string bytes("\x00\x01\xff", 3);
  KS_ASSERT_OK(
      db.Put(Key(Value::Binary(bytes), Value::Binary(std::string("\0", 1))),
             ItemBuilder().String("x", "y").Build()));
  KS_ASSERT_OK_AND_ASSIGN(
      std::optional<Item> got,
      db.Get(Key(Value::Binary(bytes), Value::Binary(std::string("\0", 1)))));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->Get("b")->AsBinary(), bytes);
  KS_ASSERT_OK_AND_ASSIGN(got, db.Get(Key(Value::Binary(bytes))));
  EXPECT_FALSE(got.has_value());
}

TEST_P(DatabaseTest, WrongKeyTypeIsValidation) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb(TableSchema().PartitionKey(
                                           "id", KeyType::kNumber)));
  for (const absl::Status& s :
       {db.Put(Key("abc"), Item()), db.Get(Key("abc")).status(),
        db.Delete(Key("abc")),
        db.Put(ItemBuilder().String("id", "abc").Build())}) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("does not match the schema")));
    EXPECT_EQ(ErrorCodeOf(s), ErrorCode::kValidation);
  }
}

TEST_P(DatabaseTest, SortKeyOnTableWithoutOneIsValidation) {
  KS_ASSERT_OK_AND_ASSIGN(Database db,
                          CreateDb(TableSchema().WithoutSortKey()));
  EXPECT_THAT(
      db.Put(Key("a", "b"), Item()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no sort key")));
  // An attribute named "sk" is an ordinary attribute here.
  Item item = ItemBuilder().String("pk", "a").String("sk", "plain").Build();
  KS_ASSERT_OK(db.Put(item));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key("a")));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, item);
}

TEST_P(DatabaseTest, CustomKeyNamesComeBackOnItems) {
  KS_ASSERT_OK_AND_ASSIGN(
      Database db, CreateDb(TableSchema().PartitionKey("user").SortKey("ts")));
  KS_ASSERT_OK(
      db.Put(Key("ann", "2024"), ItemBuilder().Number("n", 1).Build()));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key("ann", "2024")));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->Get("user")->AsString(), "ann");
  EXPECT_EQ(got->Get("ts")->AsString(), "2024");
  EXPECT_EQ(got->Get("pk"), nullptr);
  EXPECT_EQ(db.schema(), TableSchema().PartitionKey("user").SortKey("ts"));
}

TEST_P(DatabaseTest, HandleCopiesShareOneDatabase) {
  std::optional<Database> copy;
  {
    KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
    copy = db;
    KS_ASSERT_OK(db.Put(Key("k"), ItemBuilder().Number("n", 1).Build()));
  }  // the original handle is gone; the copy keeps the database open
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, copy->Get(Key("k")));
  ASSERT_TRUE(got.has_value());
  Database third = *copy;
  KS_ASSERT_OK(third.Delete(Key("k")));
  KS_ASSERT_OK_AND_ASSIGN(got, copy->Get(Key("k")));
  EXPECT_FALSE(got.has_value());
}

TEST_P(DatabaseTest, FlushAndCompactKeepItems) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  for (int i = 0; i < 200; ++i) {
    KS_ASSERT_OK(db.Put(Key(absl::StrCat("k", i)),
                        ItemBuilder().Number("i", i).Build()));
  }
  KS_ASSERT_OK(db.Flush());
  for (int i = 0; i < 200; i += 2)
    KS_ASSERT_OK(db.Delete(Key(absl::StrCat("k", i))));
  KS_ASSERT_OK(db.Flush());
  KS_ASSERT_OK(db.Compact());
  DatabaseStats stats = db.Stats();
  EXPECT_GT(stats.last_sequence, 0u);
  // Every stripe holding a table has a filter over its keys after the
  // full merge, at least 96 bytes each.
  EXPECT_GE(stats.table_filter_bytes, stats.tables * 96);
  EXPECT_GT(stats.tables, 0u);
  for (int i = 0; i < 200; ++i) {
    KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got,
                            db.Get(Key(absl::StrCat("k", i))));
    EXPECT_EQ(got.has_value(), i % 2 == 1) << i;
  }
}

TEST_P(DatabaseTest, ConcurrentPutGetFromEightThreads) {
  Options options;
  options.sync_mode = SyncMode::kNone;  // the test is about concurrency
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb(TableSchema(), options));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 300;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&db, &failures, t] {
      Database handle = db;  // each thread its own copy of the handle
      for (int i = 0; i < kPerThread; ++i) {
        Key key(absl::StrCat("t", t), absl::StrCat("i", i));
        if (!handle.Put(key, ItemBuilder().Number("v", t * 1000 + i).Build())
                 .ok()) {
          ++failures;
        }
        absl::StatusOr<std::optional<Item>> got = handle.Get(key);
        if (!got.ok() || !got->has_value() ||
            (*got)->Get("v")->AsNumber() != absl::StrCat(t * 1000 + i)) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      KS_ASSERT_OK_AND_ASSIGN(
          std::optional<Item> got,
          db.Get(Key(absl::StrCat("t", t), absl::StrCat("i", i))));
      ASSERT_TRUE(got.has_value()) << t << "/" << i;
      EXPECT_EQ(got->Get("v")->AsNumber(), absl::StrCat(t * 1000 + i));
    }
  }
}

KSTONE_INSTANTIATE_BACKENDS(DatabaseTest);

}  // namespace
}  // namespace kstone
