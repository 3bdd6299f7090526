// Buffered unsynced appends of the disk WAL (Wal::BufferUnsyncedAppends, the
// SyncMode::kNone write path): what a process crash and a power loss keep,
// and that an unsynced append never waits for a leader's I/O. Runs on
// MemFileSystem wrapped in FaultInjectionFileSystem (GateFileSystem to hold
// a leader).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/disk_wal_test_hooks.h"
#include "core/storage/disk/fault_injection_file_system.h"
#include "core/storage/disk/mem_file_system.h"
#include "gtest/gtest.h"
#include "tests/core/storage/disk/gate_file_system.h"
#include "tests/core/storage/disk/wal_test_batches.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

constexpr char kDir[] = "/db";
// Long enough that the flusher never fires during a test that uses it.
constexpr absl::Duration kNever = absl::Hours(1);

class DiskWalBufferTest : public ::testing::Test {
 protected:
  void SetUp() override { KS_ASSERT_OK(fs_.CreateDir(kDir)); }

  void Open(absl::Duration delay) {
    wal_.reset();
    absl::StatusOr<std::unique_ptr<Wal>> wal =
        OpenDiskWal(&fs_, kDir, /*segment_bytes=*/1 << 20);
    ASSERT_TRUE(wal.ok()) << wal.status();
    wal_ = std::move(*wal);
    wal_->BufferUnsyncedAppends(delay);
  }

  // The process dies: nothing more reaches the files (the WAL's destructor
  // cannot write its buffer), but what the OS has survives. With
  // `power_loss`, so does only what was synced.
  void Crash(bool power_loss) {
    fs_.SetActive(false);
    wal_.reset();
    if (power_loss) {
      ASSERT_TRUE(fs_.DropUnsyncedData().ok());
    }
    fs_.SetActive(true);
  }

  // Reopens (unbuffered) and returns the first seqs of the replayed batches.
  std::vector<uint64_t> Reopen() {
    wal_.reset();
    std::vector<uint64_t> seqs;
    absl::StatusOr<std::unique_ptr<Wal>> wal = OpenDiskWal(&fs_, kDir, 1 << 20);
    EXPECT_TRUE(wal.ok()) << wal.status();
    if (!wal.ok()) return seqs;
    wal_ = std::move(*wal);
    absl::StatusOr<WalReplayReport> report =
        wal_->Replay([&](const WriteBatch& batch) {
          seqs.push_back(batch.first_seq);
          return absl::OkStatus();
        });
    EXPECT_TRUE(report.ok()) << report.status();
    return seqs;
  }

  void Append(uint64_t from, uint64_t to, bool sync, size_t value_size = 20) {
    for (uint64_t seq = from; seq <= to; ++seq) {
      ASSERT_TRUE(wal_->Append(OneRecordBatch(seq, value_size), sync).ok())
          << seq;
    }
  }

  static std::vector<uint64_t> Range(uint64_t from, uint64_t to) {
    std::vector<uint64_t> seqs;
    for (uint64_t seq = from; seq <= to; ++seq) seqs.push_back(seq);
    return seqs;
  }

  std::unique_ptr<FileSystem> base_ = NewMemFileSystem();
  FaultInjectionFileSystem fs_{base_.get()};
  std::unique_ptr<Wal> wal_;
};

TEST_F(DiskWalBufferTest, BufferedAppendsAreLostWithTheProcess) {
  Open(kNever);
  const uint64_t writes = fs_.write_count();
  Append(1, 5, /*sync=*/false);
  EXPECT_GT(TEST_DiskWalBufferedBytes(wal_.get()), 0u);
  EXPECT_EQ(fs_.write_count(), writes) << "a buffered append was written";
  Crash(/*power_loss=*/false);
  EXPECT_EQ(Reopen(), std::vector<uint64_t>());
}

TEST_F(DiskWalBufferTest, TheFlusherHandsTheBufferToTheOsWithinTheDelay) {
  Open(absl::Milliseconds(1));
  Append(1, 10, /*sync=*/false);
  TEST_DiskWalWaitUntilWrittenOut(wal_.get());
  EXPECT_EQ(TEST_DiskWalBufferedBytes(wal_.get()), 0u);
  // Written, not synced: a process crash keeps it all.
  Crash(/*power_loss=*/false);
  EXPECT_EQ(Reopen(), Range(1, 10));
}

