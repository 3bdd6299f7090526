// Disk-only WAL behaviour: corruption, torn tails, fault injection, group
// commit. Runs on MemFileSystem (wrapped in FaultInjectionFileSystem) for
// speed; the conformance suite covers the POSIX file system.

#include "core/storage/disk/disk_wal.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/fault_injection_file_system.h"
#include "core/storage/disk/file_names.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/wal_format.h"
#include "core/storage/disk/wal_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/storage/disk/wal_test_batches.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kDir[] = "/db";

class DiskWalTest : public ::testing::Test {
 protected:
  void SetUp() override { KS_ASSERT_OK(fs_.CreateDir(kDir)); }

  void Open(uint64_t segment_bytes = 1 << 20) {
    wal_.reset();
    absl::StatusOr<std::unique_ptr<Wal>> wal =
        OpenDiskWal(&fs_, kDir, segment_bytes);
    ASSERT_TRUE(wal.ok()) << wal.status();
    wal_ = std::move(*wal);
  }

  // Replays into first_seqs; returns the replay's result.
  absl::StatusOr<WalReplayReport> Replay(std::vector<uint64_t>* first_seqs) {
    first_seqs->clear();
    return wal_->Replay([first_seqs](const WriteBatch& batch) {
      first_seqs->push_back(batch.first_seq);
      return absl::OkStatus();
    });
  }

  std::string Segment(uint64_t number) {
    return JoinPath(kDir, WalSegmentName(number));
  }

  // Offsets of the records of a segment, plus its size at the end.
  std::vector<uint64_t> RecordOffsets(uint64_t number) {
    std::vector<uint64_t> offsets;
    absl::StatusOr<wal::LogFileEnd> end =
        wal::ReadLogFile(&fs_, Segment(number), wal::LogKind::kWal,
                         [&](std::string_view, uint64_t offset) {
                           offsets.push_back(offset);
                           return absl::OkStatus();
                         });
    EXPECT_TRUE(end.ok()) << end.status();
    if (end.ok()) offsets.push_back(end->file_size);
    return offsets;
  }

  std::vector<uint64_t> AppendSeqs(uint64_t from, uint64_t to, bool sync) {
    std::vector<uint64_t> seqs;
    for (uint64_t seq = from; seq <= to; ++seq) {
      EXPECT_TRUE(wal_->Append(OneRecordBatch(seq, 20 + seq % 50), sync).ok());
      seqs.push_back(seq);
    }
    return seqs;
  }

  std::unique_ptr<FileSystem> base_ = NewMemFileSystem();
  FaultInjectionFileSystem fs_{base_.get()};
  std::unique_ptr<Wal> wal_;
};

TEST_F(DiskWalTest, FlippedByteInTheMiddleIsDataLoss) {
  Open();
  AppendSeqs(1, 10, true);
  wal_.reset();
  const std::vector<uint64_t> offsets = RecordOffsets(1);
  ASSERT_EQ(offsets.size(), 11u);
  KS_ASSERT_OK(fs_.FlipByte(Segment(1), offsets[4] + 12));
  Open();
  std::vector<uint64_t> seqs;
  EXPECT_THAT(Replay(&seqs),
              StatusIs(absl::StatusCode::kDataLoss,
                       AllOf(HasSubstr("000001.log"),
                             HasSubstr(absl::StrCat("offset ", offsets[4])),
                             HasSubstr("checksum"))));
}

TEST_F(DiskWalTest, FlippedLengthInTheMiddleIsDataLoss) {
  Open();
  AppendSeqs(1, 10, true);
  wal_.reset();
  const std::vector<uint64_t> offsets = RecordOffsets(1);
  KS_ASSERT_OK(fs_.FlipByte(Segment(1), offsets[3] + 5, 0x10));
  Open();
  std::vector<uint64_t> seqs;
  EXPECT_THAT(Replay(&seqs),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr(absl::StrCat("offset ", offsets[3]))));
}

