// Query and Scan start keys (DynamoDB's ExclusiveStartKey rules) and the
// 1 MB page limit, on both backends.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;
using ::testing::HasSubstr;

constexpr int64_t kPageBytes = 1 << 20;

TableSchema SortSchema() {
  return TableSchema().PartitionKey("pk", KeyType::kString).SortKey("sk");
}

// The DynamoDB size of an item whose values are all strings: name bytes
// plus value bytes.
int64_t SizeOf(const Item& item) {
  int64_t size = 0;
  for (const auto& [name, value] : item.attributes()) {
    EXPECT_EQ(value.type(), ValueType::kString) << name;
    size += static_cast<int64_t>(name.size() + value.AsString().size());
  }
  return size;
}

std::string SortOf(const Item& item) {
  const Value* v = item.Get("sk");
  return v == nullptr ? "<none>" : std::string(v->AsString());
}

class StartKeyTest : public BackendTest {
 protected:
  void SetUp() override {
    absl::StatusOr<Database> db = CreateDb(SortSchema());
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(std::move(*db));
    for (const char* pk : {"o", "p"}) {
      for (const char* sk : {"a", "b", "ba", "bb", "c", "d"}) {
        ASSERT_TRUE(db_->Put(Key(pk, sk), Item()).ok());
      }
    }
  }

  // The sort keys of the page, and the status.
  absl::StatusOr<std::vector<std::string>> Page(const Query& q) {
    absl::StatusOr<QueryResult> page = db_->Query(q);
    if (!page.ok()) return page.status();
    std::vector<std::string> out;
    for (const Item& item : page->items) out.push_back(SortOf(item));
    return out;
  }

  std::optional<Database> db_;
};

TEST_P(StartKeyTest, StartKeyMustSatisfyTheSortKeyCondition) {
  struct Case {
    Query query;
    std::string start;  // sort key of the start key in partition "p"
    bool valid;
    std::vector<std::string> rest;  // the page when valid
  };
  const std::vector<Case> cases = {
      {Query("p").SortKeyGreaterThan("b"), "a", false, {}},
      {Query("p").SortKeyGreaterThan("b"), "b", false, {}},
      {Query("p").SortKeyGreaterThan("b"), "ba", true, {"bb", "c", "d"}},
      {Query("p").SortKeyGreaterOrEqual("b"),
       "b",
       true,
       {"ba", "bb", "c", "d"}},
      {Query("p").SortKeyLessThan("c"), "c", false, {}},
      {Query("p").SortKeyLessThan("c"), "a", true, {"b", "ba", "bb"}},
      {Query("p").SortKeyLessOrEqual("c"), "d", false, {}},
      {Query("p").SortKeyEquals("b"), "b", true, {}},
      {Query("p").SortKeyEquals("b"), "ba", false, {}},
      {Query("p").SortKeyBetween("b", "c"), "a", false, {}},
      {Query("p").SortKeyBetween("b", "c"), "ca", false, {}},
      {Query("p").SortKeyBetween("b", "c"), "bb", true, {"c"}},
      {Query("p").SortKeyBeginsWith("b"), "c", false, {}},
      {Query("p").SortKeyBeginsWith("b"), "a", false, {}},
      {Query("p").SortKeyBeginsWith("b"), "b", true, {"ba", "bb"}},
      // The start key need not exist.
      {Query("p").SortKeyBeginsWith("b"), "b0", true, {"ba", "bb"}},
      {Query("p").SortKeyBeginsWith("b").Reverse(), "bb", true, {"ba", "b"}},
      {Query("p").SortKeyGreaterThan("a").Reverse(),
       "c",
       true,
       {"bb", "ba", "b"}},
      {Query("p").SortKeyGreaterThan("a").Reverse(), "a", false, {}},
      {Query("p"), "bb", true, {"c", "d"}},
      {Query("p").Reverse(), "bb", true, {"ba", "b", "a"}},
      // The expression form is checked the same way.
      {Query()
           .KeyCondition("pk = :p AND sk BETWEEN :lo AND :hi")
           .Value(":p", Value::String("p"))
           .Value(":lo", Value::String("b"))
           .Value(":hi", Value::String("c")),
       "d",
       false,
       {}},
  };
  for (const Case& c : cases) {
    Query q = c.query;
    q.StartAfter(Key("p", c.start));
    SCOPED_TRACE(absl::StrCat("start ", c.start, " reverse ", q.reverse()));
    absl::StatusOr<std::vector<std::string>> page = Page(q);
    if (c.valid) {
      ASSERT_TRUE(page.ok()) << page.status();
      EXPECT_EQ(*page, c.rest);
    } else {
      EXPECT_EQ(ErrorCodeOf(page.status()), ErrorCode::kValidation);
      EXPECT_THAT(std::string(page.status().message()),
                  HasSubstr("does not match the range key predicate"));
    }
  }
}

