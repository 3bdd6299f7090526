#ifndef KSTONE_QUERY_H_
#define KSTONE_QUERY_H_

// Query and Scan: reading many items, a page at a time, as DynamoDB does.
//
// A Query reads one partition, in sort-key order (numbers numerically,
// strings and binaries by bytes), optionally restricted by a condition on the
// sort key and optionally reversed. A Scan reads the whole table (or one
// segment of it, for parallel scans). Both then apply an optional filter and
// projection and return one page:
//
//   kstone::Query q = kstone::Query("user#1")
//                         .SortKeyBeginsWith("post#")
//                         .Reverse()
//                         .Limit(10)
//                         .Filter("likes >= :min")
//                         .Value(":min", kstone::Value::Number(5))
//                         .Project("title, likes");
//   absl::StatusOr<kstone::QueryResult> page = db->Query(q);
//   while (page.ok()) {
//     for (const kstone::Item& item : page->items) { ... }
//     if (!page->last_key) break;
//     page = db->Query(q.StartAfter(*page->last_key));
//   }
//
// The key condition may also be written as a DynamoDB KeyConditionExpression:
//
//   kstone::Query().KeyCondition("pk = :p AND begins_with(sk, :s)")
//       .Value(":p", kstone::Value::String("user#1"))
//       .Value(":s", kstone::Value::String("post#"));
//
// Semantics (as DynamoDB's):
//   - Limit(n) counts the items READ (scanned_count), before the filter; a
//     page may hold fewer items than n, even none, and still have a last_key.
//     A page also ends once the items read reach 1 MB (1,048,576 bytes), each
//     counted by DynamoDB's item size (names + values, key attributes
//     included), before filter and projection; the item reaching the mark is
//     the page's last.
//   - count = items that passed the filter; scanned_count = items read.
//     SelectCount() returns no items, only the counts.
//   - last_key is set only when more items may remain; pass it to
//     StartAfter() to read the next page (reading continues exactly after it;
//     the item need not exist any more). The key must fit the schema ("The
//     provided starting key is invalid: ..."). A Query's StartAfter key must
//     lie in the queried partition and satisfy the sort-key condition ("...
//     does not match the range key predicate"), as DynamoDB's
//     ExclusiveStartKey; a Query of a table without a sort key takes none.
//     (A key without a sort key on a table with one is the key of an item
//     that has none, which sorts first in its partition: accepted.) A Scan's
//     StartAfter key must lie in its segment.
//   - A Query's filter may not name the key attributes; a Scan's may.
//   - Items returned carry their key attributes (unless a projection leaves
//     them out).
//   - Every #name / :value placeholder given must be used by an expression,
//     and every one used must be given.
//   Errors: VALIDATION naming the problem for any of the above.
//
// Scan order and segments: items are stored in 256 stripes (by a hash of the
// partition key). A Scan visits stripes 0..255 in order, and within a stripe
// the keys in order (so the items of one partition come together, in sort-key
// order). Segment(i, n), 0 <= i < n <= 256, reads only stripes s with
// ceil(i*256/n) <= s < ceil((i+1)*256/n): the n segments are pairwise disjoint
// and together cover the table, so n threads (or processes) can each scan one
// segment. n > 256 is VALIDATION (kstone does not split stripes).
//
// Thread-safety: the builders are value types (not synchronised); a Query or
// Scan may be run from several threads at once. Each page sees, per stripe,
// a consistent state of that stripe as of when it was read.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/value.h"

namespace kstone {

// One page of a Query or Scan.
struct ReadPage {
  std::vector<Item> items;    // empty with SelectCount()
  int64_t count = 0;          // items that passed the filter
  int64_t scanned_count = 0;  // items read (before the filter)
  // Set when more items may remain: pass it to StartAfter for the next page.
  std::optional<Key> last_key;
};
using QueryResult = ReadPage;
using ScanResult = ReadPage;

// The condition a Query puts on the sort key.
enum class SortCondition {
  kNone,
  kEqual,
  kLess,
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
  kBetween,
  kBeginsWith,
};

// The parts Query and Scan share: filter, projection, placeholders, limit,
// count-only, start key.
template <typename Self>
class ReadRequest {
 public:
  // A FilterExpression, applied to the items read.
  Self& Filter(std::string_view expression) {
    filter_ = std::string(expression);
    return self();
  }
  // Defines the :placeholder `name` (e.g. ":min").
  Self& Value(std::string_view name, kstone::Value value) {
    values_.insert_or_assign(std::string(name), std::move(value));
    return self();
  }
  // Defines the #placeholder `placeholder` (e.g. "#n") as `attribute`.
  Self& Name(std::string_view placeholder, std::string_view attribute) {
    names_.insert_or_assign(std::string(placeholder), std::string(attribute));
    return self();
  }
  // A ProjectionExpression: only these attributes are returned.
  Self& Project(std::string_view expression) {
    projection_ = std::string(expression);
    return self();
  }
  // Reads at most n items (n >= 1; before the filter).
  Self& Limit(int64_t n) {
    limit_ = n;
    return self();
  }
  // Only the counts are returned (DynamoDB's Select COUNT).
  Self& SelectCount() {
    count_only_ = true;
    return self();
  }
  // Continues after `key` (a previous page's last_key). Clears it with
  // nullopt.
  Self& StartAfter(std::optional<Key> key) {
    start_after_ = std::move(key);
    return self();
  }

