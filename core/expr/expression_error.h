#ifndef KSTONE_CORE_EXPR_EXPRESSION_ERROR_H_
#define KSTONE_CORE_EXPR_EXPRESSION_ERROR_H_

// The five DynamoDB expression kinds and their error messages.
//
// Every error about the text of an expression is InvalidArgument and starts
// with "Invalid <Kind>Expression: ", as DynamoDB's ValidationException does,
// e.g. "Invalid ConditionExpression: Syntax error; token: \"!\", near:
// \"a!=\", position: 1". kstone appends the byte offset of the offending
// token ("position: N") to syntax errors; the rest of the text is DynamoDB's.
//
// Thread-safety: stateless; safe for concurrent use.

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kstone::core::expr {

enum class ExpressionKind {
  kCondition,     // ConditionExpression (Put/Update/Delete/ConditionCheck)
  kFilter,        // FilterExpression (Query/Scan)
  kKeyCondition,  // KeyConditionExpression (Query)
  kUpdate,        // UpdateExpression
  kProjection,    // ProjectionExpression
};

// "ConditionExpression", "FilterExpression", "KeyConditionExpression",
// "UpdateExpression" or "ProjectionExpression".
absl::string_view ExpressionKindName(ExpressionKind kind);

// Limits, as DynamoDB's.
inline constexpr size_t kMaxExpressionBytes = 4096;
inline constexpr int kMaxOperators = 300;
inline constexpr int kMaxPathDepth = 32;
inline constexpr int kMaxInOperands = 100;  // the left operand included
inline constexpr size_t kMaxPlaceholderBytes = 255;

// InvalidArgument "Invalid <Kind>: <message>".
absl::Status ExpressionError(ExpressionKind kind, absl::string_view message);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_EXPRESSION_ERROR_H_
