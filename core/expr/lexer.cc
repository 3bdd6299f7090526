#include "core/expr/lexer.h"

#include <cstddef>
#include <vector>

#include "absl/strings/ascii.h"

namespace kstone::core::expr {
namespace {

bool IsWordChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Length of the (possibly malformed) UTF-8 character starting at text[i], so
// that an invalid token shows a whole character.
size_t CharLength(absl::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  size_t n = 1;
  if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
  } else if (c >= 0xE0) {
    n = 3;
  } else if (c >= 0xC2 && c < 0xE0) {
    n = 2;
  }
  if (i + n > text.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

// Scans one token starting at text[i] (not whitespace); returns its kind and
// sets *end.
TokenKind ScanToken(absl::string_view text, size_t i, size_t* end) {
  const char c = text[i];
  const size_t n = text.size();
  size_t j = i + 1;
  auto two = [&](char next, TokenKind both, TokenKind one) {
    if (j < n && text[j] == next) {
      *end = j + 1;
      return both;
    }
    *end = j;
    return one;
  };
  if (absl::ascii_isalpha(static_cast<unsigned char>(c))) {
    while (j < n && IsWordChar(text[j])) ++j;
    *end = j;
    return TokenKind::kName;
  }
  if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
    while (j < n && absl::ascii_isdigit(static_cast<unsigned char>(text[j]))) {
      ++j;
    }
    *end = j;
    return TokenKind::kNumber;
  }
  switch (c) {
    case '#':
    case ':':
      while (j < n && IsWordChar(text[j])) ++j;
      *end = j;
      if (j == i + 1) return TokenKind::kInvalid;
      return c == '#' ? TokenKind::kNamePlaceholder
                      : TokenKind::kValuePlaceholder;
    case '(':
      *end = j;
      return TokenKind::kLParen;
    case ')':
      *end = j;
      return TokenKind::kRParen;
    case '[':
      *end = j;
      return TokenKind::kLBracket;
    case ']':
      *end = j;
      return TokenKind::kRBracket;
    case ',':
      *end = j;
      return TokenKind::kComma;
    case '.':
      *end = j;
      return TokenKind::kDot;
    case '=':
      *end = j;
      return TokenKind::kEq;
    case '+':
      *end = j;
      return TokenKind::kPlus;
    case '-':
      *end = j;
      return TokenKind::kMinus;
    case '>':
      return two('=', TokenKind::kGe, TokenKind::kGt);
    case '<':
      if (j < n && text[j] == '>') {
        *end = j + 1;
        return TokenKind::kNe;
      }
      return two('=', TokenKind::kLe, TokenKind::kLt);
    default:
      *end = i + CharLength(text, i);
      return TokenKind::kInvalid;
  }
}

}  // namespace

std::vector<Token> Tokenize(absl::string_view text) {
  std::vector<Token> tokens;
  std::vector<int32_t> open;  // indexes of unmatched '('
  size_t i = 0;
  while (true) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    Token token;
    token.begin = static_cast<uint32_t>(i);
    if (i == text.size()) {
      token.end = token.begin;
      tokens.push_back(token);
      return tokens;
    }
    size_t end = i;
    token.kind = ScanToken(text, i, &end);
    token.end = static_cast<uint32_t>(end);
    token.text = text.substr(i, end - i);
    const int32_t index = static_cast<int32_t>(tokens.size());
    if (token.kind == TokenKind::kLParen) {
      open.push_back(index);
    } else if (token.kind == TokenKind::kRParen && !open.empty()) {
      token.match = open.back();
      tokens[open.back()].match = index;
      open.pop_back();
    }
    tokens.push_back(token);
    i = end;
  }
}

}  // namespace kstone::core::expr
