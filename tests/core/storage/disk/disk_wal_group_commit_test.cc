// Group commit of the disk WAL: a leader held inside its sync while
// followers queue behind it (deterministic, no timing involved), the gather
// of a synced group's leader shown by its counters, and many concurrent
// synced writers whose acknowledged records all replay in order, and all
// survive a power loss.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/disk_wal_test_hooks.h"
#include "core/storage/disk/fault_injection_file_system.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/util/status_macros.h"
#include "gtest/gtest.h"
#include "tests/core/storage/disk/gate_file_system.h"
#include "tests/core/storage/disk/wal_test_batches.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

constexpr char kDir[] = "/db";

// The first_seq of every batch in the log, in log order.
std::vector<uint64_t> ReplayedSeqs(FileSystem* fs) {
  std::vector<uint64_t> seqs;
  absl::StatusOr<std::unique_ptr<Wal>> wal = OpenDiskWal(fs, kDir, 1 << 20);
  EXPECT_TRUE(wal.ok()) << wal.status();
  if (!wal.ok()) return seqs;
  absl::StatusOr<WalReplayReport> report =
      (*wal)->Replay([&](const WriteBatch& batch) {
        seqs.push_back(batch.first_seq);
        return absl::OkStatus();
      });
  EXPECT_TRUE(report.ok()) << report.status();
  return seqs;
}

TEST(DiskWalGroupCommitTest, WritersQueuedBehindALeaderShareOneSync) {
  constexpr int kFollowers = 7;
  GateFileSystem fs;
  KS_ASSERT_OK(fs.CreateDir(kDir));
  KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Wal> wal,
                          OpenDiskWal(&fs, kDir, 1 << 20));
  KS_ASSERT_OK(
      wal->Append(OneRecordBatch(1, 10), true));  // creates the segment
  const int syncs_before = fs.syncs();
  const int appends_before = fs.appends();

  // A leader stuck in its sync; followers queue up behind it.
  fs.Close();
  std::vector<absl::Status> results(kFollowers + 1);
  std::vector<std::thread> threads;
  threads.emplace_back(
      [&] { results[0] = wal->Append(OneRecordBatch(2, 10), true); });
  fs.AwaitSyncWaiting();
  for (int i = 1; i <= kFollowers; ++i) {
    threads.emplace_back(
        [&, i] { results[i] = wal->Append(OneRecordBatch(2 + i, 10), true); });
  }
  while (TEST_DiskWalQueuedWriters(wal.get()) < kFollowers + 1) {
    std::this_thread::yield();
  }
  fs.Open();
  for (auto& t : threads) t.join();
  for (const absl::Status& s : results) KS_EXPECT_OK(s);

  // One sync for the leader, one for the whole group of followers.
  EXPECT_EQ(fs.syncs() - syncs_before, 2);
  EXPECT_EQ(fs.appends() - appends_before, 2);
  EXPECT_LT(fs.syncs() - syncs_before, kFollowers + 1);

  // Each batch is in the log exactly once.
  wal.reset();
  KS_ASSERT_OK_AND_ASSIGN(wal, OpenDiskWal(&fs, kDir, 1 << 20));
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK(wal->Replay([&](const WriteBatch& batch) {
                    seqs.push_back(batch.first_seq);
                    return absl::OkStatus();
                  })
                   .status());
  std::sort(seqs.begin(), seqs.end());
  std::vector<uint64_t> expected;
  for (uint64_t seq = 1; seq <= kFollowers + 2; ++seq) expected.push_back(seq);
  EXPECT_EQ(seqs, expected);
}

TEST(DiskWalGroupCommitTest, LoneSyncedWriterNeverGathers) {
  GateFileSystem fs;
  fs.SetSyncYields(50);  // syncs take a while: a gather would have time
  KS_ASSERT_OK(fs.CreateDir(kDir));
  KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Wal> wal,
                          OpenDiskWal(&fs, kDir, 1 << 20));
  constexpr int kAppends = 200;
  for (int i = 1; i <= kAppends; ++i) {
    KS_ASSERT_OK(wal->Append(OneRecordBatch(i, 10), true));
  }
  const DiskWalGroupCounters counters = TEST_DiskWalGroupCounters(wal.get());
  EXPECT_EQ(counters.synced_groups, uint64_t{kAppends});
  EXPECT_EQ(counters.synced_appends, uint64_t{kAppends});
  EXPECT_EQ(counters.gathers, 0u);
  EXPECT_GT(counters.sync_time, absl::ZeroDuration());
}

