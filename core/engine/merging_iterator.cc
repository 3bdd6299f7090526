#include "core/engine/merging_iterator.h"

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace kstone::core {
namespace {

// Internal order: key ascending, then seq descending.
int CompareRecords(const RecordView& a, const RecordView& b) {
  const int r = a.key.compare(b.key);
  if (r != 0) return r;
  if (a.seq > b.seq) return -1;
  return a.seq < b.seq ? 1 : 0;
}

// The user's view of a stripe (the leveldb DBIter idea over a linear merge of
// a handful of children, without a heap: a stripe has few runs).
//
// Forward invariant: every child is invalid or at a record whose key is >=
// the current key; the children at the current key sit at their newest
// visible version of it; winner_ is the child with the newest of those.
// Backward invariant: every child is invalid or at the oldest version of its
// largest key < the current key; the current key and value are copies.
//
// Moving forward is the hot path of Query and Scan, so each child's position
// is cached in a Cursor (validity and record, refreshed whenever the child
// moves): choosing the next key then costs string compares on cached views,
// not virtual calls, and children's statuses are only consulted when one of
// them has become invalid (a child with an error is invalid).
class LiveIterator final : public EngineIterator {
 public:
  LiveIterator(TableIterators children, uint64_t snapshot_seq,
               std::shared_ptr<const void> keep_alive)
      : children_(std::move(children)),
        snapshot_seq_(snapshot_seq),
        keep_alive_(std::move(keep_alive)),
        lone_unique_child_(children_.size() == 1 &&
                           children_[0]->KeysUnique()) {
    cursors_.resize(children_.size());
    for (size_t i = 0; i < children_.size(); ++i) {
      cursors_[i].it = children_[i].get();
    }
  }

  ~LiveIterator() override {
    cursors_.clear();
    children_.clear();  // before keep_alive_ releases what they read
  }

  bool Valid() const override { return valid_; }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    LoadAll();
    FindNextForward();
  }
  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    FindPrevBackward();
  }
  void Seek(std::string_view key) override {
    for (auto& c : children_) c->Seek(key);
    LoadAll();
    FindNextForward();
  }
  void SeekForPrev(std::string_view key) override {
    for (auto& c : children_) c->SeekForPrev(key);
    FindPrevBackward();
  }

  void Next() override {
    assert(valid_);
    if (forward_ && lone_unique_child_) {
      Cursor& c = cursors_[0];
      c.Next();  // the next record has another key
      // Mostly a visible value: then it is the current record, as is.
      if (c.valid && c.record.seq <= snapshot_seq_ &&
          c.record.type == RecordType::kValue) {
        return;
      }
    } else if (forward_) {
      saved_key_.assign(winner_->record.key);
      SkipKeyForward(saved_key_);
    } else {
      // Children sit before the current key: move them past it.
      for (auto& c : children_) {
        c->Seek(saved_key_);
        while (c->Valid() && c->record().key == saved_key_) c->Next();
      }
      LoadAll();
    }
    FindNextForward();
  }

  void Prev() override {
    assert(valid_);
    if (forward_) {
      saved_key_.assign(key());
      // Move every child to the last record before the current key.
      for (auto& c : children_) {
        c->Seek(saved_key_);
        if (c->Valid()) {
          c->Prev();
        } else if (c->status().ok()) {
          c->SeekToLast();
        }
      }
    }
    FindPrevBackward();
  }

  std::string_view key() const override {
    assert(valid_);
    return forward_ ? winner_->record.key : std::string_view(saved_key_);
  }
  std::string_view value() const override {
    assert(valid_);
    return forward_ ? winner_->record.value : std::string_view(saved_value_);
  }
  absl::Status status() const override { return status_; }

 private:
  // A child and its cached position (record views the child's storage and
  // is only valid while `valid`).
  struct Cursor {
    TableIterator* it = nullptr;
    bool valid = false;
    RecordView record;

    void Load() {
      valid = it->Valid();
      if (valid) record = it->record();
    }
    void Next() { valid = it->NextRecord(&record); }
  };

  void LoadAll() {
    for (Cursor& c : cursors_) c.Load();
  }

  // Stops at the first child error; returns false if there was one.
  bool CheckStatus() {
    if (!status_.ok()) return false;
    for (const auto& c : children_) {
      absl::Status s = c->status();
      if (!s.ok()) {
        status_ = std::move(s);
        valid_ = false;
        return false;
      }
    }
    return true;
  }

  void SkipKeyForward(std::string_view key) {
    for (Cursor& c : cursors_) {
      while (c.valid && c.record.key == key) c.Next();
    }
  }

  void FindNextForward() {
    forward_ = true;
    valid_ = false;
    while (true) {
      int best = -1;
      bool any_invalid = false;
      const RecordView* best_record = nullptr;
      for (size_t i = 0; i < cursors_.size(); ++i) {
        Cursor& c = cursors_[i];
        while (c.valid && c.record.seq > snapshot_seq_) c.Next();
        if (!c.valid) {
          any_invalid = true;
          continue;
        }
        if (best < 0 || CompareRecords(c.record, *best_record) < 0) {
          best = static_cast<int>(i);
          best_record = &c.record;
        }
      }
      if ((any_invalid || !status_.ok()) && !CheckStatus()) return;
      if (best < 0) return;
      if (best_record->type == RecordType::kDeletion) {
        saved_key_.assign(best_record->key);
        SkipKeyForward(saved_key_);
        continue;
      }
      winner_ = &cursors_[static_cast<size_t>(best)];
      valid_ = true;
      return;
    }
  }

  void FindPrevBackward() {
    forward_ = false;
    valid_ = false;
    while (true) {
      // The largest key among the children.
      bool any = false;
      for (const auto& c : children_) {
        if (!c->Valid()) continue;
        const std::string_view k = c->record().key;
        if (!any || k > std::string_view(scratch_key_)) {
          scratch_key_.assign(k);
          any = true;
        }
      }
      if (!CheckStatus() || !any) return;
      // Walk every child back over that key (oldest version first), keeping
      // the newest visible version.
      bool found = false;
      uint64_t best_seq = 0;
      RecordType best_type = RecordType::kDeletion;
      for (auto& c : children_) {
        while (c->Valid()) {
          const RecordView r = c->record();
          if (r.key != std::string_view(scratch_key_)) break;
          if (r.seq <= snapshot_seq_ && (!found || r.seq > best_seq)) {
            found = true;
            best_seq = r.seq;
            best_type = r.type;
            if (r.type == RecordType::kValue) saved_value_.assign(r.value);
          }
          c->Prev();
        }
      }
      if (!CheckStatus()) return;
      if (found && best_type == RecordType::kValue) {
        saved_key_.swap(scratch_key_);
        valid_ = true;
        return;
      }
    }
  }

  TableIterators children_;
  // One per child; current while forward_.
  absl::InlinedVector<Cursor, 4> cursors_;
  const uint64_t snapshot_seq_;
  const std::shared_ptr<const void> keep_alive_;
  // One child that holds one record per key (a stripe after a compaction,
  // with empty memtables): moving forward needs no key compares.
  const bool lone_unique_child_;
  bool valid_ = false;
  bool forward_ = true;
  // The cursor of the current record while forward_ (cursors_ never
  // moves once built, so a pointer saves indexing it on every read).
  const Cursor* winner_ = nullptr;
  std::string saved_key_;
  std::string saved_value_;
  std::string scratch_key_;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<EngineIterator> NewLiveIterator(
    TableIterators children, uint64_t snapshot_seq,
    std::shared_ptr<const void> keep_alive) {
  return std::make_unique<LiveIterator>(std::move(children), snapshot_seq,
                                        std::move(keep_alive));
}

RecordMerger::RecordMerger(std::vector<std::unique_ptr<TableIterator>> children)
    : children_(std::move(children)) {}

void RecordMerger::SeekToFirst() {
  for (auto& c : children_) c->SeekToFirst();
  FindSmallest();
}

void RecordMerger::Next() {
  assert(Valid());
  children_[current_]->Next();
  FindSmallest();
}

void RecordMerger::FindSmallest() {
  current_ = -1;
  RecordView best;
  for (size_t i = 0; i < children_.size(); ++i) {
    if (!children_[i]->Valid()) continue;
    const RecordView r = children_[i]->record();
    if (current_ < 0 || CompareRecords(r, best) < 0) {
      current_ = static_cast<int>(i);
      best = r;
    }
  }
  if (!status().ok()) current_ = -1;
}

absl::Status RecordMerger::status() const {
  for (const auto& c : children_) {
    absl::Status s = c->status();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace kstone::core
