// Query and Scan on both backends: sort-key conditions as key ranges,
// reverse order, filter / limit / projection / count, pagination, segments,
// flushes, deletes, reopen, validation, and a randomized model check.

#include "kstone/query.h"

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/database.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;

TableSchema StringSchema() {
  return TableSchema().PartitionKey("pk", KeyType::kString).SortKey("sk");
}

// Sort keys of mixed lengths (and a NUL byte), in the order S keys sort.
const std::vector<std::string>& MixedKeys() {
  static const auto* keys =
      new std::vector<std::string>{"a",       std::string("a\0", 2),
                                   "aa",      "aab",
                                   "ab",      "b",
                                   "ba",      "bab",
                                   "bb",      "c",
                                   "ca",      "caaa",
                                   "cb",      "d",
                                   "zzz",     "\x7f",
                                   "\xc3\xa9"};
  return *keys;
}

std::string SortOf(const Item& item) {
  const Value* v = item.Get("sk");
  return v == nullptr ? "<none>" : std::string(v->AsString());
}

std::vector<std::string> SortKeys(const QueryResult& page) {
  std::vector<std::string> out;
  for (const Item& item : page.items) out.push_back(SortOf(item));
  return out;
}

class QueryTest : public BackendTest {
 protected:
  void SetUp() override {
    absl::StatusOr<Database> db = CreateDb(StringSchema());
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(std::move(*db));
  }

  // Puts the mixed keys into partition "p" (plus neighbours "o" and "q"),
  // each with n = its index.
  void PutMixed() {
    int i = 0;
    for (const std::string& sk : MixedKeys()) {
      for (const char* pk : {"o", "p", "q"}) {
        ASSERT_TRUE(
            db_->Put(Key(pk, sk), ItemBuilder().Number("n", i).Build()).ok());
      }
      ++i;
    }
  }

  // All pages of `q` (every item once, in order), checking the counts.
  std::vector<std::string> QueryAll(Query q, int* pages = nullptr) {
    std::vector<std::string> out;
    int n = 0;
    for (;;) {
      absl::StatusOr<QueryResult> page = db_->Query(q);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      EXPECT_EQ(page->count, static_cast<int64_t>(page->items.size()));
      for (const std::string& s : SortKeys(*page)) out.push_back(s);
      ++n;
      if (!page->last_key) break;
      if (n > 1000) {
        ADD_FAILURE() << "too many pages";
        break;
      }
      q.StartAfter(*page->last_key);
    }
    if (pages != nullptr) *pages = n;
    return out;
  }

  // The model: the mixed keys matching `pred`, in order (or reversed).
  template <typename Pred>
  std::vector<std::string> Expected(Pred pred, bool reverse = false) {
    std::vector<std::string> keys = MixedKeys();
    std::sort(keys.begin(), keys.end());
    std::vector<std::string> out;
    for (const std::string& k : keys) {
      if (pred(k)) out.push_back(k);
    }
    if (reverse) std::reverse(out.begin(), out.end());
    return out;
  }

  std::optional<Database> db_;
};

TEST_P(QueryTest, EverySortOperatorWithMixedLengthKeys) {
  PutMixed();
  const std::vector<std::string> bounds = {"",    "a", "aa", "ab",   "b",
                                           "bab", "c", "cz", "zzzz", "\xc3"};
  for (const std::string& b : bounds) {
    for (bool rev : {false, true}) {
      SCOPED_TRACE(absl::StrCat("bound '", b, "' reverse ", rev));
      auto run = [&](Query q) { return QueryAll(q.Reverse(rev)); };
      EXPECT_EQ(run(Query("p").SortKeyEquals(b)),
                Expected([&](auto& k) { return k == b; }, rev));
      EXPECT_EQ(run(Query("p").SortKeyLessThan(b)),
                Expected([&](auto& k) { return k < b; }, rev));
      EXPECT_EQ(run(Query("p").SortKeyLessOrEqual(b)),
                Expected([&](auto& k) { return k <= b; }, rev));
      EXPECT_EQ(run(Query("p").SortKeyGreaterThan(b)),
                Expected([&](auto& k) { return k > b; }, rev));
      EXPECT_EQ(run(Query("p").SortKeyGreaterOrEqual(b)),
                Expected([&](auto& k) { return k >= b; }, rev));
      EXPECT_EQ(run(Query("p").SortKeyBeginsWith(b)),
                Expected([&](auto& k) { return k.rfind(b, 0) == 0; }, rev));
      if (b <= "c") {
        EXPECT_EQ(run(Query("p").SortKeyBetween(b, "c")),
                  Expected([&](auto& k) { return k >= b && k <= "c"; }, rev));
      } else {
        EXPECT_EQ(
            ErrorCodeOf(db_->Query(Query("p").SortKeyBetween(b, "c")).status()),
            ErrorCode::kValidation);
      }
    }
  }
  EXPECT_EQ(QueryAll(Query("p")), Expected([](auto&) { return true; }));
  EXPECT_EQ(QueryAll(Query("p").Reverse()),
            Expected([](auto&) { return true; }, true));
  EXPECT_TRUE(QueryAll(Query("nothing")).empty());
}

