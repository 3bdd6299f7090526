#include "core/engine/manifest.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/util/coding.h"

namespace kstone::core {
namespace {

constexpr uint32_t kFormatVersion = 1;

// Field tags. Stored values; never renumber.
enum Tag : uint32_t {
  kSnapshot = 1,
  kNextFileNumber = 2,
  kLastSequence = 3,
  kMetadata = 4,
  kAddTable = 5,
  kRemoveTable = 6,
  kFlushedSeq = 7,
};

// Reads fields from a record, remembering where it is for messages.
class Reader {
 public:
  explicit Reader(std::string_view record) : record_(record), in_(record) {}

  bool done() const { return in_.empty(); }
  size_t offset() const { return record_.size() - in_.size(); }

  absl::Status Error(std::string_view what) const {
    return absl::DataLossError(absl::StrCat(
        "manifest: ", absl::string_view(what.data(), what.size()), " at byte ",
        offset(), " of a ", record_.size(), "-byte edit"));
  }
  absl::Status U32(uint32_t* v, std::string_view what) {
    const size_t at = offset();
    if (!GetVarint32(&in_, v)) return ErrorAt(at, what);
    return absl::OkStatus();
  }
  absl::Status U64(uint64_t* v, std::string_view what) {
    const size_t at = offset();
    if (!GetVarint64(&in_, v)) return ErrorAt(at, what);
    return absl::OkStatus();
  }
  absl::Status Bytes(std::string* v, std::string_view what) {
    const size_t at = offset();
    std::string_view bytes;
    if (!GetLengthPrefixed(&in_, &bytes)) return ErrorAt(at, what);
    v->assign(bytes.data(), bytes.size());
    return absl::OkStatus();
  }
  absl::Status Stripe(uint32_t* stripe) {
    const size_t at = offset();
    if (!GetVarint32(&in_, stripe)) return ErrorAt(at, "truncated stripe");
    if (*stripe >= static_cast<uint32_t>(kStripeCount)) {
      return ErrorAt(at, absl::StrCat("stripe ", *stripe, " out of range"));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ErrorAt(size_t at, std::string_view what) const {
    return absl::DataLossError(
        absl::StrCat("manifest: ", absl::string_view(what.data(), what.size()),
                     " at byte ", at, " of a ", record_.size(), "-byte edit"));
  }

  const std::string_view record_;
  std::string_view in_;
};

#define KS_MANIFEST_READ(expr)                         \
  do {                                                 \
    absl::Status ks_read_status_ = (expr);             \
    if (!ks_read_status_.ok()) return ks_read_status_; \
  } while (false)

void PutTableMeta(std::string* dst, const TableMeta& meta) {
  PutVarint64(dst, meta.number);
  PutVarint64(dst, meta.entries);
  PutVarint64(dst, meta.bytes);
  PutVarint64(dst, meta.min_seq);
  PutVarint64(dst, meta.max_seq);
  PutLengthPrefixed(dst, meta.smallest_key);
  PutLengthPrefixed(dst, meta.largest_key);
}

absl::Status GetTableMeta(Reader* r, TableMeta* meta) {
  KS_MANIFEST_READ(r->U64(&meta->number, "truncated table number"));
  KS_MANIFEST_READ(r->U64(&meta->entries, "truncated table entries"));
  KS_MANIFEST_READ(r->U64(&meta->bytes, "truncated table bytes"));
  KS_MANIFEST_READ(r->U64(&meta->min_seq, "truncated table min_seq"));
  KS_MANIFEST_READ(r->U64(&meta->max_seq, "truncated table max_seq"));
  KS_MANIFEST_READ(r->Bytes(&meta->smallest_key, "truncated smallest key"));
  KS_MANIFEST_READ(r->Bytes(&meta->largest_key, "truncated largest key"));
  if (meta->min_seq > meta->max_seq) {
    return r->Error(absl::StrCat("table ", meta->number, " has min_seq ",
                                 meta->min_seq, " > max_seq ", meta->max_seq));
  }
  return absl::OkStatus();
}

bool MetaEqual(const TableMeta& a, const TableMeta& b) {
  return a.number == b.number && a.entries == b.entries && a.bytes == b.bytes &&
         a.min_seq == b.min_seq && a.max_seq == b.max_seq &&
         a.smallest_key == b.smallest_key && a.largest_key == b.largest_key;
}

}  // namespace

std::string ManifestEdit::Encode() const {
  std::string out;
  PutVarint32(&out, kFormatVersion);
  if (snapshot_) PutVarint32(&out, kSnapshot);
  if (next_file_number_) {
    PutVarint32(&out, kNextFileNumber);
    PutVarint64(&out, *next_file_number_);
  }
  if (last_sequence_) {
    PutVarint32(&out, kLastSequence);
    PutVarint64(&out, *last_sequence_);
  }
  if (metadata_) {
    PutVarint32(&out, kMetadata);
    PutLengthPrefixed(&out, *metadata_);
  }
  for (const RemovedTable& t : removed_) {
    PutVarint32(&out, kRemoveTable);
    PutVarint32(&out, t.stripe);
    PutVarint64(&out, t.number);
  }
  for (const AddedTable& t : added_) {
    PutVarint32(&out, kAddTable);
    PutVarint32(&out, t.stripe);
    PutTableMeta(&out, t.meta);
  }
  for (const FlushedSeq& f : flushed_) {
    PutVarint32(&out, kFlushedSeq);
    PutVarint32(&out, f.stripe);
    PutVarint64(&out, f.seq);
  }
  return out;
}

absl::StatusOr<ManifestEdit> ManifestEdit::Decode(std::string_view record) {
  Reader r(record);
  ManifestEdit edit;
  uint32_t version;
  KS_MANIFEST_READ(r.U32(&version, "missing format version"));
  if (version != kFormatVersion) {
    return r.Error(absl::StrCat("unsupported edit format version ", version));
  }
  bool first = true;
  while (!r.done()) {
    uint32_t tag;
    KS_MANIFEST_READ(r.U32(&tag, "truncated field tag"));
    switch (tag) {
      case kSnapshot:
        if (!first) return r.Error("snapshot marker after other fields");
        edit.snapshot_ = true;
        break;
      case kNextFileNumber: {
        uint64_t n;
        KS_MANIFEST_READ(r.U64(&n, "truncated next file number"));
        edit.next_file_number_ = n;
        break;
      }
      case kLastSequence: {
        uint64_t n;
        KS_MANIFEST_READ(r.U64(&n, "truncated last sequence"));
        edit.last_sequence_ = n;
        break;
      }
      case kMetadata: {
        std::string metadata;
        KS_MANIFEST_READ(r.Bytes(&metadata, "truncated metadata"));
        edit.metadata_ = std::move(metadata);
        break;
      }
      case kAddTable: {
        AddedTable t;
        KS_MANIFEST_READ(r.Stripe(&t.stripe));
        KS_MANIFEST_READ(GetTableMeta(&r, &t.meta));
        edit.added_.push_back(std::move(t));
        break;
      }
      case kRemoveTable: {
        RemovedTable t;
        KS_MANIFEST_READ(r.Stripe(&t.stripe));
        KS_MANIFEST_READ(r.U64(&t.number, "truncated table number"));
        edit.removed_.push_back(t);
        break;
      }
      case kFlushedSeq: {
        FlushedSeq f;
        KS_MANIFEST_READ(r.Stripe(&f.stripe));
        KS_MANIFEST_READ(r.U64(&f.seq, "truncated flushed sequence"));
        edit.flushed_.push_back(f);
        break;
      }
      default:
        return r.Error(absl::StrCat("unknown field tag ", tag));
    }
    first = false;
  }
  return edit;
}

bool operator==(const ManifestEdit& a, const ManifestEdit& b) {
  if (a.snapshot_ != b.snapshot_ ||
      a.next_file_number_ != b.next_file_number_ ||
      a.last_sequence_ != b.last_sequence_ || a.metadata_ != b.metadata_ ||
      a.added_.size() != b.added_.size() ||
      a.removed_.size() != b.removed_.size() ||
      a.flushed_.size() != b.flushed_.size()) {
    return false;
  }
  for (size_t i = 0; i < a.added_.size(); ++i) {
    if (a.added_[i].stripe != b.added_[i].stripe ||
        !MetaEqual(a.added_[i].meta, b.added_[i].meta)) {
      return false;
    }
  }
  for (size_t i = 0; i < a.removed_.size(); ++i) {
    if (a.removed_[i].stripe != b.removed_[i].stripe ||
        a.removed_[i].number != b.removed_[i].number) {
      return false;
    }
  }
  for (size_t i = 0; i < a.flushed_.size(); ++i) {
    if (a.flushed_[i].stripe != b.flushed_[i].stripe ||
        a.flushed_[i].seq != b.flushed_[i].seq) {
      return false;
    }
  }
  return true;
}

absl::Status ManifestState::Apply(const ManifestEdit& edit) {
  if (edit.snapshot()) *this = ManifestState();
  if (edit.next_file_number()) {
    next_file_number_ = std::max(next_file_number_, *edit.next_file_number());
  }
  if (edit.last_sequence()) {
    last_sequence_ = std::max(last_sequence_, *edit.last_sequence());
  }
  if (edit.metadata()) metadata_ = *edit.metadata();
  for (const ManifestEdit::RemovedTable& t : edit.removed()) {
    std::vector<TableMeta>& tables = stripes_[t.stripe].tables;
    auto it = std::find_if(tables.begin(), tables.end(),
                           [&](const auto& m) { return m.number == t.number; });
    if (it == tables.end()) {
      return absl::DataLossError(absl::StrCat("manifest: edit removes table ",
                                              t.number, " which stripe ",
                                              t.stripe, " does not hold"));
    }
    tables.erase(it);
  }
  for (const ManifestEdit::AddedTable& t : edit.added()) {
    std::vector<TableMeta>& tables = stripes_[t.stripe].tables;
    for (const TableMeta& m : tables) {
      if (m.number == t.meta.number) {
        return absl::DataLossError(absl::StrCat("manifest: edit adds table ",
                                                t.meta.number,
                                                " twice to stripe ", t.stripe));
      }
    }
    if (!t.meta.smallest_key.empty() &&
        StripeOfKey(t.meta.smallest_key) != t.stripe) {
      return absl::DataLossError(absl::StrCat(
          "manifest: table ", t.meta.number, " holds keys of stripe ",
          StripeOfKey(t.meta.smallest_key), ", not ", t.stripe));
    }
    auto pos = std::find_if(tables.begin(), tables.end(), [&](const auto& m) {
      return m.max_seq < t.meta.max_seq;
    });
    tables.insert(pos, t.meta);
    next_file_number_ = std::max(next_file_number_, t.meta.number + 1);
  }
  for (const ManifestEdit::FlushedSeq& f : edit.flushed()) {
    Stripe& s = stripes_[f.stripe];
    s.flushed_seq = std::max(s.flushed_seq, f.seq);
    last_sequence_ = std::max(last_sequence_, f.seq);
  }
  return absl::OkStatus();
}

ManifestEdit ManifestState::Snapshot() const {
  ManifestEdit edit;
  edit.set_snapshot(true);
  edit.SetNextFileNumber(next_file_number_);
  edit.SetLastSequence(last_sequence_);
  edit.SetMetadata(metadata_);
  for (uint32_t i = 0; i < static_cast<uint32_t>(kStripeCount); ++i) {
    const Stripe& s = stripes_[i];
    // Oldest first, so that applying the adds in order rebuilds the order.
    for (auto it = s.tables.rbegin(); it != s.tables.rend(); ++it) {
      edit.AddTable(i, *it);
    }
    if (s.flushed_seq != 0) edit.SetFlushedSeq(i, s.flushed_seq);
  }
  return edit;
}

uint64_t ManifestState::table_count() const {
  uint64_t n = 0;
  for (const Stripe& s : stripes_) n += s.tables.size();
  return n;
}

}  // namespace kstone::core
