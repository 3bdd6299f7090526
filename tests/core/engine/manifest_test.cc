#include "core/engine/manifest.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

TableMeta Meta(uint64_t number, uint32_t stripe, uint64_t min_seq,
               uint64_t max_seq) {
  TableMeta meta;
  meta.number = number;
  meta.entries = number * 10;
  meta.bytes = number * 1000;
  meta.min_seq = min_seq;
  meta.max_seq = max_seq;
  meta.smallest_key = std::string(1, static_cast<char>(stripe)) + "a";
  meta.largest_key = std::string(1, static_cast<char>(stripe)) + "z";
  return meta;
}

ManifestEdit FullEdit() {
  ManifestEdit edit;
  edit.SetNextFileNumber(42);
  edit.SetLastSequence(1000);
  edit.SetMetadata(std::string("schema\0bytes", 12));
  edit.RemoveTable(3, 7);
  edit.AddTable(3, Meta(9, 3, 1, 50));
  edit.AddTable(255, Meta(10, 255, 51, 60));
  edit.SetFlushedSeq(3, 50);
  return edit;
}

TEST(ManifestEditTest, RoundTripsEveryField) {
  const ManifestEdit edit = FullEdit();
  KS_ASSERT_OK_AND_ASSIGN(ManifestEdit decoded,
                          ManifestEdit::Decode(edit.Encode()));
  EXPECT_TRUE(decoded == edit);
  EXPECT_EQ(*decoded.metadata(), std::string("schema\0bytes", 12));
  ASSERT_EQ(decoded.added().size(), 2u);
  EXPECT_EQ(decoded.added()[1].meta.smallest_key, std::string("\xff"
                                                              "a"));

  ManifestEdit empty;
  KS_ASSERT_OK_AND_ASSIGN(ManifestEdit decoded_empty,
                          ManifestEdit::Decode(empty.Encode()));
  EXPECT_TRUE(decoded_empty == empty);
  EXPECT_FALSE(decoded_empty.next_file_number().has_value());
}

TEST(ManifestEditTest, EveryTruncationIsDataLoss) {
  const std::string bytes = FullEdit().Encode();
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::StatusOr<ManifestEdit> edit =
        ManifestEdit::Decode(std::string_view(bytes).substr(0, n));
    // A cut between fields decodes as a shorter edit; anything else is
    // DataLoss. Either way no crash.
    if (!edit.ok()) {
      EXPECT_THAT(edit,
                  StatusIs(absl::StatusCode::kDataLoss, HasSubstr("manifest")))
          << n;
    }
  }
  EXPECT_THAT(ManifestEdit::Decode(""),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("version")));
}

TEST(ManifestEditTest, BadVersionTagAndStripeAreDataLoss) {
  EXPECT_THAT(ManifestEdit::Decode("\x02"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("version 2")));
  EXPECT_THAT(ManifestEdit::Decode("\x01\x63"),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("tag 99")));
  // kRemoveTable with stripe 300.
  EXPECT_THAT(ManifestEdit::Decode(std::string("\x01\x06\xac\x02\x01", 5)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("stripe 300")));
  // Snapshot marker after a field.
  EXPECT_THAT(ManifestEdit::Decode(std::string("\x01\x02\x05\x01", 4)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("snapshot")));
}

TEST(ManifestEditTest, FlippedBytesNeverCrash) {
  const std::string bytes = FullEdit().Encode();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string copy = bytes;
      copy[i] = static_cast<char>(copy[i] ^ (1 << bit));
      absl::StatusOr<ManifestEdit> edit = ManifestEdit::Decode(copy);
      if (!edit.ok()) {
        EXPECT_EQ(edit.status().code(), absl::StatusCode::kDataLoss);
      } else {
        ManifestState state;
        state.Apply(*edit).IgnoreError();  // may contradict; must not crash
      }
    }
  }
}

TEST(ManifestStateTest, AppliesEditsAndKeepsTablesNewestFirst) {
  ManifestState state;
  ManifestEdit a;
  a.AddTable(5, Meta(1, 5, 1, 10));
  a.SetFlushedSeq(5, 10);
  KS_ASSERT_OK(state.Apply(a));
  ManifestEdit b;
  b.AddTable(5, Meta(2, 5, 11, 20));
  b.SetFlushedSeq(5, 20);
  b.SetMetadata("m");
  KS_ASSERT_OK(state.Apply(b));
  ASSERT_EQ(state.stripe(5).tables.size(), 2u);
  EXPECT_EQ(state.stripe(5).tables[0].number, 2u);
  EXPECT_EQ(state.stripe(5).flushed_seq, 20u);
  EXPECT_EQ(state.next_file_number(), 3u);
  EXPECT_EQ(state.last_sequence(), 20u);
  EXPECT_EQ(state.metadata(), "m");

  ManifestEdit compaction;
  compaction.RemoveTable(5, 1);
  compaction.RemoveTable(5, 2);
  compaction.AddTable(5, Meta(3, 5, 1, 20));
  KS_ASSERT_OK(state.Apply(compaction));
  ASSERT_EQ(state.stripe(5).tables.size(), 1u);
  EXPECT_EQ(state.table_count(), 1u);

  // A snapshot recreates the state from scratch.
  ManifestState copy;
  ManifestEdit junk;
  junk.AddTable(9, Meta(77, 9, 1, 1));
  KS_ASSERT_OK(copy.Apply(junk));
  KS_ASSERT_OK_AND_ASSIGN(ManifestEdit snapshot,
                          ManifestEdit::Decode(state.Snapshot().Encode()));
  EXPECT_TRUE(snapshot.snapshot());
  KS_ASSERT_OK(copy.Apply(snapshot));
  EXPECT_TRUE(copy.Snapshot() == state.Snapshot());
  EXPECT_TRUE(copy.stripe(9).tables.empty());
}

TEST(ManifestStateTest, ContradictionsAreDataLoss) {
  ManifestState state;
  ManifestEdit add;
  add.AddTable(1, Meta(4, 1, 1, 2));
  KS_ASSERT_OK(state.Apply(add));
  EXPECT_THAT(state.Apply(add),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("twice")));
  ManifestEdit remove;
  remove.RemoveTable(1, 99);
  EXPECT_THAT(state.Apply(remove),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("table 99")));
  ManifestEdit wrong_stripe;
  wrong_stripe.AddTable(2, Meta(5, 1, 1, 2));
  EXPECT_THAT(state.Apply(wrong_stripe),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("stripe")));
}

}  // namespace
}  // namespace kstone::core