TEST_P(QueryTest, NumberSortKeysSortNumerically) {
  const TableSchema schema =
      TableSchema().PartitionKey("pk").SortKey("sk", KeyType::kNumber);
  absl::StatusOr<Database> ndb =
      disk() ? Database::CreateWithSchema(dir_.Sub("numbers"), schema)
             : Database::CreateInMemoryWithSchema(schema);
  ASSERT_TRUE(ndb.ok()) << ndb.status();
  for (const char* n : {"-10", "-1.5", "0", "2", "10", "100", "1e3"}) {
    ASSERT_TRUE(
        ndb->Put(Key(Value::String("p"), Value::Number(n)), Item()).ok());
  }
  absl::StatusOr<QueryResult> r = ndb->Query(
      Query("p").SortKeyBetween(Value::Number(-2), Value::Number(10)));
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> got;
  for (const Item& item : r->items) {
    got.push_back(std::string(item.Get("sk")->AsNumber()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"-1.5", "0", "2", "10"}));
  EXPECT_THAT(ndb->Query(Query("p").SortKeyBeginsWith(Value::Number(1))),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                ::testing::HasSubstr("begins_with")));
}

TEST_P(QueryTest, KeyConditionExpressionForm) {
  PutMixed();
  absl::StatusOr<QueryResult> r =
      db_->Query(Query()
                     .KeyCondition("pk = :p AND begins_with(#s, :s)")
                     .Name("#s", "sk")
                     .Value(":p", Value::String("p"))
                     .Value(":s", Value::String("b")));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(SortKeys(*r), (std::vector<std::string>{"b", "ba", "bab", "bb"}));
  r = db_->Query(Query()
                     .KeyCondition(":lo <= sk AND pk = :p")
                     .Value(":p", Value::String("p"))
                     .Value(":lo", Value::String("zz"))
                     .Reverse());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(SortKeys(*r),
            (std::vector<std::string>{"\xc3\xa9", "\x7f", "zzz"}));
}

TEST_P(QueryTest, FilterAppliesAfterLimit) {
  PutMixed();
  // n is the index in MixedKeys(); keep the even ones.
  absl::StatusOr<QueryResult> r = db_->Query(
      Query("p").Limit(4).Filter("n < :x").Value(":x", Value::Number(3)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->scanned_count, 4);
  // The first four in order: "a"(0), "a\0"(1), "aa"(2), "aab"(3).
  EXPECT_EQ(r->count, 3);
  EXPECT_EQ(SortKeys(*r),
            (std::vector<std::string>{"a", std::string("a\0", 2), "aa"}));
  ASSERT_TRUE(r->last_key.has_value());
  EXPECT_EQ(*r->last_key, Key("p", "aab"));

  // A page may be empty and still continue.
  r = db_->Query(
      Query("p").Limit(2).Filter("n > :x").Value(":x", Value::Number(100)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count, 0);
  EXPECT_EQ(r->scanned_count, 2);
  EXPECT_TRUE(r->items.empty());
  EXPECT_TRUE(r->last_key.has_value());

  // Without a limit, the filter sees the whole partition.
  r = db_->Query(Query("p").Filter("n >= :x").Value(":x", Value::Number(15)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scanned_count, static_cast<int64_t>(MixedKeys().size()));
  EXPECT_EQ(r->count, static_cast<int64_t>(MixedKeys().size()) - 15);
  EXPECT_FALSE(r->last_key.has_value());
}

TEST_P(QueryTest, ProjectionAndCount) {
  ASSERT_TRUE(
      db_->Put(
             Key("p", "1"),
             ItemBuilder()
                 .Number("a", 1)
                 .Map("m", ItemBuilder().Number("x", 1).Number("y", 2).Build())
                 .Build())
          .ok());
  absl::StatusOr<QueryResult> r =
      db_->Query(Query("p").Project("#m.y, sk").Name("#m", "m"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0], ItemBuilder()
                             .String("sk", "1")
                             .Map("m", ItemBuilder().Number("y", 2).Build())
                             .Build());
  // Full items carry their key attributes.
  r = db_->Query(Query("p"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].Get("pk")->AsString(), "p");
  EXPECT_EQ(r->items[0].Get("sk")->AsString(), "1");

  PutMixed();
  r = db_->Query(Query("p").SelectCount());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->items.empty());
  EXPECT_EQ(r->count, static_cast<int64_t>(MixedKeys().size()) + 1);
  EXPECT_EQ(r->scanned_count, r->count);
  absl::StatusOr<ScanResult> s = db_->Scan(Scan().SelectCount());
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->items.empty());
  EXPECT_EQ(s->count, 3 * static_cast<int64_t>(MixedKeys().size()) + 1);
}

TEST_P(QueryTest, EveryLimitVisitsEachItemOnce) {
  PutMixed();
  const int n = static_cast<int>(MixedKeys().size());
  const std::vector<std::string> all = Expected([](auto&) { return true; });
  const std::vector<std::string> all_rev =
      Expected([](auto&) { return true; }, true);
  for (int limit = 1; limit <= n + 1; ++limit) {
    SCOPED_TRACE(absl::StrCat("limit ", limit));
    int pages = 0;
    EXPECT_EQ(QueryAll(Query("p").Limit(limit), &pages), all);
    EXPECT_EQ(pages, (n + limit - 1) / limit);  // no trailing empty page
    EXPECT_EQ(QueryAll(Query("p").Limit(limit).Reverse()), all_rev);
    EXPECT_EQ(QueryAll(Query("p").SortKeyGreaterThan("b").Limit(limit)),
              Expected([](auto& k) { return k > "b"; }));

    // Scan: every (pk, sk) exactly once.
    std::multiset<std::string> seen;
    Scan scan = Scan().Limit(limit);
    for (int guard = 0; guard < 1000; ++guard) {
      absl::StatusOr<ScanResult> page = db_->Scan(scan);
      ASSERT_TRUE(page.ok()) << page.status();
      EXPECT_LE(page->scanned_count, limit);
      for (const Item& item : page->items) {
        seen.insert(absl::StrCat(std::string(item.Get("pk")->AsString()), "/",
                                 SortOf(item)));
      }
      if (!page->last_key) break;
      scan.StartAfter(*page->last_key);
    }
    EXPECT_EQ(seen.size(), 3u * n);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 3u * n);
  }
}

