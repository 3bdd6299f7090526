// One conformance suite for TableStore and its ManifestLog, run on the memory
// store and on the disk store (MemFileSystem and PosixFileSystem).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/table_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/storage/table_store_factories.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class TableStoreConformanceTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    KS_ASSERT_OK_AND_ASSIGN(env_, MakeTestStore(GetParam()));
  }
  TableStore* store() { return env_->store(); }

  // Builds table `number` holding keys k0..k<n-1>.
  void BuildTable(uint64_t number, int n) {
    KS_ASSERT_OK_AND_ASSIGN(auto builder, store()->NewTable(number));
    for (int i = 0; i < n; ++i) {
      std::string key = absl::StrCat("k", 1000 + i);
      KS_ASSERT_OK(builder->Add({key, 1, RecordType::kValue, "value"}));
    }
    KS_ASSERT_OK_AND_ASSIGN(TableMeta meta, builder->Finish());
    EXPECT_EQ(meta.number, number);
  }

  std::unique_ptr<TestStore> env_;
};

TEST_P(TableStoreConformanceTest, NewStoreIsEmpty) {
  KS_ASSERT_OK_AND_ASSIGN(auto tables, store()->ListTables());
  EXPECT_THAT(tables, IsEmpty());
  KS_ASSERT_OK_AND_ASSIGN(auto records, store()->manifest()->ReadAll());
  EXPECT_THAT(records, IsEmpty());
}

TEST_P(TableStoreConformanceTest, CreateOpenListDelete) {
  BuildTable(3, 10);
  BuildTable(12, 20);
  BuildTable(7, 0);
  KS_ASSERT_OK_AND_ASSIGN(auto tables, store()->ListTables());
  EXPECT_THAT(tables, ElementsAre(3, 7, 12));

  KS_ASSERT_OK_AND_ASSIGN(auto t12, store()->OpenTable(12));
  EXPECT_EQ(t12->meta().entries, 20u);
  EXPECT_EQ(t12->meta().number, 12u);
  KS_ASSERT_OK_AND_ASSIGN(auto got, t12->Get("k1005"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->value, "value");
  // Opening twice gives a usable table both times.
  KS_ASSERT_OK_AND_ASSIGN(auto again, store()->OpenTable(12));
  EXPECT_EQ(again->meta().entries, 20u);

  KS_ASSERT_OK(store()->DeleteTable(3));
  KS_ASSERT_OK_AND_ASSIGN(tables, store()->ListTables());
  EXPECT_THAT(tables, ElementsAre(7, 12));
  EXPECT_THAT(store()->OpenTable(3),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_P(TableStoreConformanceTest, MissingTablesAreNotFound) {
  EXPECT_THAT(store()->OpenTable(99),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(store()->DeleteTable(99),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST_P(TableStoreConformanceTest, NewTableWithUsedNumberIsAlreadyExists) {
  BuildTable(5, 1);
  EXPECT_THAT(store()->NewTable(5),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("5")));
}

TEST_P(TableStoreConformanceTest, UnfinishedTablesAreListedUntilAbandoned) {
  KS_ASSERT_OK_AND_ASSIGN(auto builder, store()->NewTable(8));
  KS_ASSERT_OK(builder->Add({"a", 1, RecordType::kValue, "v"}));
  KS_ASSERT_OK_AND_ASSIGN(auto tables, store()->ListTables());
  EXPECT_THAT(tables, ElementsAre(8));
  builder->Abandon();
  KS_ASSERT_OK_AND_ASSIGN(tables, store()->ListTables());
  EXPECT_THAT(tables, IsEmpty());
  // The number can be used again once abandoned.
  BuildTable(8, 3);
  KS_ASSERT_OK_AND_ASSIGN(auto t8, store()->OpenTable(8));
  EXPECT_EQ(t8->meta().entries, 3u);
}

TEST_P(TableStoreConformanceTest, DeletedTableStaysReadableThroughHandle) {
  BuildTable(4, 300);
  KS_ASSERT_OK_AND_ASSIGN(auto table, store()->OpenTable(4));
  KS_ASSERT_OK(store()->DeleteTable(4));
  auto it = table->NewIterator();
  int count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  KS_EXPECT_OK(it->status());
  EXPECT_EQ(count, 300);
  KS_ASSERT_OK_AND_ASSIGN(auto got, table->Get("k1299"));
  EXPECT_TRUE(got.has_value());
}

TEST_P(TableStoreConformanceTest, ManifestAppendReadRewrite) {
  ManifestLog* log = store()->manifest();
  KS_ASSERT_OK(log->Append("one"));
  KS_ASSERT_OK(log->Append(std::string(100000, 'x')));
  KS_ASSERT_OK(log->Append(""));
  KS_ASSERT_OK(log->Append(std::string("\0\xff", 2)));
  KS_ASSERT_OK_AND_ASSIGN(auto records, log->ReadAll());
  EXPECT_THAT(records, ElementsAre("one", std::string(100000, 'x'), "",
                                   std::string("\0\xff", 2)));

  KS_ASSERT_OK(log->Rewrite({"snapshot"}));
  KS_ASSERT_OK(log->Append("edit"));
  KS_ASSERT_OK_AND_ASSIGN(records, log->ReadAll());
  EXPECT_THAT(records, ElementsAre("snapshot", "edit"));

  KS_ASSERT_OK(log->Rewrite({}));
  KS_ASSERT_OK_AND_ASSIGN(records, log->ReadAll());
  EXPECT_THAT(records, IsEmpty());
}

// Disk stores keep tables and the manifest across a reopen.
TEST_P(TableStoreConformanceTest, ReopenKeepsTablesAndManifest) {
  if (GetParam() == StoreKind::kMemory) GTEST_SKIP() << "nothing to reopen";
  BuildTable(2, 50);
  KS_ASSERT_OK(store()->manifest()->Append("edit 1"));
  KS_ASSERT_OK(store()->manifest()->Rewrite({"base", "edit 2"}));
  KS_ASSERT_OK(env_->Reopen());
  KS_ASSERT_OK_AND_ASSIGN(auto tables, store()->ListTables());
  EXPECT_THAT(tables, ElementsAre(2));
  KS_ASSERT_OK_AND_ASSIGN(auto t2, store()->OpenTable(2));
  EXPECT_EQ(t2->meta().entries, 50u);
  EXPECT_EQ(t2->meta().smallest_key, "k1000");
  EXPECT_EQ(t2->meta().largest_key, "k1049");
  KS_ASSERT_OK_AND_ASSIGN(auto records, store()->manifest()->ReadAll());
  EXPECT_THAT(records, ElementsAre("base", "edit 2"));
}

INSTANTIATE_TEST_SUITE_P(AllStores, TableStoreConformanceTest,
                         ::testing::ValuesIn(AllStoreKinds()),
                         [](const auto& param_info) {
                           return StoreKindName(param_info.param);
                         });

}  // namespace
}  // namespace kstone::core
