// Creating, opening and reopening databases; options; locking.

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;
using ::kstone::testing::ScratchDir;
using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

class OpenTest : public BackendTest {};

TEST_P(OpenTest, SchemaSurvivesReopen) {
  if (!disk()) GTEST_SKIP() << "an in-memory database cannot be reopened";
  TableSchema schema = TableSchema()
                           .PartitionKey("user", KeyType::kNumber)
                           .SortKey("ts", KeyType::kBinary);
  {
    KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb(schema));
    KS_ASSERT_OK(db.Put(Key(Value::Number(7), Value::Binary("\x01")),
                        ItemBuilder().String("x", "y").Build()));
  }
  KS_ASSERT_OK_AND_ASSIGN(Database db, ReopenDb());
  EXPECT_EQ(db.schema(), schema);
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got,
                          db.Get(Key(Value::Number(7), Value::Binary("\x01"))));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->Get("user")->AsNumber(), "7");
  EXPECT_EQ(got->Get("x")->AsString(), "y");
}

TEST_P(OpenTest, HashOnlySchemaSurvivesReopen) {
  if (!disk()) GTEST_SKIP() << "an in-memory database cannot be reopened";
  {
    KS_ASSERT_OK_AND_ASSIGN(Database db,
                            CreateDb(TableSchema().WithoutSortKey()));
  }
  KS_ASSERT_OK_AND_ASSIGN(Database db, ReopenDb());
  EXPECT_FALSE(db.schema().has_sort_key());
}

TEST_P(OpenTest, ItemsSurviveReopenAfterFlush) {
  if (!disk()) GTEST_SKIP() << "an in-memory database cannot be reopened";
  {
    KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
    KS_ASSERT_OK(db.Put(Key("a"), ItemBuilder().Number("n", 1).Build()));
    KS_ASSERT_OK(db.Flush());
    KS_ASSERT_OK(db.Put(Key("b"), ItemBuilder().Number("n", 2).Build()));
  }
  KS_ASSERT_OK_AND_ASSIGN(Database db, ReopenDb());
  for (const char* k : {"a", "b"}) {
    KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key(k)));
    EXPECT_TRUE(got.has_value()) << k;
  }
}

TEST_P(OpenTest, InvalidOptionsAreValidationNamingTheField) {
  Options options;
  options.background_threads = 0;
  absl::StatusOr<Database> db = CreateDb(TableSchema(), options);
  EXPECT_THAT(db, StatusIs(absl::StatusCode::kInvalidArgument,
                           HasSubstr("background_threads")));
  EXPECT_EQ(ErrorCodeOf(db.status()), ErrorCode::kValidation);
}

TEST_P(OpenTest, InvalidSchemaIsValidation) {
  EXPECT_THAT(CreateDb(TableSchema().PartitionKey("")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(CreateDb(TableSchema().PartitionKey("k").SortKey("k")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"k\"")));
}

KSTONE_INSTANTIATE_BACKENDS(OpenTest);

TEST(OpenMemoryTest, OpenMemoryPathIsAFreshInMemoryDatabase) {
  KS_ASSERT_OK_AND_ASSIGN(Database a, Database::Open(":memory:"));
  KS_ASSERT_OK_AND_ASSIGN(Database b, Database::Open(":memory:"));
  EXPECT_TRUE(a.in_memory());
  EXPECT_EQ(a.path(), ":memory:");
  KS_ASSERT_OK(a.Put(Key("k"), Item()));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, b.Get(Key("k")));
  EXPECT_FALSE(got.has_value()) << "two :memory: opens are two databases";
}

TEST(OpenDiskTest, CreateOnExistingIsAlreadyExists) {
  ScratchDir dir;
  { KS_ASSERT_OK_AND_ASSIGN(Database db, Database::Create(dir.Sub("db"))); }
  absl::StatusOr<Database> again = Database::Create(dir.Sub("db"));
  EXPECT_EQ(ErrorCodeOf(again.status()), ErrorCode::kAlreadyExists)
      << again.status();
  absl::StatusOr<Database> with_schema = Database::CreateWithSchema(
      dir.Sub("db"), TableSchema().PartitionKey("x"));
  EXPECT_EQ(ErrorCodeOf(with_schema.status()), ErrorCode::kAlreadyExists);
  // The existing database is untouched.
  KS_ASSERT_OK_AND_ASSIGN(Database db, Database::Open(dir.Sub("db")));
  EXPECT_EQ(db.schema(), TableSchema());
}

TEST(OpenDiskTest, OpenMissingIsNotFound) {
  ScratchDir dir;
  absl::StatusOr<Database> db = Database::Open(dir.Sub("nothing-here"));
  EXPECT_EQ(ErrorCodeOf(db.status()), ErrorCode::kNotFound) << db.status();
  EXPECT_THAT(db.status().message(), HasSubstr("nothing-here"));
}