TEST_F(DiskWalBufferTest, AFullBufferIsWrittenWithoutWaiting) {
  Open(kNever);
  constexpr uint64_t kBatches = 300;
  Append(1, kBatches, /*sync=*/false, /*value_size=*/1000);
  Crash(/*power_loss=*/false);
  // At most 64 KiB (under 66 of these ~1 KB records) were still buffered;
  // what survives is a prefix.
  const std::vector<uint64_t> seqs = Reopen();
  EXPECT_GE(seqs.size(), kBatches - 66);
  EXPECT_LT(seqs.size(), kBatches);
  EXPECT_EQ(seqs, Range(1, seqs.size()));
}

TEST_F(DiskWalBufferTest, StatsCountBufferedAppends) {
  // A lone writer's unsynced append goes to the buffer without queueing;
  // the segment's size must still count it, before and after a write-out.
  Open(kNever);
  Append(1, 5, /*sync=*/false);
  const uint64_t buffered = TEST_DiskWalBufferedBytes(wal_.get());
  EXPECT_GT(buffered, 0u);
  EXPECT_EQ(TEST_DiskWalQueuedWriters(wal_.get()), 0u);
  EXPECT_EQ(wal_->stats().bytes, buffered);
  EXPECT_EQ(wal_->stats().segments, 1u);
  Append(6, 10, /*sync=*/false);
  EXPECT_EQ(wal_->stats().bytes, TEST_DiskWalBufferedBytes(wal_.get()));
  EXPECT_GT(wal_->stats().bytes, buffered);
  Append(11, 11, /*sync=*/true);
  EXPECT_EQ(TEST_DiskWalBufferedBytes(wal_.get()), 0u);
  EXPECT_GT(wal_->stats().bytes, buffered);
  Crash(/*power_loss=*/true);
  EXPECT_EQ(Reopen(), Range(1, 11));
}

TEST_F(DiskWalBufferTest, ASyncedAppendMakesTheBufferedOnesDurableFirst) {
  Open(kNever);
  Append(1, 10, /*sync=*/false);
  Append(11, 11, /*sync=*/true);
  Append(12, 13, /*sync=*/false);
  Crash(/*power_loss=*/true);
  EXPECT_EQ(Reopen(), Range(1, 11));
}

TEST_F(DiskWalBufferTest, SyncRotateAndCloseWriteTheBuffer) {
  Open(kNever);
  Append(1, 4, /*sync=*/false);
  KS_ASSERT_OK(wal_->Sync());
  Append(5, 8, /*sync=*/false);
  KS_ASSERT_OK(wal_->Rotate().status());  // closed segments are synced
  Crash(/*power_loss=*/true);
  EXPECT_EQ(Reopen(), Range(1, 8));

  Open(kNever);
  Append(9, 12, /*sync=*/false);
  wal_.reset();  // a clean close writes and syncs the buffer
  Crash(/*power_loss=*/true);
  EXPECT_EQ(Reopen(), Range(1, 12));
}

TEST_F(DiskWalBufferTest, AFailedWriteOfTheBufferIsSticky) {
  Open(kNever);
  Append(1, 3, /*sync=*/false);
  fs_.SetFailWriteAfter(0);
  const absl::Status failed = wal_->Sync();
  EXPECT_FALSE(failed.ok());
  fs_.SetFailWriteAfter(-1);
  EXPECT_EQ(wal_->Append(OneRecordBatch(4, 10), /*sync=*/false), failed);
  EXPECT_EQ(wal_->Sync(), failed);
}

