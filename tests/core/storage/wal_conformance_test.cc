// The Wal conformance suite: every Wal implementation must pass it.
// Parameters: the memory WAL, the disk WAL on a MemFileSystem, and the disk
// WAL on the POSIX file system in a temporary directory. The memory WAL keeps
// no records (an in-memory database is never reopened, see memory_wal.h), so
// where a disk WAL must replay batches it must replay none; everything else
// (stats, segments, rotation, removal, concurrency) is the same.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/memory/memory_wal.h"
#include "core/storage/wal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::testing::ElementsAreArray;

enum class Backend { kMemory, kDiskOnMemFs, kDiskOnPosix };

std::string BackendName(Backend b) {
  switch (b) {
    case Backend::kMemory:
      return "Memory";
    case Backend::kDiskOnMemFs:
      return "DiskOnMemFs";
    case Backend::kDiskOnPosix:
      return "DiskOnPosix";
  }
  return "?";
}

// A readable, comparable form of a batch.
std::string Describe(const WriteBatch& batch) {
  std::string out = absl::StrCat("seq=", batch.first_seq, ":");
  for (const Mutation& m : batch.mutations) {
    absl::StrAppend(&out, m.type == RecordType::kValue ? " put(" : " del(",
                    m.key.size(), ":", m.key.substr(0, 16));
    if (m.type == RecordType::kValue) {
      absl::StrAppend(&out, "=", m.value.size(), ":", m.value.substr(0, 16),
                      m.value.size() > 16
                          ? absl::StrCat("#", std::string(1, m.value.back()))
                          : "");
    }
    out += ")";
  }
  return out;
}

WriteBatch MakeBatch(uint64_t seq, int mutations, size_t value_size = 10) {
  WriteBatch batch;
  batch.first_seq = seq;
  for (int i = 0; i < mutations; ++i) {
    Mutation m;
    m.key = absl::StrCat(std::string(1, static_cast<char>(seq % 256)), "key-",
                         seq, "-", i);
    if ((seq + static_cast<uint64_t>(i)) % 5 == 4) {
      m.type = RecordType::kDeletion;
    } else {
      m.value.assign(value_size, static_cast<char>('a' + (seq + i) % 26));
      m.value.back() = static_cast<char>('0' + i % 10);
    }
    batch.mutations.push_back(std::move(m));
  }
  return batch;
}

class WalConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    switch (GetParam()) {
      case Backend::kMemory:
        wal_ = NewMemoryWal();
        return;
      case Backend::kDiskOnMemFs:
        owned_fs_ = NewMemFileSystem();
        fs_ = owned_fs_.get();
        dir_ = "/db";
        KS_ASSERT_OK(fs_->CreateDir(dir_));
        break;
      case Backend::kDiskOnPosix: {
        fs_ = DefaultFileSystem();
        scratch_.emplace();
        dir_ = scratch_->path();
        break;
      }
    }
    Reopen();
  }

  void TearDown() override {
    wal_.reset();
    scratch_.reset();
  }

  bool disk() const { return GetParam() != Backend::kMemory; }

  // Closes and reopens a disk WAL (the memory WAL has nothing to reopen:
  // it stays as it is, which is what a reopen of the disk WAL must look like).
  void Reopen(uint64_t segment_bytes = 64 << 20) {
    if (!disk()) return;
    wal_.reset();
    absl::StatusOr<std::unique_ptr<Wal>> wal =
        OpenDiskWal(fs_, dir_, segment_bytes);
    ASSERT_TRUE(wal.ok()) << wal.status();
    wal_ = std::move(*wal);
  }

  // What a replay after a reopen must deliver: `written` on disk, nothing
  // from the memory WAL.
  std::vector<std::string> Replayable(std::vector<std::string> written) const {
    return disk() ? written : std::vector<std::string>{};
  }

  // Reopens and replays everything.
  std::vector<std::string> ReopenAndReplay(WalReplayReport* report = nullptr) {
    Reopen();
    std::vector<std::string> batches;
    absl::StatusOr<WalReplayReport> r =
        wal_->Replay([&](const WriteBatch& batch) {
          batches.push_back(Describe(batch));
          return absl::OkStatus();
        });
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) {
      EXPECT_EQ(r->batches, batches.size());
      EXPECT_FALSE(r->truncated_tail) << r->message;
      if (report != nullptr) *report = *r;
    }
    return batches;
  }

  std::optional<::kstone::testing::ScratchDir> scratch_;  // POSIX only
  std::unique_ptr<FileSystem> owned_fs_;
  FileSystem* fs_ = nullptr;
  std::string dir_;
  std::unique_ptr<Wal> wal_;
};

