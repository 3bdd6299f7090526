// Database::ScanEach on both backends: the same items in the same order as
// Scan's pages (items of changing shapes decoded into one reused Item),
// segments, stopping, Limit, filter and projection, StartAfter, validation,
// and writes from inside the visit.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kstone/database.h"
#include "kstone/query.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;

class ScanEachTest : public BackendTest {
 protected:
  void SetUp() override {
    absl::StatusOr<Database> db =
        CreateDb(TableSchema().PartitionKey("pk").SortKey("sk"));
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(std::move(*db));
  }

  // Items whose shapes change from one to the next, so that decoding into
  // one reused Item meets attributes that come and go, types that change
  // and strings that grow and shrink; half flushed, some deleted.
  void PutVaried(int n) {
    for (int i = 0; i < n; ++i) {
      ItemBuilder b;
      b.String("s", std::string(static_cast<size_t>((i * 37) % 90), 'x'));
      if (i % 2 == 0) b.Number("n", i);
      if (i % 3 == 0) b.String("n3", absl::StrCat("three", i));
      if (i % 5 == 0) {
        b.List("l", {Value::String("a"), Value::Number(i)});
      }
      if (i % 7 == 0) b.Map("m", ItemBuilder().Bool("t", true).Build());
      if (i % 4 == 1) b.Number("s2", i).Null("z");
      const Key key(absl::StrCat("p", i % 23), absl::StrCat("s", i));
      ASSERT_TRUE(db_->Put(key, b.Build()).ok());
      if (i == n / 2) {
        ASSERT_TRUE(db_->Flush().ok());
      }
    }
    for (int i = 0; i < n; i += 11) {
      ASSERT_TRUE(
          db_->Delete(Key(absl::StrCat("p", i % 23), absl::StrCat("s", i)))
              .ok());
    }
  }

  // Every item of `scan`, page by page.
  std::vector<Item> PagedScan(Scan scan) {
    std::vector<Item> out;
    for (;;) {
      absl::StatusOr<ScanResult> page = db_->Scan(scan);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return out;
      for (Item& item : page->items) out.push_back(std::move(item));
      if (!page->last_key) return out;
      scan.StartAfter(*page->last_key);
    }
  }

  // Copies of the items ScanEach visits.
  std::vector<Item> Visited(const Scan& scan) {
    std::vector<Item> out;
    absl::Status s = db_->ScanEach(scan, [&](const Item& item) {
      out.push_back(item);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::optional<Database> db_;
};

TEST_P(ScanEachTest, VisitsWhatScanPagesReturnInTheSameOrder) {
  PutVaried(400);
  const std::vector<Item> paged = PagedScan(Scan());
  ASSERT_GT(paged.size(), 300u);
  EXPECT_EQ(Visited(Scan()), paged);
}

TEST_P(ScanEachTest, SegmentsPartitionTheTable) {
  PutVaried(300);
  const std::vector<Item> all = Visited(Scan());
  std::vector<Item> joined;
  for (int segment = 0; segment < 3; ++segment) {
    const std::vector<Item> part = Visited(Scan().Segment(segment, 3));
    EXPECT_EQ(part, PagedScan(Scan().Segment(segment, 3)));
    joined.insert(joined.end(), part.begin(), part.end());
  }
  EXPECT_EQ(joined, all);
}

TEST_P(ScanEachTest, StopsWhenTheVisitorSaysSo) {
  PutVaried(100);
  int visited = 0;
  ASSERT_TRUE(
      db_->ScanEach(Scan(), [&](const Item&) { return ++visited < 7; }).ok());
  EXPECT_EQ(visited, 7);
}

TEST_P(ScanEachTest, LimitCountsItemsReadBeforeTheFilter) {
  PutVaried(200);
  EXPECT_EQ(Visited(Scan().Limit(13)).size(), 13u);
  // As in Scan, the items the filter drops count against the limit.
  const Scan filtered = Scan().Filter("attribute_exists(n)").Limit(40);
  absl::StatusOr<ScanResult> page = db_->Scan(filtered);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Visited(filtered), page->items);
  EXPECT_LT(page->items.size(), 40u);
}

TEST_P(ScanEachTest, FilterAndProjectionAsInScan) {
  PutVaried(200);
  const Scan scan = Scan()
                        .Filter("size(s) > :k")
                        .Value(":k", Value::Number(40))
                        .Project("pk, sk, n");
  const std::vector<Item> paged = PagedScan(scan);
  ASSERT_FALSE(paged.empty());
  EXPECT_EQ(Visited(scan), paged);
  for (const Item& item : paged) EXPECT_FALSE(item.Has("s"));
}

TEST_P(ScanEachTest, StartAfterContinuesAfterTheKey) {
  PutVaried(150);
  const std::vector<Item> all = Visited(Scan());
  ASSERT_GT(all.size(), 60u);
  const Item& middle = all[50];
  const Key key(*middle.Get("pk"), *middle.Get("sk"));
  const std::vector<Item> rest(all.begin() + 51, all.end());
  EXPECT_EQ(Visited(Scan().StartAfter(key)), rest);
}

TEST_P(ScanEachTest, RejectsWhatScanRejectsAndSelectCount) {
  auto visit = [](const Item&) { return true; };
  EXPECT_EQ(ErrorCodeOf(db_->ScanEach(Scan().SelectCount(), visit)),
            ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeOf(db_->ScanEach(Scan().Segment(3, 2), visit)),
            ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeOf(db_->ScanEach(Scan().Limit(0), visit)),
            ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeOf(db_->ScanEach(Scan().Filter("a = :undefined"), visit)),
            ErrorCode::kValidation);
}

TEST_P(ScanEachTest, TheVisitorMayWriteToTheDatabase) {
  PutVaried(120);
  const std::vector<Item> before = Visited(Scan());
  std::set<std::string> seen;
  int added = 0;
  absl::Status s = db_->ScanEach(Scan(), [&](const Item& item) {
    const std::string pk(item.Get("pk")->AsString());
    const std::string sk(item.Get("sk")->AsString());
    EXPECT_TRUE(seen.insert(pk + "/" + sk).second) << "visited twice";
    // Delete what was visited and add an item elsewhere: neither blocks.
    EXPECT_TRUE(db_->Delete(Key(pk, sk)).ok());
    EXPECT_TRUE(
        db_->Put(Key("new", absl::StrCat(added++)), ItemBuilder().Build())
            .ok());
    return true;
  });
  ASSERT_TRUE(s.ok()) << s;
  // Every item there at the start was visited (and deleted).
  for (const Item& item : before) {
    const std::string pk(item.Get("pk")->AsString());
    const std::string sk(item.Get("sk")->AsString());
    EXPECT_TRUE(seen.count(pk + "/" + sk)) << pk << "/" << sk;
  }
  EXPECT_GE(added, static_cast<int>(before.size()));
}

KSTONE_INSTANTIATE_BACKENDS(ScanEachTest);

}  // namespace
}  // namespace kstone