TEST_P(QueryTest, ScanSegmentsAreDisjointAndComplete) {
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(db_->Put(Key(absl::StrCat("k", i), "s"), Item()).ok());
  }
  for (int total : {1, 2, 3, 7, 256}) {
    SCOPED_TRACE(absl::StrCat("segments ", total));
    std::multiset<std::string> seen;
    for (int seg = 0; seg < total; ++seg) {
      absl::StatusOr<ScanResult> r = db_->Scan(Scan().Segment(seg, total));
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_FALSE(r->last_key.has_value());
      for (const Item& item : r->items) {
        seen.insert(std::string(item.Get("pk")->AsString()));
      }
    }
    EXPECT_EQ(seen.size(), 300u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 300u);
  }
  EXPECT_EQ(ErrorCodeOf(db_->Scan(Scan().Segment(2, 2)).status()),
            ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeOf(db_->Scan(Scan().Segment(0, 257)).status()),
            ErrorCode::kValidation);
}

TEST_P(QueryTest, AfterFlushDeletesAndReopen) {
  PutMixed();
  ASSERT_TRUE(db_->Flush().ok());
  const std::vector<std::string> all = Expected([](auto&) { return true; });
  EXPECT_EQ(QueryAll(Query("p").Limit(3)), all);
  // Delete some keys after the flush (tombstones over tables).
  for (const char* sk : {"a", "bab", "\xc3\xa9"}) {
    ASSERT_TRUE(db_->Delete(Key("p", sk)).ok());
  }
  auto kept = [](const std::string& k) {
    return k != "a" && k != "bab" && k != "\xc3\xa9";
  };
  EXPECT_EQ(QueryAll(Query("p").Limit(2)), Expected(kept));
  EXPECT_EQ(QueryAll(Query("p").Reverse()), Expected(kept, true));
  absl::StatusOr<ScanResult> s = db_->Scan(Scan().SelectCount());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->count, 3 * static_cast<int64_t>(MixedKeys().size()) - 3);
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(QueryAll(Query("p")), Expected(kept));
  if (!disk()) return;
  db_.reset();
  absl::StatusOr<Database> db = ReopenDb();
  ASSERT_TRUE(db.ok()) << db.status();
  db_.emplace(std::move(*db));
  EXPECT_EQ(QueryAll(Query("p").Limit(4)), Expected(kept));
  s = db_->Scan(Scan().SelectCount());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->count, 3 * static_cast<int64_t>(MixedKeys().size()) - 3);
}

