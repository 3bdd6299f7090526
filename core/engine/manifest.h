#ifndef KSTONE_CORE_ENGINE_MANIFEST_H_
#define KSTONE_CORE_ENGINE_MANIFEST_H_

// The engine's manifest: which tables each stripe holds, the next file
// number, the last sequence number, each stripe's flushed sequence number and
// the caller's metadata blob, kept as a log of edits (core::ManifestLog, which
// frames and checksums the records) and rewritten now and then as one
// snapshot record. Encoding: docs/formats/manifest_edits.md.
//
//   ManifestEdit edit;
//   edit.AddTable(stripe, meta);
//   edit.SetNextFileNumber(n);
//   log->Append(edit.Encode());
//   ...
//   ManifestState state;
//   for (record : log->ReadAll()) {
//     KS_ASSIGN_OR_RETURN(ManifestEdit e, ManifestEdit::Decode(record));
//     KS_RETURN_IF_ERROR(state.Apply(e));
//   }
//
// Thread safety: ManifestEdit and ManifestState are plain values (not
// thread-safe); the engine serialises its manifest writes.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/storage/record.h"
#include "core/storage/table.h"

namespace kstone::core {

// One change to the manifest state. Every field is optional; a snapshot edit
// replaces the whole state instead of changing it.
class ManifestEdit {
 public:
  struct AddedTable {
    uint32_t stripe = 0;
    TableMeta meta;
  };
  struct RemovedTable {
    uint32_t stripe = 0;
    uint64_t number = 0;
  };
  struct FlushedSeq {
    uint32_t stripe = 0;
    uint64_t seq = 0;
  };

  void set_snapshot(bool snapshot) { snapshot_ = snapshot; }
  void SetNextFileNumber(uint64_t n) { next_file_number_ = n; }
  void SetLastSequence(uint64_t seq) { last_sequence_ = seq; }
  void SetMetadata(std::string metadata) { metadata_ = std::move(metadata); }
  void AddTable(uint32_t stripe, const TableMeta& meta) {
    added_.push_back({stripe, meta});
  }
  void RemoveTable(uint32_t stripe, uint64_t number) {
    removed_.push_back({stripe, number});
  }
  void SetFlushedSeq(uint32_t stripe, uint64_t seq) {
    flushed_.push_back({stripe, seq});
  }

  bool snapshot() const { return snapshot_; }
  const std::optional<uint64_t>& next_file_number() const {
    return next_file_number_;
  }
  const std::optional<uint64_t>& last_sequence() const {
    return last_sequence_;
  }
  const std::optional<std::string>& metadata() const { return metadata_; }
  const std::vector<AddedTable>& added() const { return added_; }
  const std::vector<RemovedTable>& removed() const { return removed_; }
  const std::vector<FlushedSeq>& flushed() const { return flushed_; }

  std::string Encode() const;
  // DataLoss (saying what is wrong and at which byte) if `record` is not a
  // well-formed edit. Never crashes on any input.
  static absl::StatusOr<ManifestEdit> Decode(std::string_view record);

  friend bool operator==(const ManifestEdit&, const ManifestEdit&);

 private:
  bool snapshot_ = false;
  std::optional<uint64_t> next_file_number_;
  std::optional<uint64_t> last_sequence_;
  std::optional<std::string> metadata_;
  std::vector<AddedTable> added_;
  std::vector<RemovedTable> removed_;
  std::vector<FlushedSeq> flushed_;
};

// The state the edits build up.
class ManifestState {
 public:
  struct Stripe {
    // Newest first: ordered by max_seq descending (the tables of a stripe
    // hold disjoint sequence ranges).
    std::vector<TableMeta> tables;
    uint64_t flushed_seq = 0;
  };

  // Applies `edit`. DataLoss if it contradicts the state (a table added
  // twice, removal of an absent table, a stripe out of range); the state is
  // then unspecified.
  absl::Status Apply(const ManifestEdit& edit);

  // A snapshot edit that recreates this state.
  ManifestEdit Snapshot() const;

  uint64_t next_file_number() const { return next_file_number_; }
  uint64_t last_sequence() const { return last_sequence_; }
  const std::string& metadata() const { return metadata_; }
  const Stripe& stripe(uint32_t i) const { return stripes_[i]; }
  uint64_t table_count() const;

 private:
  uint64_t next_file_number_ = 1;
  uint64_t last_sequence_ = 0;
  std::string metadata_;
  std::array<Stripe, kStripeCount> stripes_;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_ENGINE_MANIFEST_H_
