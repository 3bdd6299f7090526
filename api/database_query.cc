// Query and Scan: running a ReadPlan (api/read_plan.h) over the engine's
// stripe iterators, one page at a time.

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "api/database_impl.h"
#include "api/item_decoder.h"
#include "api/read_plan.h"
#include "api/value_internal.h"
#include "core/types/item_codec.h"
#include "core/types/key_codec.h"
#include "core/util/status_macros.h"

namespace kstone {
namespace {

// A page ends once the items read reach this many bytes (DynamoDB's 1 MB),
// each counted by DynamoDB's item size (core::Item::DynamoSize, key
// attributes included), before filter and projection. The item that reaches
// the mark is the page's last.
constexpr uint64_t kPageBytes = 1 << 20;
constexpr int kStripes = 256;

// Stripes [first, end) of segment `segment` of `total`: stripe s belongs to
// the segment i with ceil(i*256/n) <= s < ceil((i+1)*256/n).
int SegmentStart(int segment, int total) {
  return (segment * kStripes + total - 1) / total;
}

using ItemVisitor = absl::FunctionRef<bool(const Item&)>;

// DataLoss for a record of the table at `path` that does not decode.
absl::Status CorruptRecord(const std::string& path, const std::string& what,
                           const absl::Status& s) {
  return absl::DataLossError(
      absl::StrCat("in ", path, ": ", what, ": ", s.message()));
}

// Collects one page: counts, filters, projects, and tells when to stop. With
// a visitor (ScanEach with a filter or projection), hands each item to it
// instead and has no 1 MB mark: it is full when the visitor says stop or the
// limit is reached.
class PageCollector {
 public:
  PageCollector(const ReadPlan& plan, const TableSchema& schema,
                const std::string& path, ReadPage* page,
                const ItemVisitor* visit = nullptr)
      : plan_(plan),
        schema_(schema),
        path_(path),
        page_(page),
        visit_(visit),
        decoder_(schema),
        build_core_(plan.filter.has_value() || plan.projection.has_value()),
        keep_ends_(plan.key_condition.sort_op !=
                   core::expr::KeyCondition::SortOp::kNone) {
    if (visit_ == nullptr && !plan_.count_only && plan_.limit > 0) {
      page_->items.reserve(
          static_cast<size_t>(std::min<int64_t>(plan_.limit, 1024)));
    }
  }

  // Adds the record (engine key, encoded item).
  absl::Status Add(std::string_view engine_key, std::string_view value) {
    if (keep_ends_ && page_->scanned_count == 0) {
      first_key_.assign(engine_key);
    }
    absl::Status s = AddRecord(engine_key, value);
    if (s.ok() && (keep_ends_ || Full())) last_key_.assign(engine_key);
    return s;
  }

  // True once the page is full (limit or 1 MB), or the visitor said stop.
  bool Full() const {
    return stopped_ ||
           (plan_.limit > 0 && page_->scanned_count >= plan_.limit) ||
           (visit_ == nullptr && bytes_ >= kPageBytes);
  }

  // The engine key of the record that filled the page (once Full()); with a
  // sort key condition, also those of the first and the last record added.
  const std::string& first_key() const { return first_key_; }
  const std::string& last_key() const { return last_key_; }

  // The public Key of a record's engine key (already decoded once by Add).
  Key PublicKeyOf(std::string_view engine_key) {
    if (!decoder_.SetKey(engine_key).ok()) return Key(Value());
    return decoder_.key();
  }

 private:
  absl::Status AddRecord(std::string_view engine_key, std::string_view value) {
    absl::Status s = decoder_.SetKey(engine_key);
    if (!s.ok()) return Corrupt("a key", s);
    ++page_->scanned_count;
    if (build_core_) return AddCore(engine_key, value);
    size_t size = 0;
    if (plan_.count_only) {
      s = decoder_.Measure(value, &size);
      if (!s.ok()) return Corrupt(decoder_.key().ToString(), s);
    } else {
      if (page_->items.size() == 1) ReserveByFirstItem();
      Item& item = page_->items.emplace_back();
      s = decoder_.Decode(value, &item, &size);
      if (!s.ok()) {
        page_->items.pop_back();
        return Corrupt(PublicKeyOf(engine_key).ToString(), s);
      }
    }
    bytes_ += size;
    ++page_->count;
    return absl::OkStatus();
  }

