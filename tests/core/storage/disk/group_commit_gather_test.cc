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
  EXPECT_EQ(plan.max_gap, kSync / 4);
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

TEST(GroupCommitGatherTest, MissedGathersShortenTheNextUntilOneIsReached) {
  using Outcome = GroupCommitGather::Outcome;
  GroupCommitGather gather;
  gather.GroupDone(4, 4, kSync);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 2);
  gather.GatherDone(Outcome::kTimedOut);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 4);
  EXPECT_EQ(gather.Next(1).max_gap, kSync / 8);
  gather.GatherDone(Outcome::kNobody);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 8);
  gather.GatherDone(Outcome::kTimedOut);
  gather.GatherDone(Outcome::kTimedOut);
  gather.GatherDone(Outcome::kNobody);
  // Floors at 1/16 of the full limits.
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 32);
  EXPECT_EQ(gather.Next(1).max_gap, kSync / 64);
  gather.GatherDone(Outcome::kReached);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 2);
  EXPECT_EQ(gather.Next(1).max_gap, kSync / 4);
}

TEST(GroupCommitGatherTest, StalledGathersLeaveTheLimitsAlone) {
  using Outcome = GroupCommitGather::Outcome;
  GroupCommitGather gather;
  gather.GroupDone(4, 4, kSync);
  // Writers came, then one stayed away (say, blocked on a lock that a
  // member of the group holds): not a reason to gather less.
  for (int i = 0; i < 10; ++i) gather.GatherDone(Outcome::kStalled);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 2);
  gather.GatherDone(Outcome::kTimedOut);
  for (int i = 0; i < 10; ++i) gather.GatherDone(Outcome::kStalled);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 4);
}

TEST(GroupCommitGatherTest, BackedOffGathersProbeWithTheFullLimits) {
  using Outcome = GroupCommitGather::Outcome;
  GroupCommitGather gather;
  gather.GroupDone(4, 4, kSync);
  for (int i = 0; i < 4; ++i) gather.GatherDone(Outcome::kTimedOut);
  // Backed off to 1/16. The 16th gather since the first miss is a probe
  // with the full limits: 4 missed, 11 short ones, then the probe.
  int short_gathers = 0;
  while (!gather.Probing()) {
    EXPECT_EQ(gather.Next(1).max_wait, kSync / 32);
    gather.GatherDone(Outcome::kNobody);
    ASSERT_LT(++short_gathers, 16);
  }
  EXPECT_EQ(short_gathers, 11);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 2);
  EXPECT_EQ(gather.Next(1).max_gap, kSync / 4);
  // A failed probe: still backed off, and the next probe 16 gathers later.
  gather.GatherDone(Outcome::kTimedOut);
  EXPECT_FALSE(gather.Probing());
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 32);
  for (int i = 0; i < 15; ++i) {
    EXPECT_FALSE(gather.Probing()) << i;
    gather.GatherDone(Outcome::kNobody);
  }
  ASSERT_TRUE(gather.Probing());
  // A probe that reaches its target ends the back-off.
  gather.GatherDone(Outcome::kReached);
  EXPECT_FALSE(gather.Probing());
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 2);
  gather.GatherDone(Outcome::kNobody);
  EXPECT_EQ(gather.Next(1).max_wait, kSync / 4);
}

TEST(GroupCommitGatherTest, NotBackedOffNeverProbes) {
  using Outcome = GroupCommitGather::Outcome;
  GroupCommitGather gather;
  gather.GroupDone(4, 4, kSync);
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(gather.Probing()) << i;
    gather.GatherDone(i % 2 == 0 ? Outcome::kReached : Outcome::kStalled);
  }
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
