// A TransactWrite of many items on disk, interrupted at every write and at
// every sync (through the fault-injecting file system) and followed by a
// crash (power loss: unsynced bytes dropped; or a dead process: the bytes
// written so far kept): after reopening, the transaction is wholly present
// or wholly absent, and present whenever it was acknowledged.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "api/database_testing.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::ScratchDir;

constexpr int kItems = 24;  // updated items, spread over many stripes

enum class Fault { kWrite, kSync };
enum class Crash { kPowerLoss, kProcessDeath };

std::string Pk(int i) { return absl::StrCat("acct-", i); }

TableSchema Schema() {
  return TableSchema().PartitionKey("pk", KeyType::kString).WithoutSortKey();
}

TransactWrite Transaction() {
  TransactWrite tx;
  for (int i = 0; i < kItems; ++i) {
    tx.Update(Key(Pk(i)), Update("SET n = :one, tag = :t")
                              .Value(":one", Value::Number(1))
                              .Value(":t", Value::String("tx")));
  }
  tx.Put(ItemBuilder().String("pk", "new").Number("n", 1).Build());
  tx.Delete(Key("gone"));
  tx.ConditionCheck(Key("guard"), ConditionCheck("attribute_exists(pk)"));
  return tx;
}

// How much of the transaction a database shows: every part (1), none (0),
// or a mix (-1).
int StateOf(Database& db) {
  int applied = 0;
  int absent = 0;
  auto count = [&](bool is_applied) { ++(is_applied ? applied : absent); };
  for (int i = 0; i < kItems; ++i) {
    absl::StatusOr<std::optional<Item>> got = db.Get(Key(Pk(i)));
    EXPECT_TRUE(got.ok() && got->has_value()) << Pk(i);
    if (!got.ok() || !got->has_value()) return -1;
    const Value* n = (*got)->Get("n");
    count(n != nullptr && n->AsNumber() == "1" && (*got)->Get("tag"));
  }
  absl::StatusOr<std::optional<Item>> added = db.Get(Key("new"));
  absl::StatusOr<std::optional<Item>> gone = db.Get(Key("gone"));
  EXPECT_TRUE(added.ok() && gone.ok());
  if (!added.ok() || !gone.ok()) return -1;
  count(added->has_value());
  count(!gone->has_value());
  if (absent == 0) return 1;
  if (applied == 0) return 0;
  return -1;
}

class TransactCrashTest : public ::testing::Test {
 protected:
  // One run: the fault after `n` writes or syncs of the transaction, then
  // the crash and a reopen. Returns false once the fault was never reached
  // (the transaction needed at most n of them).
  bool RunOnce(int n, Fault fault, Crash crash, SyncMode mode) {
    SCOPED_TRACE(absl::StrCat("n=", n, " fault=", static_cast<int>(fault),
                              " crash=", static_cast<int>(crash),
                              " sync=", static_cast<int>(mode)));
    const std::string path = dir_.Sub(
        absl::StrCat("db-", n, "-", static_cast<int>(fault), "-",
                     static_cast<int>(crash), "-", static_cast<int>(mode)));
    std::unique_ptr<core::FaultInjectionFileSystem> fs =
        DatabaseTesting::NewFaultInjectionFileSystem();
    Options options;
    options.sync_mode = mode;
    std::optional<Database> db;
    {
      absl::StatusOr<Database> made =
          DatabaseTesting::OpenDisk(path, Schema(), options, fs.get());
      EXPECT_TRUE(made.ok()) << made.status();
      if (!made.ok()) return false;
      db.emplace(std::move(*made));
    }
    // The setup: two batches (one synced WAL write each).
    BatchWrite first;
    BatchWrite second;
    for (int i = 0; i < kItems; ++i) {
      (i < kItems / 2 ? first : second)
          .Put(ItemBuilder().String("pk", Pk(i)).Number("n", 0).Build());
    }
    second.Put(ItemBuilder().String("pk", "gone").Build());
    second.Put(ItemBuilder().String("pk", "guard").Build());
    EXPECT_TRUE(db->BatchWrite(first).ok());
    EXPECT_TRUE(db->BatchWrite(second).ok());
    // The setup is durable whatever the sync mode.
    EXPECT_TRUE(db->Flush().ok());

    const uint64_t writes = fs->write_count();
    const uint64_t syncs = fs->sync_count();
    if (fault == Fault::kWrite) {
      fs->SetFailWriteAfter(n);
    } else {
      fs->SetFailSyncAfter(n);
    }
    const TransactWriteResult r = db->TransactWrite(Transaction());
    const uint64_t used = fault == Fault::kWrite ? fs->write_count() - writes
                                                 : fs->sync_count() - syncs;
    const bool acknowledged = r.ok();
    if (!acknowledged) {
      EXPECT_NE(ErrorCodeOf(r.status), ErrorCode::kTransactionCanceled)
          << r.status;
    }

    // The crash.
    fs->SetActive(false);
    db.reset();
    if (crash == Crash::kPowerLoss) {
      EXPECT_TRUE(fs->DropUnsyncedData().ok());
    }
    fs->SetActive(true);
    fs->SetFailWriteAfter(-1);
    fs->SetFailSyncAfter(-1);

    absl::StatusOr<Database> reopened =
        DatabaseTesting::OpenDisk(path, std::nullopt, options, fs.get());
    EXPECT_TRUE(reopened.ok()) << reopened.status();
    if (!reopened.ok()) return false;
    const int state = StateOf(*reopened);
    EXPECT_NE(state, -1) << "a part of the transaction survived";
    // An acknowledged transaction is durable when every commit is synced.
    if (acknowledged && mode == SyncMode::kEveryCommit) {
      EXPECT_EQ(state, 1);
    }
    return used > static_cast<uint64_t>(n);
  }

  void RunAll(Fault fault, Crash crash, SyncMode mode) {
    int n = 0;
    for (; n < 64; ++n) {
      if (!RunOnce(n, fault, crash, mode)) break;
      if (HasFailure()) return;
    }
    EXPECT_LT(n, 64) << "the transaction kept writing";
    // The transaction writes (and, synced, syncs) at least once, so the
    // fault hit it at least once. Under kNone its WAL record may stay in the
    // WAL's buffer (options.h) until after the crash, which then drops it
    // whole: no write of the transaction for a fault to hit.
    if (mode != SyncMode::kNone) {
      EXPECT_GE(n, 1);
    }
    ::testing::Test::RecordProperty(
        absl::StrCat("faults_", static_cast<int>(fault), "_",
                     static_cast<int>(crash), "_", static_cast<int>(mode)),
        n);
  }

  ScratchDir dir_;
};

TEST_F(TransactCrashTest, FailedWriteThenPowerLoss) {
  RunAll(Fault::kWrite, Crash::kPowerLoss, SyncMode::kEveryCommit);
}

TEST_F(TransactCrashTest, FailedWriteThenProcessDeath) {
  RunAll(Fault::kWrite, Crash::kProcessDeath, SyncMode::kEveryCommit);
}

TEST_F(TransactCrashTest, FailedSyncThenPowerLoss) {
  RunAll(Fault::kSync, Crash::kPowerLoss, SyncMode::kEveryCommit);
}

TEST_F(TransactCrashTest, UnsyncedTransactionThenPowerLoss) {
  // Nothing syncs the transaction: power loss drops it wholly (or, if the
  // OS had it, keeps it wholly).
  RunAll(Fault::kWrite, Crash::kPowerLoss, SyncMode::kNone);
  RunAll(Fault::kWrite, Crash::kProcessDeath, SyncMode::kNone);
}

}  // namespace
}  // namespace kstone