  // With a filter or a projection: through a core::Item, which they read.
  absl::Status AddCore(std::string_view engine_key, std::string_view value) {
    absl::StatusOr<core::Key> key = core::DecodeEngineKey(engine_key);
    if (!key.ok()) return Corrupt("a key", key.status());
    core::Item item;
    size_t size = 0;
    absl::Status s = core::DecodeItem(value, &item, &size);
    if (!s.ok()) return Corrupt(decoder_.key().ToString(), s);
    const std::string& pk_name = schema_.partition_key_name();
    // (A stored attribute named like a key attribute, which Put never
    // writes, gives way to it; then the size is counted again.)
    bool recount = item.Has(pk_name);
    size += pk_name.size() + key->partition().DynamoSize();
    item.Set(pk_name, key->partition());
    if (key->has_sort()) {
      const std::string& sk_name = schema_.sort_key_name();
      recount = recount || item.Has(sk_name);
      size += sk_name.size() + key->sort().DynamoSize();
      item.Set(sk_name, key->sort());
    }
    bytes_ += recount ? item.DynamoSize() : size;
    if (plan_.filter.has_value() && !plan_.filter->Evaluate(&item)) {
      return absl::OkStatus();
    }
    ++page_->count;
    if (plan_.count_only) return absl::OkStatus();
    Item out = plan_.projection.has_value()
                   ? ItemFromCore(plan_.projection->Apply(item))
                   : ItemFromCore(std::move(item));
    if (visit_ != nullptr) {
      if (!(*visit_)(out)) stopped_ = true;
    } else {
      page_->items.push_back(std::move(out));
    }
    return absl::OkStatus();
  }

  // Pages usually hold items of similar sizes: after the first item, reserve
  // for as many as the page's bytes would hold (at most kMaxReserve).
  void ReserveByFirstItem() {
    constexpr uint64_t kMaxReserve = 16384;
    uint64_t n = kPageBytes / std::max<uint64_t>(bytes_, 1) + 1;
    if (plan_.limit > 0) n = std::min<uint64_t>(n, plan_.limit);
    page_->items.reserve(static_cast<size_t>(std::min(n, kMaxReserve)));
  }

  absl::Status Corrupt(const std::string& what, const absl::Status& s) {
    return CorruptRecord(path_, what, s);
  }

  const ReadPlan& plan_;
  const TableSchema& schema_;
  const std::string& path_;
  ReadPage* page_;
  const ItemVisitor* const visit_;  // set only with build_core_
  bool stopped_ = false;
  RecordDecoder decoder_;
  const bool build_core_;
  // Whether to keep the first and last keys for CheckInKeyCondition.
  const bool keep_ends_;
  uint64_t bytes_ = 0;
  std::string first_key_;
  std::string last_key_;
};

bool InItemNamespace(std::string_view key, uint32_t stripe) {
  return key.size() >= 2 && static_cast<uint8_t>(key[0]) == stripe &&
         static_cast<uint8_t>(key[1]) == core::kNamespaceItem;
}

// Internal if the record of `engine_key`, read from the query's range, does
// not satisfy its key condition (the range would be wrong).
absl::Status CheckInKeyCondition(const ReadPlan& plan,
                                 std::string_view engine_key) {
  KS_ASSIGN_OR_RETURN(core::Key key, core::DecodeEngineKey(engine_key));
  if (plan.key_condition.MatchesSort(key.sort_or_null())) {
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat(
      "query range and key condition disagree at ", key.DebugString()));
}

// Where a Scan starts: its segment's stripes [stripe, end), and the engine
// key of its StartAfter key, if any (in stripe `stripe`).
struct ScanStart {
  int stripe = 0;
  int end = 0;
  std::optional<std::string> after;
};

// Positions `it` (an iterator of stripe s) at the stripe's first item, or
// after *after if that is set (and then clears it: only the first stripe
// continues after a key).
void SeekStripe(uint32_t s, std::optional<std::string>* after,
                core::EngineIterator* it) {
  if (after->has_value()) {
    it->Seek(**after);
    if (it->Valid() && it->key() == **after) it->Next();
    after->reset();
  } else {
    const char base[2] = {static_cast<char>(s),
                          static_cast<char>(core::kNamespaceItem)};
    it->Seek(std::string_view(base, 2));
  }
}

// The stripes and start key of `scan` (VALIDATION for a start key that is
// invalid or outside the segment).
absl::StatusOr<ScanStart> ScanStartOf(const DatabaseImpl& db,
                                      const kstone::Scan& scan) {
  ScanStart start;
  start.stripe = SegmentStart(scan.segment(), scan.total_segments());
  start.end = SegmentStart(scan.segment() + 1, scan.total_segments());
  if (scan.start_after().has_value()) {
    const Key& key = *scan.start_after();
    KS_ASSIGN_OR_RETURN(start.after, db.CheckStartKey(key));
    const int stripe = static_cast<uint8_t>((*start.after)[0]);
    if (stripe < start.stripe || stripe >= start.end) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The provided Exclusive start key does not map to the provided "
          "segment: ",
          key.ToString(), " is not in segment ", scan.segment(), " of ",
          scan.total_segments()));
    }
    start.stripe = stripe;
  }
  return start;
}

}  // namespace

