#include "core/expr/parser.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/expr/reserved_words.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {
namespace {

// A guard against stack exhaustion. Valid expressions nest far less: every
// level of parentheses needs an operator (at most 300) or a function call,
// and only if_not_exists() nests legitimately (about 17 bytes a level).
// Deeper input (thousands of redundant parentheses) is an error anyway.
constexpr int kMaxNesting = 1000;

// Words of the grammars; never attribute names, even where a name is
// expected ("a = NOT" is a syntax error, not a reserved-word error).
bool IsGrammarKeyword(absl::string_view word) {
  static constexpr absl::string_view kKeywords[] = {
      "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"};
  for (absl::string_view k : kKeywords) {
    if (absl::EqualsIgnoreCase(word, k)) return true;
  }
  return false;
}

bool IsBlank(absl::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

Parser::Parser(ExpressionKind kind, absl::string_view text)
    : kind_(kind), text_(text) {}

absl::Status Parser::Start() {
  if (text_.size() > kMaxExpressionBytes) {
    return ExpressionError(
        kind_, absl::StrCat("Expression size has exceeded the maximum allowed "
                            "size; expression size: ",
                            text_.size()));
  }
  if (IsBlank(text_)) {
    return ExpressionError(kind_, "The expression can not be empty;");
  }
  tokens_ = Tokenize(text_);
  return absl::OkStatus();
}

const Token& Parser::Peek(size_t ahead) const {
  size_t i = pos_ + ahead;
  if (i >= tokens_.size()) i = tokens_.size() - 1;
  return tokens_[i];
}

bool Parser::PeekKeyword(absl::string_view keyword, size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kName && absl::EqualsIgnoreCase(t.text, keyword);
}

const Token& Parser::Advance() {
  const Token& t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

absl::Status Parser::SyntaxError() const {
  const Token& t = Peek();
  const size_t k = (&t - tokens_.data());
  const uint32_t near_begin = k > 0 ? tokens_[k - 1].begin : t.begin;
  const uint32_t near_end = k + 1 < tokens_.size() ? tokens_[k + 1].end : t.end;
  absl::string_view token_text =
      t.kind == TokenKind::kEnd ? absl::string_view("<EOF>") : t.text;
  return ExpressionError(
      kind_, absl::StrCat("Syntax error; token: \"", token_text, "\", near: \"",
                          text_.substr(near_begin, near_end - near_begin),
                          "\", position: ", t.begin));
}

absl::Status Parser::Expect(TokenKind kind) {
  if (!PeekIs(kind)) return SyntaxError();
  Advance();
  return absl::OkStatus();
}

absl::Status Parser::CountOperator() {
  if (++operators_ > kMaxOperators) {
    return ExpressionError(
        kind_, absl::StrCat("The expression contains too many operators; "
                            "operator count: ",
                            operators_));
  }
  return absl::OkStatus();
}

absl::Status Parser::Enter() {
  if (++depth_ > kMaxNesting) {
    return ExpressionError(
        kind_, absl::StrCat("The expression is nested too deeply; nesting "
                            "levels: ",
                            depth_));
  }
  return absl::OkStatus();
}

void Parser::Defer(ErrorRank rank, std::string message) {
  const int r = static_cast<int>(rank);
  if (deferred_rank_ < 0 || r < deferred_rank_) {
    deferred_rank_ = r;
    deferred_message_ = std::move(message);
  }
}

absl::Status Parser::Finish() {
  if (!PeekIs(TokenKind::kEnd)) return SyntaxError();
  if (deferred_rank_ >= 0) return ExpressionError(kind_, deferred_message_);
  return absl::OkStatus();
}

bool Parser::IsDoubleParenthesis(size_t index) const {
  const Token& outer = tokens_[index];
  if (outer.kind != TokenKind::kLParen || outer.match < 0) return false;
  if (index + 1 >= tokens_.size()) return false;
  const Token& inner = tokens_[index + 1];
  return inner.kind == TokenKind::kLParen && inner.match >= 0 &&
         inner.match + 1 == outer.match;
}

absl::Status Parser::ParseIndex(DocumentPath* path) {
  Advance();  // '['
  if (!PeekIs(TokenKind::kNumber)) return SyntaxError();
  const Token& number = Advance();
  uint64_t index = 0;
  if (!absl::SimpleAtoi(number.text, &index) ||
      index > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    return ExpressionError(
        kind_, absl::StrCat("List index is not within the allowable range; "
                            "index: ",
                            number.text));
  }
  KS_RETURN_IF_ERROR(Expect(TokenKind::kRBracket));
  PathElement e;
  e.index = static_cast<int32_t>(index);
  path->elements.push_back(std::move(e));
  return absl::OkStatus();
}

absl::StatusOr<DocumentPath> Parser::ParsePath() {
  DocumentPath path;
  path.offset = Peek().begin;
  bool want_name = true;
  while (true) {
    if (want_name) {
      const Token& t = Peek();
      PathElement e;
      if (t.kind == TokenKind::kName) {
        if (IsGrammarKeyword(t.text)) return SyntaxError();
        e.name = std::string(t.text);
        if (IsReservedWord(t.text)) {
          Defer(ErrorRank::kReservedWord,
                absl::StrCat("Attribute name is a reserved keyword; reserved "
                             "keyword: ",
                             t.text));
        }
      } else if (t.kind == TokenKind::kNamePlaceholder) {
        e.placeholder = std::string(t.text);
      } else {
        return SyntaxError();
      }
      Advance();
      path.elements.push_back(std::move(e));
      want_name = false;
    } else if (PeekIs(TokenKind::kDot)) {
      Advance();
      want_name = true;
      continue;
    } else if (PeekIs(TokenKind::kLBracket)) {
      KS_RETURN_IF_ERROR(ParseIndex(&path));
    } else {
      break;
    }
    if (path.elements.size() > static_cast<size_t>(kMaxPathDepth)) {
      // Count the rest of the path for the message, as DynamoDB does.
      size_t levels = path.elements.size();
      while (PeekIs(TokenKind::kDot) || PeekIs(TokenKind::kLBracket)) {
        Advance();
        Advance();
        if (PeekIs(TokenKind::kRBracket)) Advance();
        ++levels;
      }
      return ExpressionError(
          kind_, absl::StrCat("The document path has too many nesting "
                              "levels; nesting levels: ",
                              levels));
    }
  }
  return path;
}

absl::StatusOr<Operand> Parser::ParseFunctionCall() {
  Operand op;
  op.kind = Operand::Kind::kFunction;
  op.offset = Peek().begin;
  op.call = std::make_unique<FunctionCall>();
  op.call->name = std::string(Advance().text);
  op.call->function = LookupFunction(op.call->name);
  if (op.call->function == Function::kUnknown) {
    Defer(ErrorRank::kUnknownFunction,
          absl::StrCat("Invalid function name; function: ", op.call->name));
  }
  Advance();  // '('
  while (true) {
    KS_ASSIGN_OR_RETURN(Operand arg, ParseOperand());
    op.call->args.push_back(std::move(arg));
    if (!PeekIs(TokenKind::kComma)) break;
    Advance();
  }
  KS_RETURN_IF_ERROR(Expect(TokenKind::kRParen));
  return op;
}

absl::StatusOr<Operand> Parser::ParseOperand() {
  KS_RETURN_IF_ERROR(Enter());
  absl::StatusOr<Operand> result;
  const Token& t = Peek();
  if (t.kind == TokenKind::kLParen) {
    if (IsDoubleParenthesis(position())) {
      Defer(ErrorRank::kParentheses,
            "The expression has redundant parentheses;");
    }
    Advance();
    result = ParseOperand();
    if (result.ok()) {
      absl::Status s = Expect(TokenKind::kRParen);
      if (!s.ok()) result = s;
    }
  } else if (t.kind == TokenKind::kName && PeekIs(TokenKind::kLParen, 1)) {
    result = ParseFunctionCall();
  } else if (t.kind == TokenKind::kValuePlaceholder) {
    Operand op;
    op.kind = Operand::Kind::kValue;
    op.offset = t.begin;
    op.placeholder = std::string(t.text);
    Advance();
    result = std::move(op);
  } else {
    absl::StatusOr<DocumentPath> path = ParsePath();
    if (path.ok()) {
      Operand op;
      op.kind = Operand::Kind::kPath;
      op.offset = path->offset;
      op.path = std::move(*path);
      result = std::move(op);
    } else {
      result = path.status();
    }
  }
  Leave();
  return result;
}

}  // namespace kstone::core::expr