TEST(OpenDiskTest, OpenDirectoryThatIsNotADatabaseIsAClearError) {
  ScratchDir dir;
  std::ofstream(dir.Sub("notes.txt")) << "not a database\n";
  absl::StatusOr<Database> db = Database::Open(dir.path());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(ErrorCodeOf(db.status()), ErrorCode::kNotADatabase) << db.status();
  EXPECT_THAT(db.status().message(), HasSubstr(dir.path()));
  // And nothing was written into it.
  EXPECT_FALSE(Database::Open(dir.path()).ok());
}

TEST(OpenDiskTest, OpenEmptyDirectoryIsNotFound) {
  ScratchDir dir;
  absl::StatusOr<Database> db = Database::Open(dir.path());
  EXPECT_EQ(ErrorCodeOf(db.status()), ErrorCode::kNotFound) << db.status();
}

TEST(OpenDiskTest, CreateInAnEmptyExistingDirectory) {
  ScratchDir dir;
  KS_ASSERT_OK_AND_ASSIGN(Database db, Database::Create(dir.path()));
  KS_EXPECT_OK(db.Put(Key("k"), Item()));
}

TEST(OpenDiskTest, SecondOpenWhileOpenIsLocked) {
  ScratchDir dir;
  KS_ASSERT_OK_AND_ASSIGN(Database db, Database::Create(dir.Sub("db")));
  absl::StatusOr<Database> second = Database::Open(dir.Sub("db"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(ErrorCodeOf(second.status()), ErrorCode::kLocked)
      << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("locked"));
}

TEST(OpenDiskTest, SecondOpenFromAnotherProcessIsLocked) {
  ScratchDir dir;
  KS_ASSERT_OK_AND_ASSIGN(Database db, Database::Create(dir.Sub("db")));
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: exit 0 only if the open fails with LOCKED. No gtest here.
    absl::StatusOr<Database> other = Database::Open(dir.Sub("db"));
    _exit(!other.ok() && ErrorCodeOf(other.status()) == ErrorCode::kLocked ? 0
                                                                           : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0) << "the child could open a locked db";
}

TEST(OpenDiskTest, ReopenAfterLastHandleGoes) {
  ScratchDir dir;
  {
    KS_ASSERT_OK_AND_ASSIGN(Database db, Database::Create(dir.Sub("db")));
    Database copy = db;
    KS_ASSERT_OK(copy.Put(Key("k"), Item()));
  }  // both handles gone: the lock is released
  KS_ASSERT_OK_AND_ASSIGN(Database db, Database::Open(dir.Sub("db")));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key("k")));
  EXPECT_TRUE(got.has_value());
}

TEST(OptionsTest, DefaultsAreValid) { KS_EXPECT_OK(Options().Validate()); }

// total_memtable_bytes = 0 (the default) picks the cap for the medium, and
// is never below the per-stripe limit.
TEST(OptionsTest, ZeroTotalMemtableBytesMeansTheDefaultForTheMedium) {
  Options options;
  EXPECT_EQ(options.total_memtable_bytes, 0u);
  KS_EXPECT_OK(options.Validate());
  options.memtable_max_bytes_per_stripe = 512 << 20;  // above both defaults
  KS_EXPECT_OK(options.Validate());
  absl::StatusOr<Database> db = Database::CreateInMemory(options);
  KS_ASSERT_OK(db.status());
  KS_EXPECT_OK(
      db->Put(Key("a"), ItemBuilder().Set("v", Value::Number("1")).Build()));
}

TEST(OptionsTest, EachFieldIsRangeChecked) {
  struct Case {
    const char* field;
    void (*mutate)(Options*);
  };
  const Case cases[] = {
      {"memtable_max_records_per_stripe",
       [](Options* o) { o->memtable_max_records_per_stripe = 0; }},
      {"memtable_max_bytes_per_stripe",
       [](Options* o) { o->memtable_max_bytes_per_stripe = 10; }},
      {"total_memtable_bytes", [](Options* o) { o->total_memtable_bytes = 1; }},
      {"total_memtable_bytes",
       [](Options* o) {
         o->memtable_max_bytes_per_stripe = 512 << 20;
         o->total_memtable_bytes = 256 << 20;
       }},
      {"sync_interval_ms",
       [](Options* o) {
         o->sync_mode = SyncMode::kInterval;
         o->sync_interval_ms = 0;
       }},
      {"background_threads", [](Options* o) { o->background_threads = 0; }},
      {"background_threads", [](Options* o) { o->background_threads = 1000; }},
      {"max_tables_per_stripe",
       [](Options* o) { o->max_tables_per_stripe = 0; }},
      {"idle_compaction_ms",
       [](Options* o) { o->idle_compaction_ms = 3600 * 1000 + 1; }},
      {"wal_segment_bytes", [](Options* o) { o->wal_segment_bytes = 100; }},
      {"bloom_bits_per_key", [](Options* o) { o->bloom_bits_per_key = -1; }},
  };
  for (const Case& c : cases) {
    Options options;
    c.mutate(&options);
    EXPECT_THAT(options.Validate(), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr(c.field)))
        << c.field;
  }
}

}  // namespace
}  // namespace kstone