TEST(DiskWalGroupCommitTest, LeaderAfterAGroupThatLeftWritersQueuedGathers) {
  GateFileSystem fs;
  KS_ASSERT_OK(fs.CreateDir(kDir));
  KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Wal> wal,
                          OpenDiskWal(&fs, kDir, 1 << 20));
  KS_ASSERT_OK(wal->Append(OneRecordBatch(1, 10), true));

  // A syncs alone while B and C queue: 3 writers are about. B then leads
  // {B, C} and waits for a third writer, who never comes.
  fs.Close();
  absl::Status a, b, c;
  std::thread ta([&] { a = wal->Append(OneRecordBatch(2, 10), true); });
  fs.AwaitSyncWaiting();
  std::thread tb([&] { b = wal->Append(OneRecordBatch(3, 10), true); });
  while (TEST_DiskWalQueuedWriters(wal.get()) < 2) std::this_thread::yield();
  std::thread tc([&] { c = wal->Append(OneRecordBatch(4, 10), true); });
  while (TEST_DiskWalQueuedWriters(wal.get()) < 3) std::this_thread::yield();
  const int syncs_before = fs.syncs();
  fs.Open();
  ta.join();
  tb.join();
  tc.join();
  KS_EXPECT_OK(a);
  KS_EXPECT_OK(b);
  KS_EXPECT_OK(c);
  const DiskWalGroupCounters counters = TEST_DiskWalGroupCounters(wal.get());
  EXPECT_EQ(counters.gathers, 1u);
  EXPECT_EQ(counters.gathers_reached, 0u);
  EXPECT_EQ(counters.synced_groups, 3u);  // {1}, {A}, {B, C}
  EXPECT_EQ(counters.synced_appends, 4u);
  EXPECT_EQ(fs.syncs() - syncs_before, 1);  // {B, C}; A's was counted

  wal.reset();
  // B queued before C, and both after A.
  EXPECT_EQ(ReplayedSeqs(&fs), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(DiskWalGroupCommitTest, ConcurrentSyncedWritersReplayAcknowledgedInOrder) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  GateFileSystem fs;
  fs.SetSyncYields(20);
  KS_ASSERT_OK(fs.CreateDir(kDir));
  KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Wal> wal,
                          OpenDiskWal(&fs, kDir, 1 << 20));

  // acked: seqs in the order their Append returned. acked_before[seq]: how
  // many had returned when that seq's Append began; all of those must be
  // earlier in the log.
  absl::Mutex mu;
  std::vector<uint64_t> acked;
  std::map<uint64_t, size_t> acked_before;
  std::vector<absl::Status> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const uint64_t seq = 1 + static_cast<uint64_t>(t) * kPerThread + i;
        {
          absl::MutexLock lock(&mu);
          acked_before[seq] = acked.size();
        }
        absl::Status s = wal->Append(OneRecordBatch(seq, 10 + i % 50), true);
        if (!s.ok()) {
          failures[t] = s;
          return;
        }
        absl::MutexLock lock(&mu);
        acked.push_back(seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const absl::Status& s : failures) KS_EXPECT_OK(s);
  ASSERT_EQ(acked.size(), size_t{kThreads * kPerThread});
  const DiskWalGroupCounters counters = TEST_DiskWalGroupCounters(wal.get());
  EXPECT_EQ(counters.synced_appends, uint64_t{kThreads * kPerThread});
  EXPECT_LE(counters.synced_groups, counters.synced_appends);
  EXPECT_LE(counters.gathers_reached, counters.gathers);

  wal.reset();
  const std::vector<uint64_t> seqs = ReplayedSeqs(&fs);
  ASSERT_EQ(seqs.size(), acked.size());
  std::map<uint64_t, size_t> position;
  for (size_t i = 0; i < seqs.size(); ++i) {
    ASSERT_TRUE(position.emplace(seqs[i], i).second) << "twice: " << seqs[i];
  }
  // latest[k]: the largest log position among the first k acknowledged.
  std::vector<size_t> latest(acked.size() + 1, 0);
  for (size_t k = 0; k < acked.size(); ++k) {
    ASSERT_EQ(position.count(acked[k]), 1u) << "missing: " << acked[k];
    latest[k + 1] = std::max(latest[k], position[acked[k]] + 1);
  }
  for (const auto& [seq, before] : acked_before) {
    EXPECT_LE(latest[before], position[seq])
        << "seq " << seq << " is before a record acknowledged earlier";
  }
  // Each thread's records are in the order it appended them.
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 1; i < kPerThread; ++i) {
      const uint64_t seq = 1 + static_cast<uint64_t>(t) * kPerThread + i;
      EXPECT_LT(position[seq - 1], position[seq]) << "seq " << seq;
    }
  }
}