TEST_F(DiskWalTest, CorruptTailIsTruncatedAndReported) {
  Open();
  AppendSeqs(1, 10, true);
  wal_.reset();
  const std::vector<uint64_t> offsets = RecordOffsets(1);
  KS_ASSERT_OK(fs_.FlipByte(Segment(1), offsets[9] + 11));
  Open();
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK_AND_ASSIGN(WalReplayReport report, Replay(&seqs));
  EXPECT_EQ(seqs, std::vector<uint64_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(report.truncated_tail);
  EXPECT_EQ(report.dropped_bytes, offsets[10] - offsets[9]);
  EXPECT_THAT(report.message,
              AllOf(HasSubstr("000001.log"),
                    HasSubstr(absl::StrCat("offset ", offsets[9]))));
  KS_ASSERT_OK_AND_ASSIGN(uint64_t size, fs_.FileSize(Segment(1)));
  EXPECT_EQ(size, offsets[9]);

  // The log goes on after the cut, and the cut is not reported again.
  KS_ASSERT_OK(wal_->Append(OneRecordBatch(11, 5), true));
  Open();
  KS_ASSERT_OK_AND_ASSIGN(report, Replay(&seqs));
  EXPECT_FALSE(report.truncated_tail);
  EXPECT_EQ(seqs, std::vector<uint64_t>({1, 2, 3, 4, 5, 6, 7, 8, 9, 11}));
}

TEST_F(DiskWalTest, ZeroFilledTailIsTruncated) {
  Open();
  AppendSeqs(1, 3, true);
  wal_.reset();
  {
    KS_ASSERT_OK_AND_ASSIGN(auto file, base_->NewAppendableFile(Segment(1)));
    KS_ASSERT_OK(file->Append(std::string(4096, '\0')));
  }
  Open();
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK_AND_ASSIGN(WalReplayReport report, Replay(&seqs));
  EXPECT_EQ(seqs, std::vector<uint64_t>({1, 2, 3}));
  EXPECT_EQ(report.dropped_bytes, 4096u);
}

TEST_F(DiskWalTest, CorruptionInAnOlderSegmentIsDataLossEvenAtItsEnd) {
  Open();
  AppendSeqs(1, 3, true);
  KS_ASSERT_OK(wal_->Rotate().status());
  AppendSeqs(4, 6, true);
  wal_.reset();
  const std::vector<uint64_t> offsets = RecordOffsets(1);
  KS_ASSERT_OK(fs_.FlipByte(Segment(1), offsets[2] + 10));  // its last record
  Open();
  std::vector<uint64_t> seqs;
  EXPECT_THAT(Replay(&seqs),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("000001.log")));
}

TEST_F(DiskWalTest, TruncationAtEveryByteKeepsExactlyTheCompleteRecords) {
  Open();
  AppendSeqs(1, 12, true);
  wal_.reset();
  const std::vector<uint64_t> offsets = RecordOffsets(1);
  KS_ASSERT_OK_AND_ASSIGN(const std::string full, base_->ReadFile(Segment(1)));
  for (uint64_t cut = 1; cut <= full.size(); ++cut) {
    SCOPED_TRACE(absl::StrCat("truncated by ", cut, " of ", full.size()));
    const uint64_t size = full.size() - cut;
    {
      KS_ASSERT_OK_AND_ASSIGN(auto file, base_->NewWritableFile(Segment(1)));
      KS_ASSERT_OK(file->Append(std::string_view(full).substr(0, size)));
    }
    Open();
    std::vector<uint64_t> seqs;
    KS_ASSERT_OK_AND_ASSIGN(WalReplayReport report, Replay(&seqs));
    // Records wholly inside the first `size` bytes survive.
    uint64_t complete = 0;
    while (complete + 1 < offsets.size() && offsets[complete + 1] <= size) {
      ++complete;
    }
    ASSERT_EQ(seqs.size(), complete);
    for (uint64_t i = 0; i < complete; ++i) EXPECT_EQ(seqs[i], i + 1);
    const bool at_boundary =
        size == 0 ||
        std::find(offsets.begin(), offsets.end(), size) != offsets.end();
    EXPECT_EQ(report.truncated_tail, !at_boundary);
  }
}

TEST_F(DiskWalTest, AppendWithoutReplayStillCutsTheOldTornTail) {
  Open();
  AppendSeqs(1, 4, true);
  wal_.reset();
  KS_ASSERT_OK_AND_ASSIGN(uint64_t size, fs_.FileSize(Segment(1)));
  KS_ASSERT_OK(fs_.TruncateFile(Segment(1), size - 3));
  Open();
  KS_ASSERT_OK(wal_->Append(OneRecordBatch(5, 10), true));  // no Replay first
  Open();
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK_AND_ASSIGN(WalReplayReport report, Replay(&seqs));
  EXPECT_EQ(seqs, std::vector<uint64_t>({1, 2, 3, 5}));
}

TEST_F(DiskWalTest, ReplayAfterAppendIsRefused) {
  Open();
  KS_ASSERT_OK(wal_->Append(OneRecordBatch(1, 1), false));
  std::vector<uint64_t> seqs;
  EXPECT_THAT(Replay(&seqs), StatusIs(absl::StatusCode::kFailedPrecondition,
                                      HasSubstr("Replay after Append")));
}

