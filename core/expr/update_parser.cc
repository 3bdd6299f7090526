#include "core/expr/update_parser.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/expr/parser.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {
namespace {

class UpdateParser {
 public:
  explicit UpdateParser(absl::string_view text)
      : p_(ExpressionKind::kUpdate, text) {}

  absl::StatusOr<std::vector<UpdateAction>> Parse() {
    KS_RETURN_IF_ERROR(p_.Start());
    do {
      KS_RETURN_IF_ERROR(ParseClause());
    } while (!p_.PeekIs(TokenKind::kEnd));
    KS_RETURN_IF_ERROR(p_.Finish());
    return std::move(actions_);
  }

 private:
  absl::Status ParseClause() {
    static constexpr struct {
      const char* keyword;
      UpdateAction::Type type;
    } kClauses[] = {{"SET", UpdateAction::Type::kSet},
                    {"REMOVE", UpdateAction::Type::kRemove},
                    {"ADD", UpdateAction::Type::kAdd},
                    {"DELETE", UpdateAction::Type::kDelete}};
    for (const auto& clause : kClauses) {
      if (!p_.PeekKeyword(clause.keyword)) continue;
      p_.Advance();
      const int bit = 1 << static_cast<int>(clause.type);
      if (seen_ & bit) {
        p_.Defer(ErrorRank::kSection,
                 absl::StrCat("The \"", clause.keyword,
                              "\" section can only be used once in an update "
                              "expression;"));
      }
      seen_ |= bit;
      while (true) {
        KS_RETURN_IF_ERROR(ParseAction(clause.type));
        if (!p_.PeekIs(TokenKind::kComma)) return absl::OkStatus();
        p_.Advance();
      }
    }
    return p_.SyntaxError();
  }

  absl::Status ParseAction(UpdateAction::Type type) {
    UpdateAction action;
    action.type = type;
    KS_ASSIGN_OR_RETURN(action.path, p_.ParsePath());
    switch (type) {
      case UpdateAction::Type::kSet:
        KS_RETURN_IF_ERROR(p_.Expect(TokenKind::kEq));
        KS_RETURN_IF_ERROR(ParseRhs(&action.set));
        break;
      case UpdateAction::Type::kRemove:
        break;
      case UpdateAction::Type::kAdd:
      case UpdateAction::Type::kDelete: {
        if (!p_.PeekIs(TokenKind::kValuePlaceholder)) return p_.SyntaxError();
        const Token& t = p_.Advance();
        action.value.kind = Operand::Kind::kValue;
        action.value.offset = t.begin;
        action.value.placeholder = std::string(t.text);
        break;
      }
    }
    actions_.push_back(std::move(action));
    return absl::OkStatus();
  }

  absl::Status ParseRhs(SetValue* value) {
    if (p_.PeekIs(TokenKind::kLParen)) {
      const Token& open = p_.Peek();
      const bool operand_group =
          open.match >= 0 &&
          (p_.TokenAt(open.match + 1).kind == TokenKind::kPlus ||
           p_.TokenAt(open.match + 1).kind == TokenKind::kMinus);
      if (!operand_group) {
        p_.Advance();
        KS_RETURN_IF_ERROR(ParseValue(value));
        return p_.Expect(TokenKind::kRParen);
      }
    }
    return ParseValue(value);
  }

  absl::Status ParseValue(SetValue* value) {
    KS_ASSIGN_OR_RETURN(value->left, p_.ParseOperand());
    CheckOperand(value->left);
    if (p_.PeekIs(TokenKind::kPlus) || p_.PeekIs(TokenKind::kMinus)) {
      value->arithmetic = p_.Advance().text[0];
      KS_RETURN_IF_ERROR(p_.CountOperator());
      KS_ASSIGN_OR_RETURN(value->right, p_.ParseOperand());
      CheckOperand(value->right);
    }
    return absl::OkStatus();
  }

  // Function checks for an operand and its arguments.
  void CheckOperand(const Operand& operand) {
    if (!operand.is_function()) return;
    const FunctionCall& call = *operand.call;
    for (const Operand& arg : call.args) CheckOperand(arg);
    if (call.function != Function::kIfNotExists &&
        call.function != Function::kListAppend) {
      // Condition functions are unknown here.
      p_.Defer(ErrorRank::kUnknownFunction,
               absl::StrCat("Invalid function name; function: ", call.name));
      return;
    }
    if (call.args.size() != 2) {
      p_.Defer(
          ErrorRank::kOperandCount,
          absl::StrCat("Incorrect number of operands for operator or "
                       "function; operator or function: ",
                       call.name, ", number of operands: ", call.args.size()));
      return;
    }
    if (call.function == Function::kIfNotExists) {
      if (!call.args[0].is_path()) {
        p_.Defer(ErrorRank::kOperandType,
                 absl::StrCat("Operator or function requires a document "
                              "path; operator or function: ",
                              call.name));
      }
      return;
    }
    for (const Operand& arg : call.args) {
      if (arg.IsCall(Function::kListAppend)) {
        p_.Defer(ErrorRank::kMisusedFunction,
                 "The function is not allowed to be used this way in an "
                 "expression; function: list_append");
      }
    }
  }

  Parser p_;
  std::vector<UpdateAction> actions_;
  int seen_ = 0;
};

}  // namespace

absl::StatusOr<std::vector<UpdateAction>> ParseUpdate(absl::string_view text) {
  UpdateParser parser(text);
  return parser.Parse();
}

}  // namespace kstone::core::expr
