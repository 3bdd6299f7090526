#include "api/read_plan.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "api/absl_compat.h"
#include "api/request_internal.h"
#include "api/value_internal.h"
#include "core/expr/expression_error.h"
#include "core/types/key_codec.h"
#include "core/util/status_macros.h"

namespace kstone {
namespace {

using core::expr::ConditionExpression;
using core::expr::ExpressionAttributes;
using core::expr::ExpressionKind;
using core::expr::KeyCondition;
using core::expr::KeyConditionExpression;
using core::expr::PlaceholderUse;
using core::expr::ProjectionExpression;

absl::Status TypeMismatch() {
  return absl::InvalidArgumentError(
      "One or more parameter values were invalid: Condition parameter type "
      "does not match schema type");
}

// The parts shared by Query and Scan. The expressions are resolved against
// the plan's maps; their placeholders are added to *use.
template <typename Request>
absl::Status PrepareCommon(const Request& request, ExpressionKind filter_kind,
                           ReadPlan* plan, PlaceholderUse* use) {
  KS_RETURN_IF_ERROR(PlaceholdersToCore(request.names(), request.values(),
                                        &plan->names, &plan->values));
  const ExpressionAttributes attrs{&plan->names, &plan->values};
  KS_RETURN_IF_ERROR(core::expr::ValidatePlaceholderKeys(attrs));
  if (request.limit().has_value()) {
    if (*request.limit() < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "1 validation error detected: Value '", *request.limit(),
          "' at 'limit' failed to satisfy constraint: Member must have value "
          "greater than or equal to 1"));
    }
    plan->limit = *request.limit();
  }
  plan->count_only = request.count_only();
  if (request.filter().has_value()) {
    KS_ASSIGN_OR_RETURN(
        ConditionExpression filter,
        ConditionExpression::Parse(ToAbsl(*request.filter()), filter_kind));
    KS_RETURN_IF_ERROR(filter.Resolve(attrs));
    filter.CollectPlaceholders(use);
    plan->filter.emplace(std::move(filter));
  }
  if (request.projection().has_value()) {
    if (plan->count_only) {
      return absl::InvalidArgumentError(
          "Cannot specify a ProjectionExpression when Select is COUNT");
    }
    KS_ASSIGN_OR_RETURN(
        ProjectionExpression projection,
        ProjectionExpression::Parse(ToAbsl(*request.projection())));
    KS_RETURN_IF_ERROR(projection.Resolve(attrs));
    projection.CollectPlaceholders(use);
    plan->projection.emplace(std::move(projection));
  }
  return absl::OkStatus();
}

// The KeyCondition of the builder form (partition key + SortKey* call).
absl::StatusOr<KeyCondition> StructuredKeyCondition(const Query& query,
                                                    const TableSchema& schema) {
  KeyCondition cond;
  const std::string& pk_name = schema.partition_key_name();
  KS_ASSIGN_OR_RETURN(cond.partition,
                      ValueInternal::ToCore(*query.partition_key(), pk_name));
  if (cond.partition.type() != CoreKeyType(schema.partition_key_type())) {
    return TypeMismatch();
  }
  KS_RETURN_IF_ERROR(core::ValidateKeyValue(cond.partition, pk_name, true));
  if (query.sort_condition() == SortCondition::kNone) return cond;
  if (!schema.has_sort_key()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Query key condition not supported: the table has no sort key, but "
        "the query has a sort key condition (partition key ",
        pk_name, ")"));
  }
  const std::string& sk_name = schema.sort_key_name();
  const core::ValueType sk_type = CoreKeyType(schema.sort_key_type());
  KS_ASSIGN_OR_RETURN(cond.sort_value,
                      ValueInternal::ToCore(*query.sort_value(), sk_name));
  if (cond.sort_value.type() != sk_type) return TypeMismatch();
  switch (query.sort_condition()) {
    case SortCondition::kEqual:
      cond.sort_op = KeyCondition::SortOp::kEq;
      break;
    case SortCondition::kLess:
      cond.sort_op = KeyCondition::SortOp::kLt;
      break;
    case SortCondition::kLessOrEqual:
      cond.sort_op = KeyCondition::SortOp::kLe;
      break;
    case SortCondition::kGreater:
      cond.sort_op = KeyCondition::SortOp::kGt;
      break;
    case SortCondition::kGreaterOrEqual:
      cond.sort_op = KeyCondition::SortOp::kGe;
      break;
    case SortCondition::kBetween: {
      cond.sort_op = KeyCondition::SortOp::kBetween;
      KS_ASSIGN_OR_RETURN(cond.sort_value2,
                          ValueInternal::ToCore(*query.sort_value2(), sk_name));
      if (cond.sort_value2.type() != sk_type) return TypeMismatch();
      std::string low, high;
      KS_RETURN_IF_ERROR(core::AppendEncodedKeyValue(cond.sort_value, &low));
      KS_RETURN_IF_ERROR(core::AppendEncodedKeyValue(cond.sort_value2, &high));
      if (low > high) {
        return absl::InvalidArgumentError(
            "Invalid KeyConditionExpression: The BETWEEN operator requires "
            "upper bound to be greater than or equal to lower bound");
      }
      break;
    }
    case SortCondition::kBeginsWith:
      if (sk_type == core::ValueType::kNumber) {
        return absl::InvalidArgumentError(
            "Invalid KeyConditionExpression: Incorrect operand type for "
            "operator or function; operator or function: begins_with, "
            "operand type: N");
      }
      cond.sort_op = KeyCondition::SortOp::kBeginsWith;
      break;
    case SortCondition::kNone:
      break;
  }
  return cond;
}