TEST_F(DiskWalTest, FailedWriteIsSticky) {
  Open();
  KS_ASSERT_OK(wal_->Append(OneRecordBatch(1, 10), true));
  fs_.SetFailWriteAfter(0);
  absl::Status failed = wal_->Append(OneRecordBatch(2, 10), true);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("fault injection"));
  // The file system works again; the WAL does not.
  EXPECT_EQ(wal_->Append(OneRecordBatch(3, 10), false), failed);
  EXPECT_EQ(wal_->Sync(), failed);
  EXPECT_EQ(wal_->Rotate().status(), failed);
  Open();
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK(Replay(&seqs).status());
  EXPECT_EQ(seqs, std::vector<uint64_t>({1}));
}

TEST_F(DiskWalTest, FailedSyncIsSticky) {
  Open();
  KS_ASSERT_OK(wal_->Append(OneRecordBatch(1, 10), true));
  fs_.SetFailSyncAfter(0);
  absl::Status failed = wal_->Append(OneRecordBatch(2, 10), true);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(wal_->Append(OneRecordBatch(3, 10), true), failed);
  EXPECT_EQ(wal_->Sync(), failed);
}

TEST_F(DiskWalTest, EverySyncedBatchSurvivesPowerLoss) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937 rng(seed);
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    KS_ASSERT_OK(base_->CreateDir(absl::StrCat("/r", round)));
    const std::string dir = absl::StrCat("/r", round);
    KS_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Wal> wal,
                            OpenDiskWal(&fs_, dir, 2048));  // many segments
    uint64_t synced_through = 0;
    const uint64_t n = 1 + rng() % 60;
    for (uint64_t seq = 1; seq <= n; ++seq) {
      const bool sync = rng() % 3 == 0;
      KS_ASSERT_OK(wal->Append(OneRecordBatch(seq, rng() % 300), sync));
      if (sync) synced_through = seq;
    }
    // Crash: nothing more reaches the files, unsynced bytes vanish.
    fs_.SetActive(false);
    wal.reset();
    KS_ASSERT_OK(fs_.DropUnsyncedData());
    fs_.SetActive(true);

    KS_ASSERT_OK_AND_ASSIGN(wal, OpenDiskWal(&fs_, dir, 2048));
    std::vector<uint64_t> seqs;
    KS_ASSERT_OK(wal->Replay([&](const WriteBatch& batch) {
                      seqs.push_back(batch.first_seq);
                      return absl::OkStatus();
                    })
                     .status());
    // A prefix of what was appended, at least everything synced.
    ASSERT_GE(seqs.size(), synced_through);
    for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
    // And the recovered log keeps working.
    KS_ASSERT_OK(wal->Append(OneRecordBatch(1000, 5), true));
  }
}

TEST_F(DiskWalTest, UnsyncedTailOfAPreviousOpenBecomesDurableBeforeNewData) {
  Open();
  AppendSeqs(1, 3, /*sync=*/false);
  // The process dies: its bytes are in the OS, never synced.
  fs_.SetActive(false);
  wal_.reset();
  fs_.SetActive(true);

  Open();
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK(Replay(&seqs).status());
  EXPECT_EQ(seqs, std::vector<uint64_t>({1, 2, 3}));
  KS_ASSERT_OK(wal_->Append(OneRecordBatch(4, 10), /*sync=*/true));
  // Power loss: a synced batch implies everything logged before it.
  fs_.SetActive(false);
  wal_.reset();
  KS_ASSERT_OK(fs_.DropUnsyncedData());
  fs_.SetActive(true);
  Open();
  KS_ASSERT_OK(Replay(&seqs).status());
  EXPECT_EQ(seqs, std::vector<uint64_t>({1, 2, 3, 4}));
}

TEST_F(DiskWalTest, SyncWithNothingNewWritesNothing) {
  Open();
  KS_ASSERT_OK(wal_->Sync());  // no segment yet
  KS_ASSERT_OK(wal_->Append(OneRecordBatch(1, 10), true));
  const uint64_t syncs = fs_.sync_count();
  KS_ASSERT_OK(wal_->Sync());
  EXPECT_EQ(fs_.sync_count(), syncs);
}

TEST_F(DiskWalTest, RotatesPastSegmentBytes) {
  Open(/*segment_bytes=*/1000);
  AppendSeqs(1, 100, false);  // about 6 KB
  EXPECT_GT(wal_->stats().segments, 3u);
  Open(1000);
  std::vector<uint64_t> seqs;
  KS_ASSERT_OK(Replay(&seqs).status());
  EXPECT_EQ(seqs.size(), 100u);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

}  // namespace
}  // namespace kstone::core
