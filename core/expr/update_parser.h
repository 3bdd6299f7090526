#ifndef KSTONE_CORE_EXPR_UPDATE_PARSER_H_
#define KSTONE_CORE_EXPR_UPDATE_PARSER_H_

// The parser of update expressions:
//
//   update  := clause+
//   clause  := SET set-action ("," set-action)*
//            | REMOVE path ("," path)*
//            | ADD path :value ("," path :value)*
//            | DELETE path :value ("," path :value)*
//   set-action := path "=" rhs
//   rhs     := "(" value ")" | value
//   value   := operand [ ("+" | "-") operand ]
//   operand := "(" operand ")" | :value | path
//            | if_not_exists "(" path "," operand ")"
//            | list_append "(" operand "," operand ")"
//
// Clause keywords are case-insensitive and each may appear once, in any
// order, with no separator between clauses. At most one + or - per SET
// action, and never inside a function argument.
//
// Thread-safety: stateless; safe for concurrent use.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/expr/ast.h"

namespace kstone::core::expr {

// Parses `text` and checks everything that needs no placeholder values:
// syntax, limits, reserved words, repeated clauses ("The \"SET\" section can
// only be used once in an update expression;"), function names, arity and
// nesting. Errors are InvalidArgument "Invalid UpdateExpression: ...".
absl::StatusOr<std::vector<UpdateAction>> ParseUpdate(absl::string_view text);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_UPDATE_PARSER_H_
