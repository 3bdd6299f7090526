// GroupCommitGather: when a group-commit leader waits for more writers.

#include "core/storage/disk/group_commit_gather.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

constexpr absl::Duration kSync = absl::Microseconds(400);

TEST(GroupCommitGatherTest, NoWaitBeforeAnySyncWasMeasured) {
  GroupCommitGather gather;
  const GroupCommitGather::Plan plan = gather.Next(1);
  EXPECT_EQ(plan.target, 1u);
  EXPECT_EQ(plan.max_wait, absl::ZeroDuration());
}

TEST(GroupCommitGatherTest, LoneWriterNeverWaits) {
  GroupCommitGather gather;
  for (int i = 0; i < 100; ++i) {
    gather.GroupDone(/*group=*/1, /*waiting=*/0, kSync);
    const GroupCommitGather::Plan plan = gather.Next(1);
    EXPECT_EQ(plan.target, 1u) << "after group " << i;
    EXPECT_EQ(plan.max_wait, absl::ZeroDuration()) << "after group " << i;
  }
  EXPECT_EQ(gather.sync_time(), kSync);
}

TEST(GroupCommitGatherTest, WaitsForTheWritersOfTheLastGroup) {
  GroupCommitGather gather;
  // 3 writers synced while 5 queued behind them: 8 writers are about.
  gather.GroupDone(3, 5, kSync);
  GroupCommitGather::Plan plan = gather.Next(5);
  EXPECT_EQ(plan.target, 8u);
  EXPECT_EQ(plan.max_wait, kSync / 2);
  // Everyone already queued: no wait.
  plan = gather.Next(8);
  EXPECT_EQ(plan.target, 8u);
  EXPECT_EQ(plan.max_wait, absl::ZeroDuration());
  plan = gather.Next(9);
  EXPECT_EQ(plan.target, 9u);
  EXPECT_EQ(plan.max_wait, absl::ZeroDuration());
}

TEST(GroupCommitGatherTest, TargetFollowsTheLastTwoGroups) {
  GroupCommitGather gather;
  gather.GroupDone(8, 0, kSync);
  gather.GroupDone(2, 0, kSync);
  EXPECT_EQ(gather.Next(1).target, 8u);
  gather.GroupDone(1, 0, kSync);
  // The 8 writers are gone: the two groups since saw 2 and 1.
  EXPECT_EQ(gather.Next(1).target, 2u);
  gather.GroupDone(1, 0, kSync);
  EXPECT_EQ(gather.Next(1).target, 1u);
  EXPECT_EQ(gather.Next(1).max_wait, absl::ZeroDuration());
}

TEST(GroupCommitGatherTest, TimedOutGathersShortenTheNextUntilOneIsReached) {
  GroupCommitGather gather;
  gather.GroupDone(4, 4, kSync);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 2);
  gather.GatherDone(/*reached=*/false);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 4);
  for (int i = 0; i < 10; ++i) gather.GatherDone(false);
  // Floors at 1/16 of the normal limit.
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 32);
  gather.GatherDone(/*reached=*/true);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 2);
}

TEST(GroupCommitGatherTest, SyncTimeIsAMovingAverage) {
  GroupCommitGather gather;
  gather.GroupDone(1, 0, absl::Microseconds(800));
  EXPECT_EQ(gather.sync_time(), absl::Microseconds(800));
  gather.GroupDone(1, 0, absl::ZeroDuration());
  EXPECT_EQ(gather.sync_time(), absl::Microseconds(700));
  for (int i = 0; i < 200; ++i) gather.GroupDone(1, 0, absl::Microseconds(80));
  EXPECT_LT(gather.sync_time(), absl::Microseconds(81));
  EXPECT_GT(gather.sync_time(), absl::Microseconds(79));
}

}  // namespace
}  // namespace kstone::core