TEST_P(QueryTest, Validation) {
  PutMixed();
  auto code = [&](const absl::StatusOr<QueryResult>& r) {
    return ErrorCodeOf(r.status());
  };
  EXPECT_EQ(code(db_->Query(Query("p").StartAfter(Key("q", "a")))),
            ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(
                Query("p").SortKeyGreaterThan("a").StartAfter(Key("p", "0")))),
            ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query("p").Limit(0))), ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query())), ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query(Value::Number(1)))), ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query("p").SortKeyEquals(Value::Number(1)))),
            ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query("p").SortKeyBetween("c", "a"))),
            ErrorCode::kValidation);
  // Unused and undefined placeholders.
  EXPECT_EQ(code(db_->Query(Query("p").Value(":x", Value::Number(1)))),
            ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(
                Query("p").Filter("n = :x").Value(":y", Value::Number(1)))),
            ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query("p").Filter("n = :x"))),
            ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query("p").Project("n").Name("#u", "u"))),
            ErrorCode::kValidation);
  // Query filters may not use key attributes; Scan filters may.
  EXPECT_EQ(code(db_->Query(
                Query("p").Filter("sk = :x").Value(":x", Value::String("a")))),
            ErrorCode::kValidation);
  absl::StatusOr<ScanResult> s =
      db_->Scan(Scan().Filter("sk = :x").Value(":x", Value::String("a")));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->count, 3);
  // Both key condition forms at once; a projection with COUNT.
  EXPECT_EQ(code(db_->Query(Query("p").KeyCondition("pk = :p").Value(
                ":p", Value::String("p")))),
            ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query("p").SelectCount().Project("n"))),
            ErrorCode::kValidation);
  EXPECT_EQ(code(db_->Query(Query().KeyCondition("pk > :p").Value(
                ":p", Value::String("p")))),
            ErrorCode::kValidation);
  // A scan start key outside its segment.
  EXPECT_EQ(ErrorCodeOf(db_->Scan(Scan().Segment(0, 256).StartAfter(
                                      Key("zz-not-stripe-0", "a")))
                            .status()),
            ErrorCode::kValidation);
}

TEST_P(QueryTest, RandomizedAgainstModel) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  std::map<std::pair<std::string, std::string>, int> model;
  auto rand_str = [&](int max_len) {
    std::string s(1 + rng() % max_len, 'a');
    for (char& c : s) c = static_cast<char>('a' + rng() % 3);
    return s;
  };
  for (int step = 0; step < 600; ++step) {
    const std::string pk = absl::StrCat("p", rng() % 4);
    const std::string sk = rand_str(4);
    if (rng() % 4 == 0) {
      ASSERT_TRUE(db_->Delete(Key(pk, sk)).ok());
      model.erase({pk, sk});
    } else {
      const int v = static_cast<int>(rng() % 100);
      ASSERT_TRUE(
          db_->Put(Key(pk, sk), ItemBuilder().Number("v", v).Build()).ok());
      model[{pk, sk}] = v;
    }
    if (step == 300) {
      ASSERT_TRUE(db_->Flush().ok());
    }
  }
  for (int round = 0; round < 40; ++round) {
    const std::string pk = absl::StrCat("p", rng() % 4);
    const std::string lo = rand_str(3);
    const bool rev = rng() % 2 == 0;
    const int limit = 1 + static_cast<int>(rng() % 7);
    const int min_v = static_cast<int>(rng() % 100);
    SCOPED_TRACE(absl::StrCat("round ", round, " pk ", pk, " sk >= ", lo,
                              " reverse ", rev, " limit ", limit));
    std::vector<std::string> expected;
    for (const auto& [k, v] : model) {
      if (k.first == pk && k.second >= lo && v >= min_v)
        expected.push_back(k.second);
    }
    if (rev) std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(QueryAll(Query(pk)
                           .SortKeyGreaterOrEqual(lo)
                           .Reverse(rev)
                           .Limit(limit)
                           .Filter("v >= :m")
                           .Value(":m", Value::Number(min_v))),
              expected);
  }
  std::set<std::pair<std::string, std::string>> scanned;
  Scan scan = Scan().Limit(13);
  for (int guard = 0; guard < 1000; ++guard) {
    absl::StatusOr<ScanResult> page = db_->Scan(scan);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const Item& item : page->items) {
      auto key =
          std::make_pair(std::string(item.Get("pk")->AsString()), SortOf(item));
      EXPECT_TRUE(scanned.insert(key).second) << key.first << "/" << key.second;
      auto it = model.find(key);
      ASSERT_NE(it, model.end());
      EXPECT_EQ(item.Get("v")->AsNumber(), absl::StrCat(it->second));
    }
    if (!page->last_key) break;
    scan.StartAfter(*page->last_key);
  }
  EXPECT_EQ(scanned.size(), model.size());
}

KSTONE_INSTANTIATE_BACKENDS(QueryTest);

}  // namespace
}  // namespace kstone