TEST_P(StartKeyTest, StartKeyShapeAndPartition) {
  auto message = [](const absl::Status& s) { return std::string(s.message()); };
  // Another partition.
  absl::StatusOr<QueryResult> r =
      db_->Query(Query("p").StartAfter(Key("o", "a")));
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation);
  EXPECT_THAT(message(r.status()), HasSubstr("outside query boundaries"));
  // No sort key on a table that has one: kstone's sort key is optional per
  // item, so this is the key of an item without one, which sorts first in
  // its partition; pages continue after it.
  ASSERT_TRUE(db_->Put(Key("p"), Item()).ok());
  absl::StatusOr<QueryResult> first = db_->Query(Query("p").Limit(1));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(first->last_key.has_value());
  EXPECT_EQ(*first->last_key, Key("p"));
  absl::StatusOr<std::vector<std::string>> rest =
      Page(Query("p").StartAfter(Key("p")));
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, (std::vector<std::string>{"a", "b", "ba", "bb", "c", "d"}));
  rest = Page(Query("p").Reverse().StartAfter(Key("p")));
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_TRUE(rest->empty());
  absl::StatusOr<ScanResult> s = db_->Scan(Scan().StartAfter(Key("p")));
  ASSERT_TRUE(s.ok()) << s.status();
  // ... but it matches no sort-key condition.
  r = db_->Query(Query("p").SortKeyGreaterThan("a").StartAfter(Key("p")));
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation);
  EXPECT_THAT(message(r.status()), HasSubstr("range key predicate"));
  // A sort key of the wrong type.
  r = db_->Query(
      Query("p").StartAfter(Key(Value::String("p"), Value::Number(1))));
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation);
  EXPECT_THAT(message(r.status()), HasSubstr("starting key is invalid"));
  s = db_->Scan(Scan().StartAfter(Key(Value::String("p"), Value::Number(1))));
  EXPECT_EQ(ErrorCodeOf(s.status()), ErrorCode::kValidation);
  // A valid scan start key continues after it.
  s = db_->Scan(Scan().StartAfter(Key("p", "bb")));
  ASSERT_TRUE(s.ok()) << s.status();
}

TEST_P(StartKeyTest, TableWithoutSortKey) {
  const TableSchema schema =
      TableSchema().PartitionKey("id", KeyType::kString).WithoutSortKey();
  absl::StatusOr<Database> db =
      disk() ? Database::CreateWithSchema(dir_.Sub("hash_only"), schema)
             : Database::CreateInMemoryWithSchema(schema);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Put(Key("x"), Item()).ok());
  ASSERT_TRUE(db->Put(Key("y"), Item()).ok());
  auto message = [](const absl::Status& s) { return std::string(s.message()); };
  // A sort key in the start key.
  absl::StatusOr<QueryResult> r =
      db->Query(Query("x").StartAfter(Key("x", "s")));
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation);
  EXPECT_THAT(message(r.status()), HasSubstr("no sort key"));
  absl::StatusOr<ScanResult> s = db->Scan(Scan().StartAfter(Key("x", "s")));
  EXPECT_EQ(ErrorCodeOf(s.status()), ErrorCode::kValidation);
  EXPECT_THAT(message(s.status()), HasSubstr("no sort key"));
  // A Query of a one-item partition has no next page to start.
  r = db->Query(Query("x").StartAfter(Key("x")));
  EXPECT_EQ(ErrorCodeOf(r.status()), ErrorCode::kValidation);
  EXPECT_THAT(message(r.status()), HasSubstr("without a sort key"));
  // A Scan may continue after a key of this shape.
  s = db->Scan(Scan().Limit(1));
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->last_key.has_value());
  absl::StatusOr<ScanResult> next = db->Scan(Scan().StartAfter(*s->last_key));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->count, 1);
}

KSTONE_INSTANTIATE_BACKENDS(StartKeyTest);

// The 1 MB page limit, counted by DynamoDB's item size.
class PageLimitTest : public BackendTest {
 protected:
  void SetUp() override {
    absl::StatusOr<Database> db = CreateDb(SortSchema());
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(std::move(*db));
  }

  // Puts an item of DynamoDB size `size` (>= 13) under (pk, sk), sk being
  // 4 bytes: "pk" + 1-byte pk + "sk" + sk + "data" + data.
  void PutSized(const std::string& pk, const std::string& sk, int64_t size) {
    ASSERT_EQ(pk.size(), 1u);
    ASSERT_EQ(sk.size(), 4u);
    const int64_t data = size - (2 + 1) - (2 + 4) - 4;
    ASSERT_GE(data, 0);
    Item item = ItemBuilder()
                    .String("data", std::string(static_cast<size_t>(data), 'x'))
                    .Build();
    ASSERT_TRUE(db_->Put(Key(pk, sk), item).ok());
    sizes_[pk + sk] = size;
  }