absl::StatusOr<std::string> Encoded(const core::Value& value) {
  std::string out;
  KS_RETURN_IF_ERROR(core::AppendEncodedKeyValue(value, &out));
  return out;
}

// The engine-key range of `cond`.
absl::StatusOr<KeyRange> RangeOf(const KeyCondition& cond) {
  KeyRange range;
  KS_ASSIGN_OR_RETURN(range.prefix,
                      core::EncodePartitionPrefix(cond.partition));
  range.lower = range.prefix;
  using SortOp = KeyCondition::SortOp;
  if (cond.sort_op == SortOp::kNone) return range;
  KS_ASSIGN_OR_RETURN(std::string v, Encoded(cond.sort_value));
  std::string bound = range.prefix + v;
  switch (cond.sort_op) {
    case SortOp::kEq:
      range.lower = bound;
      range.upper = bound;
      break;
    // Below a bound, the range starts above the bare prefix: that engine
    // key is the partition's item without a sort value (kstone's sort key is
    // optional per item), which no sort condition matches.
    case SortOp::kLt:
      range.lower_inclusive = false;
      range.upper = bound;
      range.upper_inclusive = false;
      break;
    case SortOp::kLe:
      range.lower_inclusive = false;
      range.upper = bound;
      break;
    case SortOp::kGt:
      range.lower = bound;
      range.lower_inclusive = false;
      break;
    case SortOp::kGe:
      range.lower = bound;
      break;
    case SortOp::kBetween: {
      range.lower = bound;
      KS_ASSIGN_OR_RETURN(std::string v2, Encoded(cond.sort_value2));
      range.upper = range.prefix + v2;
      break;
    }
    case SortOp::kBeginsWith:
      // An S or B encoding is tag + escaped bytes + a 2-byte terminator; the
      // sort values starting with the prefix are exactly those whose
      // encoding starts with the prefix's encoding without its terminator.
      bound.resize(bound.size() - 2);
      range.prefix = bound;
      range.lower = bound;
      break;
    case SortOp::kNone:
      break;
  }
  return range;
}

}  // namespace

bool KeyRange::AboveLower(std::string_view key) const {
  const int c = key.compare(lower);
  return c > 0 || (c == 0 && lower_inclusive);
}

bool KeyRange::BelowUpper(std::string_view key) const {
  if (!upper.has_value()) return true;
  const int c = key.compare(*upper);
  return c < 0 || (c == 0 && upper_inclusive);
}

bool KeyRange::Contains(std::string_view key) const {
  return key.substr(0, prefix.size()) == prefix && AboveLower(key) &&
         BelowUpper(key);
}

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    unsigned char last = static_cast<unsigned char>(s.back());
    if (last != 0xff) {
      s.back() = static_cast<char>(last + 1);
      return s;
    }
    s.pop_back();
  }
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<ReadPlan>> PrepareQuery(
    const Query& query, const TableSchema& schema) {
  auto plan = std::make_unique<ReadPlan>();
  PlaceholderUse use;
  KS_RETURN_IF_ERROR(
      PrepareCommon(query, ExpressionKind::kFilter, plan.get(), &use));
  const core::KeySchema key_schema = CoreKeySchema(schema);
  if (query.key_condition().has_value()) {
    if (query.partition_key().has_value() ||
        query.sort_condition() != SortCondition::kNone) {
      return absl::InvalidArgumentError(
          "Query has both a KeyCondition expression and a partition key or "
          "sort key condition; use one form");
    }
    KS_ASSIGN_OR_RETURN(
        KeyConditionExpression expr,
        KeyConditionExpression::Parse(ToAbsl(*query.key_condition())));
    KS_ASSIGN_OR_RETURN(
        plan->key_condition,
        expr.Resolve(ExpressionAttributes{&plan->names, &plan->values},
                     key_schema));
    KS_RETURN_IF_ERROR(core::ValidateKeyValue(
        plan->key_condition.partition, schema.partition_key_name(), true));
    expr.CollectPlaceholders(&use);
  } else {
    if (!query.partition_key().has_value()) {
      return absl::InvalidArgumentError(
          "Query needs a partition key: Query(partition_key) or "
          "KeyCondition(expression)");
    }
    KS_ASSIGN_OR_RETURN(plan->key_condition,
                        StructuredKeyCondition(query, schema));
  }
  if (plan->filter.has_value()) {
    KS_RETURN_IF_ERROR(plan->filter->CheckNoKeyAttributes(key_schema));
  }
  KS_RETURN_IF_ERROR(core::expr::CheckAllPlaceholdersUsed(
      ExpressionAttributes{&plan->names, &plan->values}, use));
  KS_ASSIGN_OR_RETURN(plan->range, RangeOf(plan->key_condition));
  return plan;
}

absl::StatusOr<std::unique_ptr<ReadPlan>> PrepareScan(
    const Scan& scan, const TableSchema& schema) {
  (void)schema;
  auto plan = std::make_unique<ReadPlan>();
  PlaceholderUse use;
  KS_RETURN_IF_ERROR(
      PrepareCommon(scan, ExpressionKind::kFilter, plan.get(), &use));
  if (scan.total_segments() < 1 || scan.total_segments() > 256) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Scan TotalSegments must be between 1 and 256 in kstone; got ",
        scan.total_segments()));
  }
  if (scan.segment() < 0 || scan.segment() >= scan.total_segments()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "The Segment parameter is zero-based and must be less than parameter "
        "TotalSegments: Segment: ",
        scan.segment(),
        " is out of bounds for TotalSegments: ", scan.total_segments()));
  }
  KS_RETURN_IF_ERROR(core::expr::CheckAllPlaceholdersUsed(
      ExpressionAttributes{&plan->names, &plan->values}, use));
  return plan;
}

}  // namespace kstone