  const std::optional<std::string>& filter() const { return filter_; }
  const std::optional<std::string>& projection() const { return projection_; }
  const std::map<std::string, kstone::Value>& values() const { return values_; }
  const std::map<std::string, std::string>& names() const { return names_; }
  const std::optional<int64_t>& limit() const { return limit_; }
  bool count_only() const { return count_only_; }
  const std::optional<Key>& start_after() const { return start_after_; }

 private:
  Self& self() { return static_cast<Self&>(*this); }

  std::optional<std::string> filter_;
  std::optional<std::string> projection_;
  std::map<std::string, kstone::Value> values_;
  std::map<std::string, std::string> names_;
  std::optional<int64_t> limit_;
  bool count_only_ = false;
  std::optional<Key> start_after_;
};

// The items of one partition. Give the partition key to the constructor (and
// optionally one SortKey* condition), or use the default constructor and
// KeyCondition() with a KeyConditionExpression.
class Query : public ReadRequest<Query> {
 public:
  Query() = default;
  explicit Query(std::string_view partition_key)
      : partition_(kstone::Value::String(partition_key)) {}
  explicit Query(kstone::Value partition_key)
      : partition_(std::move(partition_key)) {}

  Query& SortKeyEquals(kstone::Value v) {
    return Sort(SortCondition::kEqual, std::move(v));
  }
  Query& SortKeyLessThan(kstone::Value v) {
    return Sort(SortCondition::kLess, std::move(v));
  }
  Query& SortKeyLessOrEqual(kstone::Value v) {
    return Sort(SortCondition::kLessOrEqual, std::move(v));
  }
  Query& SortKeyGreaterThan(kstone::Value v) {
    return Sort(SortCondition::kGreater, std::move(v));
  }
  Query& SortKeyGreaterOrEqual(kstone::Value v) {
    return Sort(SortCondition::kGreaterOrEqual, std::move(v));
  }
  // low <= sort key <= high.
  Query& SortKeyBetween(kstone::Value low, kstone::Value high) {
    Sort(SortCondition::kBetween, std::move(low));
    sort_value2_ = std::move(high);
    return *this;
  }
  // S or B sort keys only.
  Query& SortKeyBeginsWith(kstone::Value prefix) {
    return Sort(SortCondition::kBeginsWith, std::move(prefix));
  }
  // String shorthands.
  Query& SortKeyEquals(std::string_view s) {
    return SortKeyEquals(kstone::Value::String(s));
  }
  Query& SortKeyLessThan(std::string_view s) {
    return SortKeyLessThan(kstone::Value::String(s));
  }
  Query& SortKeyLessOrEqual(std::string_view s) {
    return SortKeyLessOrEqual(kstone::Value::String(s));
  }
  Query& SortKeyGreaterThan(std::string_view s) {
    return SortKeyGreaterThan(kstone::Value::String(s));
  }
  Query& SortKeyGreaterOrEqual(std::string_view s) {
    return SortKeyGreaterOrEqual(kstone::Value::String(s));
  }
  Query& SortKeyBetween(std::string_view low, std::string_view high) {
    return SortKeyBetween(kstone::Value::String(low),
                          kstone::Value::String(high));
  }
  Query& SortKeyBeginsWith(std::string_view prefix) {
    return SortKeyBeginsWith(kstone::Value::String(prefix));
  }

  // A KeyConditionExpression ("pk = :p AND sk > :s"), instead of the
  // partition key constructor and SortKey* calls (VALIDATION if both).
  Query& KeyCondition(std::string_view expression) {
    key_condition_ = std::string(expression);
    return *this;
  }
  // Descending sort-key order (DynamoDB's ScanIndexForward = false).
  Query& Reverse(bool reverse = true) {
    reverse_ = reverse;
    return *this;
  }

  const std::optional<kstone::Value>& partition_key() const {
    return partition_;
  }
  SortCondition sort_condition() const { return sort_op_; }
  const std::optional<kstone::Value>& sort_value() const { return sort_value_; }
  const std::optional<kstone::Value>& sort_value2() const {
    return sort_value2_;
  }
  const std::optional<std::string>& key_condition() const {
    return key_condition_;
  }
  bool reverse() const { return reverse_; }

 private:
  Query& Sort(SortCondition op, kstone::Value v) {
    sort_op_ = op;
    sort_value_ = std::move(v);
    sort_value2_.reset();
    return *this;
  }

  std::optional<kstone::Value> partition_;
  SortCondition sort_op_ = SortCondition::kNone;
  std::optional<kstone::Value> sort_value_;
  std::optional<kstone::Value> sort_value2_;
  std::optional<std::string> key_condition_;
  bool reverse_ = false;
};

// The whole table, or one segment of it.
class Scan : public ReadRequest<Scan> {
 public:
  Scan() = default;

  // Reads segment `segment` of `total` (0 <= segment < total <= 256).
  Scan& Segment(int segment, int total) {
    segment_ = segment;
    total_segments_ = total;
    return *this;
  }

  int segment() const { return segment_; }
  int total_segments() const { return total_segments_; }

 private:
  int segment_ = 0;
  int total_segments_ = 1;
};

}  // namespace kstone

#endif  // KSTONE_QUERY_H_