TEST_P(WalConformanceTest, EmptyWalReplaysNothing) {
  WalReplayReport report;
  EXPECT_TRUE(ReopenAndReplay(&report).empty());
  EXPECT_EQ(report.max_seq, 0u);
  EXPECT_EQ(wal_->stats().segments, 0u);
  EXPECT_EQ(wal_->stats().bytes, 0u);
}

TEST_P(WalConformanceTest, AppendReplayRoundTripInOrder) {
  std::vector<std::string> expected;
  uint64_t seq = 1;
  for (int i = 0; i < 100; ++i) {
    WriteBatch batch = MakeBatch(seq, 1 + i % 7);
    seq += batch.mutations.size();
    expected.push_back(Describe(batch));
    KS_ASSERT_OK(wal_->Append(batch, /*sync=*/i % 3 == 0));
  }
  KS_ASSERT_OK(wal_->Sync());
  WalReplayReport report;
  EXPECT_THAT(ReopenAndReplay(&report), ElementsAreArray(Replayable(expected)));
  EXPECT_EQ(report.max_seq, disk() ? seq - 1 : 0);
}

TEST_P(WalConformanceTest, LargeBatches) {
  // 25 items of 400 KB in one batch, like a big transaction.
  std::vector<std::string> expected;
  WriteBatch big = MakeBatch(1, 25, 400 << 10);
  expected.push_back(Describe(big));
  KS_ASSERT_OK(wal_->Append(big, true));
  WriteBatch small = MakeBatch(26, 1);
  expected.push_back(Describe(small));
  KS_ASSERT_OK(wal_->Append(small, true));
  WriteBatch huge_value = MakeBatch(27, 2, 3 << 20);
  expected.push_back(Describe(huge_value));
  KS_ASSERT_OK(wal_->Append(huge_value, false));
  EXPECT_GT(wal_->stats().bytes, 25u * (400 << 10));
  EXPECT_THAT(ReopenAndReplay(), ElementsAreArray(Replayable(expected)));
}

TEST_P(WalConformanceTest, RotateAndRemoveSegments) {
  KS_ASSERT_OK(wal_->Append(MakeBatch(1, 1), true));
  KS_ASSERT_OK_AND_ASSIGN(uint64_t first, wal_->Rotate());
  KS_ASSERT_OK(wal_->Append(MakeBatch(2, 1), true));
  KS_ASSERT_OK_AND_ASSIGN(uint64_t second, wal_->Rotate());
  EXPECT_GT(second, first);
  WriteBatch last = MakeBatch(3, 1);
  KS_ASSERT_OK(wal_->Append(last, true));
  EXPECT_EQ(wal_->stats().segments, 3u);
  const uint64_t bytes_before = wal_->stats().bytes;

  KS_ASSERT_OK(wal_->RemoveSegmentsThrough(first));
  EXPECT_EQ(wal_->stats().segments, 2u);
  EXPECT_LT(wal_->stats().bytes, bytes_before);
  EXPECT_THAT(ReopenAndReplay(),
              ElementsAreArray(
                  Replayable({Describe(MakeBatch(2, 1)), Describe(last)})));
}

TEST_P(WalConformanceTest, SegmentBeingWrittenIsNeverRemoved) {
  KS_ASSERT_OK(wal_->Append(MakeBatch(1, 1), true));
  KS_ASSERT_OK_AND_ASSIGN(uint64_t first, wal_->Rotate());
  WriteBatch last = MakeBatch(2, 1);
  KS_ASSERT_OK(wal_->Append(last, true));
  KS_ASSERT_OK(wal_->RemoveSegmentsThrough(first + 1000));
  EXPECT_EQ(wal_->stats().segments, 1u);
  EXPECT_THAT(ReopenAndReplay(),
              ElementsAreArray(Replayable({Describe(last)})));
}

TEST_P(WalConformanceTest, RotateOfAnUnusedSegmentIsHarmless) {
  KS_ASSERT_OK_AND_ASSIGN(uint64_t a, wal_->Rotate());
  KS_ASSERT_OK_AND_ASSIGN(uint64_t b, wal_->Rotate());
  EXPECT_LT(a, b);
  KS_ASSERT_OK(wal_->RemoveSegmentsThrough(b));
  WriteBatch batch = MakeBatch(5, 2);
  KS_ASSERT_OK(wal_->Append(batch, true));
  EXPECT_EQ(wal_->stats().segments, 1u);
  EXPECT_THAT(ReopenAndReplay(),
              ElementsAreArray(Replayable({Describe(batch)})));
}