  // Checks every page of a read against the 1 MB rule: the items before the
  // last stay under 1 MB, a page with a last_key reaches it, and the pages
  // together hold every item of `expected` exactly once.
  template <typename Request, typename Run>
  std::vector<int> CheckPages(Request request, Run run,
                              const std::set<std::string>& expected) {
    std::vector<int> page_sizes;
    std::multiset<std::string> seen;
    for (int pages = 0; pages < 100; ++pages) {
      absl::StatusOr<ReadPage> page = run(request);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      int64_t bytes = 0;
      for (size_t i = 0; i < page->items.size(); ++i) {
        if (i + 1 == page->items.size()) {
          EXPECT_LT(bytes, kPageBytes) << "page " << pages;
        }
        bytes += SizeOf(page->items[i]);
        const Value* pk = page->items[i].Get("pk");
        seen.insert(std::string(pk->AsString()) + SortOf(page->items[i]));
      }
      EXPECT_EQ(page->scanned_count, static_cast<int64_t>(page->items.size()));
      page_sizes.push_back(static_cast<int>(page->items.size()));
      if (!page->last_key.has_value()) break;
      EXPECT_GE(bytes, kPageBytes) << "page " << pages;
      request.StartAfter(*page->last_key);
    }
    EXPECT_EQ(seen.size(), expected.size());
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
    return page_sizes;
  }

  std::optional<Database> db_;
  std::map<std::string, int64_t> sizes_;  // pk + sk -> DynamoDB size
};

TEST_P(PageLimitTest, QueryPagesStopAtOneMegabyte) {
  // Partition "p": nine items of 100,013 bytes, then one that brings the
  // total to 1 MB - 1, so the page must go on to the 11th item; then more
  // of 100,013 bytes (11 reach 1 MB again).
  std::set<std::string> p_keys;
  for (int i = 0; i < 25; ++i) {
    const std::string sk = absl::StrFormat("k%03d", i);
    PutSized("p", sk, i == 9 ? kPageBytes - 1 - 9 * 100013 : 100013);
    p_keys.insert("p" + sk);
  }
  // Partition "e": ten items of exactly 1 MB together: the page ends with
  // the 10th item.
  std::set<std::string> e_keys;
  for (int i = 0; i < 12; ++i) {
    const std::string sk = absl::StrFormat("k%03d", i);
    PutSized("e", sk, i < 9 ? 100000 : (i == 9 ? kPageBytes - 900000 : 1000));
    e_keys.insert("e" + sk);
  }
  auto run = [&](const Query& q) { return db_->Query(q); };
  EXPECT_EQ(CheckPages(Query("p"), run, p_keys), (std::vector<int>{11, 11, 3}));
  EXPECT_EQ(CheckPages(Query("e"), run, e_keys), (std::vector<int>{10, 2}));
  // Reverse: k024..k014 (11 items of 100,013) reach 1 MB; then
  // k013..k004 (k009 being the large one) come to 1 MB - 1 again, so k003
  // ends the page.
  EXPECT_EQ(CheckPages(Query("p").Reverse(), run, p_keys),
            (std::vector<int>{11, 11, 3}));
  // The mark counts items read, before the filter and the projection.
  absl::StatusOr<QueryResult> counted = db_->Query(Query("p").SelectCount());
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->scanned_count, 11);
  ASSERT_TRUE(counted->last_key.has_value());
  EXPECT_EQ(*counted->last_key, Key("p", "k010"));
  absl::StatusOr<QueryResult> filtered =
      db_->Query(Query("p")
                     .Filter("attribute_not_exists(#d)")
                     .Name("#d", "data")
                     .Project("pk"));
  ASSERT_TRUE(filtered.ok()) << filtered.status();
  EXPECT_EQ(filtered->scanned_count, 11);
  EXPECT_EQ(filtered->count, 0);
  ASSERT_TRUE(filtered->last_key.has_value());
  EXPECT_EQ(*filtered->last_key, Key("p", "k010"));
}

TEST_P(PageLimitTest, ScanPagesStopAtOneMegabyte) {
  // Items in many partitions (so across stripes), ~100 KB each.
  std::set<std::string> keys;
  for (int i = 0; i < 26; ++i) {
    const std::string pk(1, static_cast<char>('a' + i));
    PutSized(pk, "k000", 100013 + 7 * i);
    keys.insert(pk + "k000");
  }
  auto run = [&](const Scan& s) { return db_->Scan(s); };
  // Any 10 items are < 1 MB, any 11 reach it.
  EXPECT_EQ(CheckPages(Scan(), run, keys), (std::vector<int>{11, 11, 4}));
  // Parallel segments page the same way and together cover the table.
  std::set<std::string> all;
  for (int seg = 0; seg < 2; ++seg) {
    Scan s = Scan().Segment(seg, 2);
    for (int n = 0; n < 100; ++n) {
      absl::StatusOr<ScanResult> page = db_->Scan(s);
      ASSERT_TRUE(page.ok()) << page.status();
      EXPECT_LE(page->scanned_count, 11);
      for (const Item& item : page->items) {
        EXPECT_TRUE(
            all.insert(std::string(item.Get("pk")->AsString()) + SortOf(item))
                .second);
      }
      if (!page->last_key) break;
      s.StartAfter(*page->last_key);
    }
  }
  EXPECT_EQ(all, keys);
}

KSTONE_INSTANTIATE_BACKENDS(PageLimitTest);

}  // namespace
}  // namespace kstone