TEST(DiskWalGroupCommitTest, ConcurrentSyncedWritersSurvivePowerLoss) {
  // Every Append(sync) that returned OK before the power went is replayed
  // afterwards, whatever group (and gather) it was part of; and each
  // writer's replayed records are a prefix of the ones it appended.
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  GateFileSystem gate;
  gate.SetSyncYields(20);  // syncs take a while: groups and gathers form
  FaultInjectionFileSystem fs(&gate);
  for (int round = 0; round < 8; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const std::string dir = absl::StrCat("/crash", round);
    KS_ASSERT_OK(fs.CreateDir(dir));
    KS_ASSERT_OK(fs.SyncDir("/"));
    KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Wal> wal,
                            OpenDiskWal(&fs, dir, 4096));  // rotations too
    const uint64_t crash_after = 1 + rng() % (kThreads * kPerThread / 2);

    absl::Mutex mu;
    std::set<uint64_t> acked;  // guarded by mu
    std::atomic<uint64_t> acked_count{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const uint64_t seq = 1 + static_cast<uint64_t>(t) * kPerThread + i;
          // A failure is the power loss (every later call fails too).
          if (!wal->Append(OneRecordBatch(seq, 10 + i % 90), true).ok()) {
            return;
          }
          absl::MutexLock lock(&mu);
          acked.insert(seq);
          acked_count.fetch_add(1);
        }
      });
    }
    // Power loss once crash_after appends were acknowledged (or all
    // writers are done). Under mu, so that `durable` holds exactly the
    // appends that returned before it.
    while (acked_count.load() < crash_after &&
           acked_count.load() < uint64_t{kThreads * kPerThread}) {
      std::this_thread::yield();
    }
    std::set<uint64_t> durable;
    {
      absl::MutexLock lock(&mu);
      fs.SetActive(false);
      durable = acked;
    }
    for (auto& th : threads) th.join();
    wal.reset();
    KS_ASSERT_OK(fs.DropUnsyncedData());
    fs.SetActive(true);

    KS_ASSERT_OK_AND_ASSIGN(wal, OpenDiskWal(&fs, dir, 4096));
    std::vector<uint64_t> seqs;
    KS_ASSERT_OK(wal->Replay([&](const WriteBatch& batch) {
                      seqs.push_back(batch.first_seq);
                      return absl::OkStatus();
                    })
                     .status());
    const std::set<uint64_t> replayed(seqs.begin(), seqs.end());
    ASSERT_EQ(replayed.size(), seqs.size()) << "a record replayed twice";
    for (uint64_t seq : durable) {
      ASSERT_EQ(replayed.count(seq), 1u) << "acknowledged but lost: " << seq;
    }
    std::vector<int> next(kThreads, 0);
    for (uint64_t seq : seqs) {
      const int t = static_cast<int>((seq - 1) / kPerThread);
      ASSERT_EQ(seq, 1 + static_cast<uint64_t>(t) * kPerThread + next[t])
          << "writer " << t << " has a hole before " << seq;
      ++next[t];
    }
  }
}

}  // namespace
}  // namespace kstone::core