absl::StatusOr<std::string> DatabaseImpl::CheckStartKey(
    const Key& start) const {
  constexpr char kInvalid[] = "The provided starting key is invalid: ";
  // (A start key without a sort key is valid on a table with one: kstone's
  // sort key is optional per item, and such an item's key can be a page's
  // last_key.)
  absl::StatusOr<std::string> engine_key = EngineKeyOf(start);
  if (!engine_key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kInvalid, engine_key.status().message()));
  }
  return engine_key;
}

absl::StatusOr<QueryResult> DatabaseImpl::Query(
    const kstone::Query& query) const {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<ReadPlan> plan,
                      PrepareQuery(query, schema_));
  KeyRange& range = plan->range;  // the plan is this call's own
  if (query.start_after().has_value()) {
    const Key& start = *query.start_after();
    KS_ASSIGN_OR_RETURN(std::string start_key, CheckStartKey(start));
    if (!schema_.has_sort_key()) {
      // A partition holds one item: there is never a next page to start.
      return absl::InvalidArgumentError(absl::StrCat(
          "The provided starting key is invalid: a Query of a table without "
          "a sort key cannot continue after a key (partition key ",
          schema_.partition_key_name(), ")"));
    }
    KS_ASSIGN_OR_RETURN(core::Key core_start, KeyToCore(start));
    if (core_start.partition() != plan->key_condition.partition) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The provided starting key is outside query boundaries based on "
          "provided conditions: ",
          start.ToString(), " is not in the queried partition"));
    }
    if (!plan->key_condition.MatchesSort(core_start.sort_or_null())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "The provided starting key does not match the range key "
          "predicate: the sort key of ",
          start.ToString(), " does not satisfy the key condition on ",
          schema_.sort_key_name()));
    }
    // Continue strictly after (before, in reverse) the start key, which lies
    // in the range.
    if (!query.reverse()) {
      range.lower = std::move(start_key);
      range.lower_inclusive = false;
    } else {
      range.upper = std::move(start_key);
      range.upper_inclusive = false;
    }
  }

  QueryResult page;
  PageCollector collector(*plan, schema_, path_, &page);
  std::unique_ptr<core::EngineIterator> it =
      engine_->NewIterator(static_cast<uint8_t>(range.prefix[0]));
  if (!query.reverse()) {
    it->Seek(range.lower);
    if (it->Valid() && !range.AboveLower(it->key())) it->Next();
  } else if (range.upper.has_value()) {
    it->SeekForPrev(*range.upper);
    if (it->Valid() && !range.BelowUpper(it->key())) it->Prev();
  } else {
    // The last key with the prefix: the last one before its successor. (The
    // prefix starts with the stripe and namespace bytes, so one exists.)
    const std::optional<std::string> end = PrefixSuccessor(range.prefix);
    if (end.has_value()) {
      it->SeekForPrev(*end);
      if (it->Valid() && it->key() == *end) it->Prev();
    } else {
      it->SeekToLast();
    }
  }
  while (it->Valid() && range.Contains(it->key())) {
    KS_RETURN_IF_ERROR(collector.Add(it->key(), it->value()));
    if (query.reverse()) {
      it->Prev();
    } else {
      it->Next();
    }
    if (collector.Full()) {
      if (it->Valid() && range.Contains(it->key())) {
        page.last_key = collector.PublicKeyOf(collector.last_key());
      }
      break;
    }
  }
  // The range is an interval of engine keys and so is the key condition
  // (every sort key operator selects an interval of sort keys), so checking
  // the ends checks every record read. (Without a sort key condition the
  // range is the partition's, which Contains checked for every record.)
  if (page.scanned_count > 0 &&
      plan->key_condition.sort_op != core::expr::KeyCondition::SortOp::kNone) {
    KS_RETURN_IF_ERROR(CheckInKeyCondition(*plan, collector.first_key()));
    KS_RETURN_IF_ERROR(CheckInKeyCondition(*plan, collector.last_key()));
  }
  KS_RETURN_IF_ERROR(it->status());
  return page;
}

