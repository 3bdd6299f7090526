#include "core/expr/expression_error.h"

#include "absl/strings/str_cat.h"

namespace kstone::core::expr {

absl::string_view ExpressionKindName(ExpressionKind kind) {
  switch (kind) {
    case ExpressionKind::kCondition:
      return "ConditionExpression";
    case ExpressionKind::kFilter:
      return "FilterExpression";
    case ExpressionKind::kKeyCondition:
      return "KeyConditionExpression";
    case ExpressionKind::kUpdate:
      return "UpdateExpression";
    case ExpressionKind::kProjection:
      return "ProjectionExpression";
  }
  return "Expression";
}

absl::Status ExpressionError(ExpressionKind kind, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid ", ExpressionKindName(kind), ": ", message));
}

}  // namespace kstone::core::expr
