// The read path's variants agree: a page read with the direct decoder (no
// filter, no projection), counted only (Select COUNT), or through a core
// item (a filter or a projection) ends at the same key, because each counts
// the same DynamoDB item sizes toward 1 MB.

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"
#include "tests/testing/status_matchers.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;

class ReadPathTest : public BackendTest {
 protected:
  void SetUp() override {
    KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb(TableSchema()));
    db_.emplace(std::move(db));
  }

  // Items of varied sizes and types in partitions "a" and "b" (about 3.5 MB
  // each): strings, numbers, nested maps and lists, sets.
  void Fill(uint32_t seed) {
    std::mt19937 rng(seed);
    for (const char* pk : {"a", "b"}) {
      for (int i = 0; i < 60; ++i) {
        const size_t n = 20000 + rng() % 100000;
        char sk[8];
        snprintf(sk, sizeof sk, "%04d", i);
        Item item =
            ItemBuilder()
                .String("d", std::string(n, 'x'))
                .Number("n", std::to_string(rng()) + "e-" +
                                 std::to_string(rng() % 40))
                .Map("m", ItemBuilder()
                              .List("l", {Value::Number(rng() % 1000),
                                          Value::Bool(true), Value::Null()})
                              .NumberSet("ns", {"1", "-2.5", "1e30"})
                              .Build())
                .StringSet("ss", {"x", std::string(rng() % 500, 'y') + "z"})
                .Build();
        KS_ASSERT_OK(db_->Put(Key(pk, sk), item));
      }
    }
  }

  // The last_key of every page and the counts, reading to the end.
  template <typename Request, typename Run>
  std::vector<std::string> Pages(Request request, Run run, int64_t* count,
                                 int64_t* scanned) {
    std::vector<std::string> ends;
    *count = 0;
    *scanned = 0;
    for (int pages = 0; pages < 100; ++pages) {
      absl::StatusOr<ReadPage> page = run(request);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      *count += page->count;
      *scanned += page->scanned_count;
      if (!page->last_key.has_value()) break;
      ends.push_back(page->last_key->ToString());
      request.StartAfter(*page->last_key);
    }
    return ends;
  }

  template <typename Request, typename Run>
  void ExpectSamePages(const Request& plain, Run run, int64_t total) {
    int64_t count = 0, scanned = 0;
    const std::vector<std::string> ends = Pages(plain, run, &count, &scanned);
    EXPECT_EQ(count, total);
    EXPECT_EQ(scanned, total);
    EXPECT_GE(ends.size(), 3u);
    Request counted = plain;
    counted.SelectCount();
    Request filtered = plain;
    filtered.Filter("attribute_exists(d) OR attribute_not_exists(d)");
    Request projected = plain;
    projected.Project("n, m.l[0]");
    Request filtered_count = filtered;
    filtered_count.SelectCount();
    for (const Request* r :
         {&counted, &filtered, &projected, &filtered_count}) {
      int64_t c = 0, s = 0;
      EXPECT_EQ(Pages(*r, run, &c, &s), ends);
      EXPECT_EQ(c, total);
      EXPECT_EQ(s, total);
    }
  }

  std::optional<Database> db_;
};

TEST_P(ReadPathTest, QueryPagesEndAtTheSameKeysWhateverTheOptions) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  Fill(seed);
  ExpectSamePages(
      Query("a"), [&](const Query& q) { return db_->Query(q); }, 60);
}

TEST_P(ReadPathTest, ScanPagesEndAtTheSameKeysWhateverTheOptions) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed=" << seed);
  Fill(seed);
  if (disk()) KS_ASSERT_OK(db_->Flush());
  ExpectSamePages(
      Scan(), [&](const Scan& s) { return db_->Scan(s); }, 120);
}

TEST_P(ReadPathTest, ItemsComeBackWithTheirKeysInNameOrder) {
  // Key names that sort among the other attributes.
  KS_ASSERT_OK_AND_ASSIGN(
      Database db,
      disk() ? Database::CreateWithSchema(
                   dir_.Sub("named"), TableSchema()
                                          .PartitionKey("m", KeyType::kNumber)
                                          .SortKey("c", KeyType::kBinary))
             : Database::CreateInMemoryWithSchema(
                   TableSchema()
                       .PartitionKey("m", KeyType::kNumber)
                       .SortKey("c", KeyType::kBinary)));
  const Item stored = ItemBuilder()
                          .String("a", "first")
                          .Number("d", "-1.50")
                          .Bool("n", false)
                          .Binary("z", std::string("\0\xff", 2))
                          .Build();
  const Key key(Value::Number("12.0"), Value::Binary(std::string("\0b", 2)));
  KS_ASSERT_OK(db.Put(key, stored));
  Item want = stored;
  want.Set("m", Value::Number("12"));
  want.Set("c", Value::Binary(std::string("\0b", 2)));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(key));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, want);
  KS_ASSERT_OK_AND_ASSIGN(QueryResult q, db.Query(Query(Value::Number(12))));
  ASSERT_EQ(q.items.size(), 1u);
  EXPECT_EQ(q.items[0], want);
  KS_ASSERT_OK_AND_ASSIGN(ScanResult s, db.Scan(Scan()));
  ASSERT_EQ(s.items.size(), 1u);
  EXPECT_EQ(s.items[0], want);
  std::vector<std::string> names;
  for (const auto& [name, value] : s.items[0]) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "c", "d", "m", "n", "z"}));
  KS_ASSERT_OK_AND_ASSIGN(std::vector<std::optional<Item>> batch,
                          db.BatchGet({key}));
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0], want);
  KS_ASSERT_OK_AND_ASSIGN(std::vector<std::optional<Item>> tx,
                          db.TransactGet({key}));
  ASSERT_EQ(tx.size(), 1u);
  EXPECT_EQ(tx[0], want);
}

TEST_P(ReadPathTest, SortConditionsSkipItemsWithoutSortKey) {
  // kstone's sort key is optional per item; such an item satisfies no sort
  // key condition (DynamoDB's items always have one).
  KS_ASSERT_OK(db_->Put(Key(Value::String("p")), Item()));
  KS_ASSERT_OK(db_->Put(Key("p", "a"), Item()));
  KS_ASSERT_OK(db_->Put(Key("p", "b"), Item()));
  KS_ASSERT_OK_AND_ASSIGN(QueryResult all, db_->Query(Query("p")));
  EXPECT_EQ(all.count, 3);
  for (bool reverse : {false, true}) {
    SCOPED_TRACE(reverse ? "reverse" : "forward");
    Query lt = Query("p").SortKeyLessThan(Value::String("b"));
    Query le = Query("p").SortKeyLessOrEqual(Value::String("a"));
    if (reverse) {
      lt.Reverse();
      le.Reverse();
    }
    KS_ASSERT_OK_AND_ASSIGN(QueryResult q, db_->Query(lt));
    ASSERT_EQ(q.items.size(), 1u);
    EXPECT_EQ(*q.items[0].Get("sk"), Value::String("a"));
    KS_ASSERT_OK_AND_ASSIGN(q, db_->Query(le));
    ASSERT_EQ(q.items.size(), 1u);
    EXPECT_EQ(*q.items[0].Get("sk"), Value::String("a"));
  }
}

KSTONE_INSTANTIATE_BACKENDS(ReadPathTest);

}  // namespace
}  // namespace kstone
