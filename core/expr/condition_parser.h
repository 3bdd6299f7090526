#ifndef KSTONE_CORE_EXPR_CONDITION_PARSER_H_
#define KSTONE_CORE_EXPR_CONDITION_PARSER_H_

// The parser of condition, filter and key-condition expressions:
//
//   or        := and ( OR and )*
//   and       := not ( AND not )*
//   not       := NOT not | primary
//   primary   := "(" or ")" | predicate
//   predicate := operand comparator operand
//              | operand BETWEEN operand AND operand
//              | operand IN "(" operand ("," operand)* ")"
//              | function-call                  (a boolean function)
//   comparator := "=" | "<>" | "<" | "<=" | ">" | ">="
//
// Precedence, high to low: comparators, IN, BETWEEN, functions, parentheses,
// NOT, AND, OR. A '(' opens a condition group unless the token after its
// matching ')' is a comparator, BETWEEN or IN, in which case it encloses an
// operand. Keywords are case-insensitive, function names are not.
//
// Thread-safety: stateless; safe for concurrent use.

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/expr/ast.h"
#include "core/expr/expression_error.h"

namespace kstone::core::expr {

// Parses `text` and checks everything that needs no placeholder values:
// syntax, limits, reserved words, function names and arity, functions used
// where they are not allowed, redundant parentheses. Errors are
// InvalidArgument "Invalid <Kind>: ...".
absl::StatusOr<std::unique_ptr<ConditionNode>> ParseCondition(
    ExpressionKind kind, absl::string_view text);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_CONDITION_PARSER_H_
