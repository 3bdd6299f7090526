#ifndef KSTONE_CORE_EXPR_LEXER_H_
#define KSTONE_CORE_EXPR_LEXER_H_

// The lexer shared by all five expression kinds.
//
// Tokens: names ([A-Za-z][A-Za-z0-9_]*; keywords such as AND or SET are
// names that the parsers compare case-insensitively), #name and :value
// placeholders ('#' or ':' followed by one or more of [A-Za-z0-9_]), unsigned
// integers (list indexes), punctuation ( ) [ ] , . = <> < <= > >= + -, and an
// end token. Whitespace (space, tab, CR, LF) separates tokens. Anything else
// (a bare '#', '!', '_', a non-ASCII character) becomes one kInvalid token,
// which every parser reports as a syntax error at its position.
//
// Thread-safety: stateless; safe for concurrent use.

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace kstone::core::expr {

enum class TokenKind : uint8_t {
  kEnd,
  kName,
  kNamePlaceholder,   // #n
  kValuePlaceholder,  // :v
  kNumber,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kInvalid,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  // Byte offsets of the token in the expression: [begin, end).
  uint32_t begin = 0;
  uint32_t end = 0;
  // For kLParen / kRParen: the index of the matching parenthesis in the
  // token vector, or -1 if it has none.
  int32_t match = -1;
  // The token's text (a view into the expression); "" for kEnd.
  absl::string_view text;
};

// Splits `text` into tokens; the last token is always kEnd. Never fails:
// bad characters become kInvalid tokens. Also fills Token::match.
std::vector<Token> Tokenize(absl::string_view text);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_LEXER_H_