TEST_F(DiskWalBufferTest, ConcurrentWritersKeepTheirOrder) {
  // Writers buffer while the flusher writes the buffer out and one of them
  // syncs now and then; every batch is logged once, each writer's in order.
  Open(absl::Microseconds(200));
  constexpr int kThreads = 4;
  constexpr uint64_t kPerThread = 400;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (uint64_t i = 0; i < kPerThread; ++i) {
        const uint64_t seq = 1 + static_cast<uint64_t>(t) * kPerThread + i;
        const bool sync = t == 0 && i % 50 == 49;
        EXPECT_TRUE(wal_->Append(OneRecordBatch(seq, 30), sync).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  TEST_DiskWalWaitUntilWrittenOut(wal_.get());
  Crash(/*power_loss=*/false);
  const std::vector<uint64_t> seqs = Reopen();
  ASSERT_EQ(seqs.size(), kThreads * kPerThread);
  std::vector<uint64_t> next(kThreads);
  for (int t = 0; t < kThreads; ++t) next[t] = 1 + t * kPerThread;
  for (uint64_t seq : seqs) {
    const int t = static_cast<int>((seq - 1) / kPerThread);
    ASSERT_EQ(seq, next[t]) << "writer " << t << " out of order";
    ++next[t];
  }
}

TEST_F(DiskWalBufferTest, ReplayAfterABufferedAppendIsRefused) {
  Open(kNever);
  Append(1, 1, /*sync=*/false);
  absl::StatusOr<WalReplayReport> report =
      wal_->Replay([](const WriteBatch&) { return absl::OkStatus(); });
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition)
      << report.status();
}

// A WAL on `fs` that buffers unsynced appends, holding one synced record
// (seq 1), so that the next synced append leads a group of its own.
void OpenBufferedWal(GateFileSystem* fs, std::unique_ptr<Wal>* wal) {
  KS_ASSERT_OK(fs->CreateDir(kDir));
  absl::StatusOr<std::unique_ptr<Wal>> opened =
      OpenDiskWal(fs, kDir, /*segment_bytes=*/1 << 20);
  ASSERT_TRUE(opened.ok()) << opened.status();
  *wal = std::move(*opened);
  (*wal)->BufferUnsyncedAppends(kNever);
  KS_ASSERT_OK((*wal)->Append(OneRecordBatch(1, 10), /*sync=*/true));
}

TEST(DiskWalBufferGateTest, AnUnsyncedAppendDoesNotWaitForALeader) {
  GateFileSystem fs;
  std::unique_ptr<Wal> wal;
  ASSERT_NO_FATAL_FAILURE(OpenBufferedWal(&fs, &wal));

  // A leader held inside its sync.
  fs.Close();
  std::thread leader(
      [&] { KS_EXPECT_OK(wal->Append(OneRecordBatch(2, 10), /*sync=*/true)); });
  fs.AwaitSyncWaiting();
  // An unsynced append meanwhile returns with its record in the buffer. (If
  // it queued behind the leader, it would show as a second queued writer.)
  std::atomic<bool> done{false};
  std::thread writer([&] {
    KS_EXPECT_OK(wal->Append(OneRecordBatch(3, 10), /*sync=*/false));
    done.store(true);
  });
  while (!done.load() && TEST_DiskWalQueuedWriters(wal.get()) < 2) {
    std::this_thread::yield();
  }
  EXPECT_TRUE(done.load()) << "the unsynced append waited for the leader";
  EXPECT_EQ(TEST_DiskWalQueuedWriters(wal.get()), 1u);
  EXPECT_GT(TEST_DiskWalBufferedBytes(wal.get()), 0u);
  fs.Open();
  leader.join();
  writer.join();

  // The buffered record follows the leader's group in the log.
  wal.reset();  // a clean close writes the buffer
  absl::StatusOr<std::unique_ptr<Wal>> opened = OpenDiskWal(&fs, kDir, 1 << 20);
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK((*opened)
                   ->Replay([&](const WriteBatch& batch) {
                     seqs.push_back(batch.first_seq);
                     return absl::OkStatus();
                   })
                   .status());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3}));
}

TEST(DiskWalBufferGateTest, StatsCountTheBufferWhileALeaderWritesIt) {
  // A leader takes the buffer, writes it and publishes the segment's new
  // size only after its sync: meanwhile the records are neither buffered
  // nor in the published size, and the WAL's size must not dip.
  GateFileSystem fs;
  std::unique_ptr<Wal> wal;
  ASSERT_NO_FATAL_FAILURE(OpenBufferedWal(&fs, &wal));
  KS_ASSERT_OK(wal->Append(OneRecordBatch(2, 10), /*sync=*/false));
  ASSERT_GT(TEST_DiskWalBufferedBytes(wal.get()), 0u);
  const uint64_t before = wal->stats().bytes;

  fs.Close();
  std::thread leader(
      [&] { KS_EXPECT_OK(wal->Append(OneRecordBatch(3, 10), /*sync=*/true)); });
  fs.AwaitSyncWaiting();  // the buffer is written, its size unpublished
  EXPECT_EQ(TEST_DiskWalBufferedBytes(wal.get()), 0u);
  EXPECT_GE(wal->stats().bytes, before);
  fs.Open();
  leader.join();
  EXPECT_GT(wal->stats().bytes, before);
}

}  // namespace
}  // namespace kstone::core
