#ifndef KSTONE_API_READ_PLAN_H_
#define KSTONE_API_READ_PLAN_H_

// ReadPlan: a validated Query or Scan request, ready to run. Preparing one
// converts the placeholders, parses and resolves the expressions (filter,
// projection, key condition), checks the limit, and checks that every
// placeholder is defined and used. For a Query it also turns the key
// condition into a range of engine keys (KeyRange), so the read seeks
// straight to the matching sort keys instead of filtering the partition.
//
// Thread-safety: a prepared plan is read-only and safe for concurrent use.
// It must not move (its expressions point into its placeholder maps), hence
// the unique_ptr.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/expr/condition_expression.h"
#include "core/expr/key_condition.h"
#include "core/expr/placeholders.h"
#include "core/expr/projection_expression.h"
#include "core/types/key.h"
#include "kstone/query.h"
#include "kstone/schema.h"

namespace kstone {

// The engine keys a Query may visit: every key k with prefix `prefix` and
// lower <= k (lower < k if !lower_inclusive) and, if upper is set, k <= upper
// (k < upper if !upper_inclusive). All bounds start with `prefix`.
struct KeyRange {
  std::string prefix;
  std::string lower;
  bool lower_inclusive = true;
  std::optional<std::string> upper;
  bool upper_inclusive = true;

  bool AboveLower(std::string_view key) const;
  bool BelowUpper(std::string_view key) const;
  // Starts with prefix and is within both bounds.
  bool Contains(std::string_view key) const;
};

struct ReadPlan {
  core::expr::AttributeNames names;
  core::expr::AttributeValues values;
  std::optional<core::expr::ConditionExpression> filter;
  std::optional<core::expr::ProjectionExpression> projection;
  int64_t limit = 0;  // 0: none
  bool count_only = false;

  // Query only.
  core::expr::KeyCondition key_condition;
  KeyRange range;
};

absl::StatusOr<std::unique_ptr<ReadPlan>> PrepareQuery(
    const Query& query, const TableSchema& schema);
absl::StatusOr<std::unique_ptr<ReadPlan>> PrepareScan(
    const Scan& scan, const TableSchema& schema);

// The smallest string greater than every string starting with `prefix`, or
// nullopt if there is none (prefix empty or all 0xff).
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

}  // namespace kstone

#endif  // KSTONE_API_READ_PLAN_H_
