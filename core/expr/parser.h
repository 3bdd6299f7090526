#ifndef KSTONE_CORE_EXPR_PARSER_H_
#define KSTONE_CORE_EXPR_PARSER_H_

// Parser: the machinery shared by the hand-written recursive-descent parsers
// of the five expression kinds: a token cursor, syntax errors with token,
// context and position, the limits (size, operators, path depth), deferred
// semantic errors, and the grammar of document paths and operands:
//
//   path     := name-or-#ref ( "." name-or-#ref | "[" digits "]" )*
//   operand  := "(" operand ")" | fname "(" operand ("," operand)* ")"
//             | :value | path
//
// Errors found while parsing fall in two groups. Syntax errors and limits
// stop the parse at once. Semantic errors (reserved words, unknown functions,
// redundant parentheses, misused functions...) are recorded with a rank and
// reported by Finish() only if the whole text parses, the lowest rank first,
// so that, as in DynamoDB, a syntax error anywhere wins over them.
//
// Thread-safety: not thread-safe; one Parser per parse.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/expr/ast.h"
#include "core/expr/expression_error.h"
#include "core/expr/lexer.h"

namespace kstone::core::expr {

// Ranks of deferred errors, most important first.
enum class ErrorRank : int {
  kParentheses = 0,
  kUnknownFunction,
  kMisusedFunction,
  kReservedWord,
  kSection,
  kOperandCount,
  kDistinct,
  kOperandType,
};

class Parser {
 public:
  Parser(ExpressionKind kind, absl::string_view text);

  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Checks the size limits ("can not be empty", "Expression size has
  // exceeded the maximum allowed size") and tokenizes. Call first.
  absl::Status Start();

  ExpressionKind kind() const { return kind_; }
  absl::string_view text() const { return text_; }

  const Token& Peek(size_t ahead = 0) const;
  bool PeekIs(TokenKind kind, size_t ahead = 0) const {
    return Peek(ahead).kind == kind;
  }
  // True if the next token is the keyword (a name, case-insensitive).
  bool PeekKeyword(absl::string_view keyword, size_t ahead = 0) const;
  size_t position() const { return pos_; }
  const Token& TokenAt(size_t index) const { return tokens_[index]; }
  // Consumes and returns the next token (never moves past kEnd).
  const Token& Advance();

  // "Invalid <Kind>: Syntax error; token: \"<tok>\", near: \"<context>\",
  // position: <offset>" for the next token.
  absl::Status SyntaxError() const;
  // Consumes a token of `kind`, else SyntaxError().
  absl::Status Expect(TokenKind kind);
  // Counts one operator (comparator, BETWEEN, IN, AND, OR, NOT, + or -);
  // InvalidArgument once there are more than kMaxOperators.
  absl::Status CountOperator();
  // Guards recursion depth against stack exhaustion.
  absl::Status Enter();
  void Leave() { --depth_; }

  // Records a semantic error; Finish() reports the lowest-ranked one.
  void Defer(ErrorRank rank, std::string message);
  // Requires the end of input (else SyntaxError()), then returns the
  // deferred error, if any.
  absl::Status Finish();

  absl::StatusOr<DocumentPath> ParsePath();
  absl::StatusOr<Operand> ParseOperand();

  // Redundant parentheses: true if the '(' at `index` directly encloses
  // another parenthesised group, "((x))".
  bool IsDoubleParenthesis(size_t index) const;

 private:
  absl::StatusOr<Operand> ParseFunctionCall();
  absl::Status ParseIndex(DocumentPath* path);

  const ExpressionKind kind_;
  const absl::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int operators_ = 0;
  int depth_ = 0;
  int deferred_rank_ = -1;
  std::string deferred_message_;
};

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_PARSER_H_