TEST_P(WalConformanceTest, StatsGrowWithAppends) {
  WalStats before = wal_->stats();
  KS_ASSERT_OK(wal_->Append(MakeBatch(1, 1), false));
  WalStats after_one = wal_->stats();
  KS_ASSERT_OK(wal_->Append(MakeBatch(2, 3, 1000), false));
  WalStats after_two = wal_->stats();
  EXPECT_EQ(before.segments, 0u);
  EXPECT_EQ(after_one.segments, 1u);
  EXPECT_GT(after_one.bytes, before.bytes);
  EXPECT_GT(after_two.bytes, after_one.bytes + 2000);  // 2 values of 1000
  EXPECT_EQ(after_two.segments, 1u);
}

TEST_P(WalConformanceTest, ConcurrentAppendsReplayExactlyOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Sequence numbers encode the thread and its order.
        const uint64_t seq = static_cast<uint64_t>(t) * 100000 + i + 1;
        if (!wal_->Append(MakeBatch(seq, 1 + i % 3), /*sync=*/i % 2 == 0)
                 .ok()) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_THAT(failures, ::testing::Each(0));
  KS_ASSERT_OK(wal_->Sync());

  Reopen();
  std::vector<uint64_t> last_of_thread(kThreads, 0);
  std::vector<int> count_of_thread(kThreads, 0);
  int out_of_order = 0;
  KS_ASSERT_OK_AND_ASSIGN(
      WalReplayReport report, wal_->Replay([&](const WriteBatch& batch) {
        const int t = static_cast<int>(batch.first_seq / 100000);
        if (t < 0 || t >= kThreads) {
          return absl::InternalError(absl::StrCat("bad seq ", batch.first_seq));
        }
        if (batch.first_seq <= last_of_thread[t]) ++out_of_order;
        last_of_thread[t] = batch.first_seq;
        ++count_of_thread[t];
        return absl::OkStatus();
      }));
  EXPECT_EQ(out_of_order, 0);
  if (!disk()) {
    EXPECT_EQ(report.batches, 0u);
    return;
  }
  EXPECT_EQ(report.batches, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_THAT(count_of_thread, ::testing::Each(kPerThread));
}

TEST_P(WalConformanceTest, ReopenKeepsEverythingAcrossOpens) {
  std::vector<std::string> expected;
  uint64_t seq = 1;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i, ++seq) {
      WriteBatch batch = MakeBatch(seq, 1);
      expected.push_back(Describe(batch));
      KS_ASSERT_OK(wal_->Append(batch, i == 4));
    }
    Reopen();
  }
  EXPECT_THAT(ReopenAndReplay(), ElementsAreArray(Replayable(expected)));
  // Appending after a replay continues the log.
  WriteBatch more = MakeBatch(seq, 2);
  expected.push_back(Describe(more));
  KS_ASSERT_OK(wal_->Append(more, true));
  EXPECT_THAT(ReopenAndReplay(), ElementsAreArray(Replayable(expected)));
}

TEST_P(WalConformanceTest, ReplayStopsAtCallbackError) {
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    KS_ASSERT_OK(wal_->Append(MakeBatch(seq, 1), true));
  }
  Reopen();
  int seen = 0;
  absl::StatusOr<WalReplayReport> report = wal_->Replay([&](const WriteBatch&) {
    return ++seen == 2 ? absl::CancelledError("stop") : absl::OkStatus();
  });
  if (!disk()) {
    KS_EXPECT_OK(report.status());
    EXPECT_EQ(seen, 0);
    return;
  }
  EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(seen, 2);
}

// The memory WAL keeps no copy of a batch, yet accounts for it like a disk
// WAL, and the accounting follows rotation and removal.
TEST_P(WalConformanceTest, MemoryWalAccountsForWhatItDoesNotKeep) {
  if (disk()) GTEST_SKIP() << "memory WAL only";
  KS_ASSERT_OK(wal_->Append(MakeBatch(1, 2, 1000), false));
  const WalStats one = wal_->stats();
  EXPECT_GT(one.bytes, 2000u);
  EXPECT_EQ(one.segments, 1u);
  KS_ASSERT_OK_AND_ASSIGN(const uint64_t closed, wal_->Rotate());
  KS_ASSERT_OK(wal_->Append(MakeBatch(3, 1, 10), false));
  EXPECT_EQ(wal_->stats().segments, 2u);
  KS_ASSERT_OK(wal_->RemoveSegmentsThrough(closed));
  const WalStats after = wal_->stats();
  EXPECT_EQ(after.segments, 1u);
  EXPECT_LT(after.bytes, 1000u);
  EXPECT_GT(after.bytes, 10u);
}

INSTANTIATE_TEST_SUITE_P(All, WalConformanceTest,
                         ::testing::Values(Backend::kMemory,
                                           Backend::kDiskOnMemFs,
                                           Backend::kDiskOnPosix),
                         [](const auto& param_info) {
                           return BackendName(param_info.param);
                         });

}  // namespace
}  // namespace kstone::core