absl::StatusOr<ScanResult> DatabaseImpl::Scan(const kstone::Scan& scan) const {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<ReadPlan> plan,
                      PrepareScan(scan, schema_));
  KS_ASSIGN_OR_RETURN(ScanStart start, ScanStartOf(*this, scan));

  ScanResult page;
  PageCollector collector(*plan, schema_, path_, &page);
  for (int stripe = start.stripe; stripe < start.end; ++stripe) {
    const uint32_t s = static_cast<uint32_t>(stripe);
    std::unique_ptr<core::EngineIterator> it = engine_->NewIterator(s);
    SeekStripe(s, &start.after, it.get());
    bool full = false;
    bool more = false;
    while (it->Valid() && InItemNamespace(it->key(), s)) {
      KS_RETURN_IF_ERROR(collector.Add(it->key(), it->value()));
      it->Next();
      if (collector.Full()) {
        full = true;
        more = it->Valid() && InItemNamespace(it->key(), s);
        break;
      }
    }
    KS_RETURN_IF_ERROR(it->status());
    if (!full) continue;
    // Does anything remain in the segment?
    for (int t = stripe + 1; !more && t < start.end; ++t) {
      const uint32_t u = static_cast<uint32_t>(t);
      std::unique_ptr<core::EngineIterator> next = engine_->NewIterator(u);
      std::optional<std::string> none;
      SeekStripe(u, &none, next.get());
      more = next->Valid() && InItemNamespace(next->key(), u);
      KS_RETURN_IF_ERROR(next->status());
    }
    if (more) page.last_key = collector.PublicKeyOf(collector.last_key());
    break;
  }
  return page;
}

absl::Status DatabaseImpl::ScanEach(
    const kstone::Scan& scan,
    absl::FunctionRef<bool(const Item&)> visit) const {
  if (scan.count_only()) {
    return absl::InvalidArgumentError(
        "ScanEach visits items: Select COUNT is for Scan");
  }
  KS_ASSIGN_OR_RETURN(std::unique_ptr<ReadPlan> plan,
                      PrepareScan(scan, schema_));
  KS_ASSIGN_OR_RETURN(ScanStart start, ScanStartOf(*this, scan));
  if (plan->filter.has_value() || plan->projection.has_value()) {
    // Through core::Items, which filters and projections read.
    ReadPage counts;  // the collector's counts; items go to `visit`
    PageCollector collector(*plan, schema_, path_, &counts, &visit);
    for (int stripe = start.stripe; stripe < start.end; ++stripe) {
      const uint32_t s = static_cast<uint32_t>(stripe);
      std::unique_ptr<core::EngineIterator> it = engine_->NewIterator(s);
      SeekStripe(s, &start.after, it.get());
      while (it->Valid() && InItemNamespace(it->key(), s)) {
        KS_RETURN_IF_ERROR(collector.Add(it->key(), it->value()));
        if (collector.Full()) return absl::OkStatus();
        it->Next();
      }
      KS_RETURN_IF_ERROR(it->status());
    }
    return absl::OkStatus();
  }
  // Every record read is an item visited: decode each into one Item, whose
  // attributes and buffers the next record reuses. No sizes, no page.
  RecordDecoder decoder(schema_);
  Item item;
  int64_t visited = 0;
  for (int stripe = start.stripe; stripe < start.end; ++stripe) {
    const uint32_t s = static_cast<uint32_t>(stripe);
    std::unique_ptr<core::EngineIterator> it = engine_->NewIterator(s);
    SeekStripe(s, &start.after, it.get());
    for (; it->Valid(); it->Next()) {
      const std::string_view key = it->key();
      if (!InItemNamespace(key, s)) break;
      absl::Status st = decoder.SetKey(key);
      if (!st.ok()) return CorruptRecord(path_, "a key", st);
      st = decoder.Decode(it->value(), &item, nullptr);
      if (!st.ok()) return CorruptRecord(path_, decoder.key().ToString(), st);
      if (!visit(item)) return absl::OkStatus();
      if (plan->limit > 0 && ++visited >= plan->limit) {
        return absl::OkStatus();
      }
    }
    KS_RETURN_IF_ERROR(it->status());
  }
  return absl::OkStatus();
}

absl::StatusOr<QueryResult> Database::Query(const kstone::Query& query) const {
  return impl_->Query(query);
}

absl::StatusOr<ScanResult> Database::Scan(const kstone::Scan& scan) const {
  return impl_->Scan(scan);
}

absl::Status Database::ScanEach(
    const kstone::Scan& scan,
    absl::FunctionRef<bool(const Item&)> visit) const {
  return impl_->ScanEach(scan, visit);
}

}  // namespace kstone
