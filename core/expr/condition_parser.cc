#include "core/expr/condition_parser.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/expr/parser.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {
namespace {

using NodePtr = std::unique_ptr<ConditionNode>;

bool IsBooleanFunction(Function f) {
  return f == Function::kAttributeExists ||
         f == Function::kAttributeNotExists || f == Function::kAttributeType ||
         f == Function::kBeginsWith || f == Function::kContains;
}

int Arity(Function f) {
  switch (f) {
    case Function::kAttributeExists:
    case Function::kAttributeNotExists:
    case Function::kSize:
      return 1;
    default:
      return 2;
  }
}

bool SamePath(const Operand& a, const Operand& b) {
  if (!a.is_path() || !b.is_path()) return false;
  const auto& x = a.path.elements;
  const auto& y = b.path.elements;
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].is_index() != y[i].is_index() || x[i].index != y[i].index ||
        x[i].name != y[i].name || x[i].placeholder != y[i].placeholder) {
      return false;
    }
  }
  return true;
}

class ConditionParser {
 public:
  ConditionParser(ExpressionKind kind, absl::string_view text)
      : p_(kind, text) {}

  absl::StatusOr<NodePtr> Parse() {
    KS_RETURN_IF_ERROR(p_.Start());
    KS_ASSIGN_OR_RETURN(NodePtr root, ParseOr());
    KS_RETURN_IF_ERROR(p_.Finish());
    return root;
  }

 private:
  static NodePtr Binary(ConditionNode::Type type, NodePtr l, NodePtr r) {
    auto node = std::make_unique<ConditionNode>();
    node->type = type;
    node->offset = l->offset;
    node->left = std::move(l);
    node->right = std::move(r);
    return node;
  }

  absl::StatusOr<NodePtr> ParseOr() {
    KS_ASSIGN_OR_RETURN(NodePtr left, ParseAnd());
    while (p_.PeekKeyword("OR")) {
      p_.Advance();
      KS_RETURN_IF_ERROR(p_.CountOperator());
      KS_ASSIGN_OR_RETURN(NodePtr right, ParseAnd());
      left =
          Binary(ConditionNode::Type::kOr, std::move(left), std::move(right));
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseAnd() {
    KS_ASSIGN_OR_RETURN(NodePtr left, ParseNot());
    while (p_.PeekKeyword("AND")) {
      p_.Advance();
      KS_RETURN_IF_ERROR(p_.CountOperator());
      KS_ASSIGN_OR_RETURN(NodePtr right, ParseNot());
      left =
          Binary(ConditionNode::Type::kAnd, std::move(left), std::move(right));
    }
    return left;
  }

  absl::StatusOr<NodePtr> ParseNot() {
    if (!p_.PeekKeyword("NOT")) return ParsePrimary();
    const uint32_t offset = p_.Advance().begin;
    KS_RETURN_IF_ERROR(p_.CountOperator());
    KS_RETURN_IF_ERROR(p_.Enter());
    absl::StatusOr<NodePtr> inner = ParseNot();
    p_.Leave();
    if (!inner.ok()) return inner.status();
    auto node = std::make_unique<ConditionNode>();
    node->type = ConditionNode::Type::kNot;
    node->offset = offset;
    node->left = std::move(*inner);
    return node;
  }

  // True if the '(' at the cursor opens a condition group rather than an
  // operand.
  bool OpensGroup() const {
    const Token& open = p_.Peek();
    if (open.match < 0) return true;
    const Token& after = p_.TokenAt(open.match + 1);
    switch (after.kind) {
      case TokenKind::kEq:
      case TokenKind::kNe:
      case TokenKind::kLt:
      case TokenKind::kLe:
      case TokenKind::kGt:
      case TokenKind::kGe:
        return false;
      default:
        break;
    }
    return !(after.kind == TokenKind::kName &&
             (absl::EqualsIgnoreCase(after.text, "BETWEEN") ||
              absl::EqualsIgnoreCase(after.text, "IN")));
  }

  absl::StatusOr<NodePtr> ParsePrimary() {
    if (!p_.PeekIs(TokenKind::kLParen) || !OpensGroup()) {
      return ParsePredicate();
    }
    if (p_.IsDoubleParenthesis(p_.position())) {
      p_.Defer(ErrorRank::kParentheses,
               "The expression has redundant parentheses;");
    }
    p_.Advance();
    KS_RETURN_IF_ERROR(p_.Enter());
    absl::StatusOr<NodePtr> inner = ParseOr();
    p_.Leave();
    if (!inner.ok()) return inner.status();
    KS_RETURN_IF_ERROR(p_.Expect(TokenKind::kRParen));
    return inner;
  }

  absl::StatusOr<NodePtr> ParsePredicate() {
    auto node = std::make_unique<ConditionNode>();
    node->offset = p_.Peek().begin;
    KS_ASSIGN_OR_RETURN(Operand first, p_.ParseOperand());
    const Token& t = p_.Peek();
    CompareOp op;
    bool is_compare = true;
    switch (t.kind) {
      case TokenKind::kEq:
        op = CompareOp::kEq;
        break;
      case TokenKind::kNe:
        op = CompareOp::kNe;
        break;
      case TokenKind::kLt:
        op = CompareOp::kLt;
        break;
      case TokenKind::kLe:
        op = CompareOp::kLe;
        break;
      case TokenKind::kGt:
        op = CompareOp::kGt;
        break;
      case TokenKind::kGe:
        op = CompareOp::kGe;
        break;
      default:
        is_compare = false;
        op = CompareOp::kEq;
        break;
    }
    node->operands.push_back(std::move(first));
    if (is_compare) {
      p_.Advance();
      KS_RETURN_IF_ERROR(p_.CountOperator());
      node->type = ConditionNode::Type::kCompare;
      node->op = op;
      KS_ASSIGN_OR_RETURN(Operand second, p_.ParseOperand());
      node->operands.push_back(std::move(second));
    } else if (p_.PeekKeyword("BETWEEN")) {
      p_.Advance();
      KS_RETURN_IF_ERROR(p_.CountOperator());
      node->type = ConditionNode::Type::kBetween;
      KS_ASSIGN_OR_RETURN(Operand low, p_.ParseOperand());
      if (!p_.PeekKeyword("AND")) return p_.SyntaxError();
      p_.Advance();
      KS_ASSIGN_OR_RETURN(Operand high, p_.ParseOperand());
      node->operands.push_back(std::move(low));
      node->operands.push_back(std::move(high));
    } else if (p_.PeekKeyword("IN")) {
      p_.Advance();
      KS_RETURN_IF_ERROR(p_.CountOperator());
      node->type = ConditionNode::Type::kIn;
      KS_RETURN_IF_ERROR(ParseInList(node.get()));
    } else {
      // A lone operand is a condition only if it is a function call.
      if (!node->operands[0].is_function()) return p_.SyntaxError();
      node->type = ConditionNode::Type::kFunction;
      CheckTopLevelFunction(*node->operands[0].call);
      return node;
    }
    for (const Operand& operand : node->operands) CheckOperand(operand);
    return node;
  }

  absl::Status ParseInList(ConditionNode* node) {
    KS_RETURN_IF_ERROR(p_.Expect(TokenKind::kLParen));
    while (true) {
      KS_ASSIGN_OR_RETURN(Operand v, p_.ParseOperand());
      node->operands.push_back(std::move(v));
      if (node->operands.size() > static_cast<size_t>(kMaxInOperands)) {
        return ExpressionError(
            p_.kind(), absl::StrCat("The IN operator is provided with too "
                                    "many operands; number of operands: ",
                                    node->operands.size()));
      }
      if (!p_.PeekIs(TokenKind::kComma)) break;
      p_.Advance();
    }
    return p_.Expect(TokenKind::kRParen);
  }

  void Misused(const FunctionCall& call) {
    p_.Defer(ErrorRank::kMisusedFunction,
             absl::StrCat("The function is not allowed to be used this way "
                          "in an expression; function: ",
                          call.name));
  }

  // A function call as a whole condition: must be a boolean function.
  void CheckTopLevelFunction(const FunctionCall& call) {
    if (call.function != Function::kUnknown &&
        !IsBooleanFunction(call.function)) {
      Misused(call);
    }
    CheckCall(call);
  }

  // An operand of a comparison, BETWEEN, IN or function: only size() may
  // be a function there.
  void CheckOperand(const Operand& operand) {
    if (!operand.is_function()) return;
    const FunctionCall& call = *operand.call;
    if (call.function != Function::kUnknown &&
        call.function != Function::kSize) {
      Misused(call);
    }
    CheckCall(call);
  }

  void TypeError(const FunctionCall& call, absl::string_view type) {
    p_.Defer(ErrorRank::kOperandType,
             absl::StrCat("Incorrect operand type for operator or function; "
                          "operator or function: ",
                          call.name, ", operand type: ", type));
  }

  void CheckCall(const FunctionCall& call) {
    for (const Operand& arg : call.args) CheckOperand(arg);
    if (call.function == Function::kUnknown) return;
    if (static_cast<int>(call.args.size()) != Arity(call.function)) {
      p_.Defer(
          ErrorRank::kOperandCount,
          absl::StrCat("Incorrect number of operands for operator or "
                       "function; operator or function: ",
                       call.name, ", number of operands: ", call.args.size()));
      return;
    }
    switch (call.function) {
      case Function::kAttributeExists:
      case Function::kAttributeNotExists:
        if (!call.args[0].is_path()) {
          p_.Defer(ErrorRank::kOperandType,
                   absl::StrCat("Operator or function requires a document "
                                "path; operator or function: ",
                                call.name));
        }
        break;
      case Function::kSize:
        if (call.args[0].IsCall(Function::kSize)) TypeError(call, "N");
        break;
      case Function::kAttributeType:
        if (!call.args[1].is_value()) TypeError(call, "PATH");
        break;
      case Function::kBeginsWith:
        for (const Operand& arg : call.args) {
          if (arg.IsCall(Function::kSize)) TypeError(call, "N");
        }
        [[fallthrough]];
      case Function::kContains:
        if (SamePath(call.args[0], call.args[1])) {
          p_.Defer(ErrorRank::kDistinct,
                   absl::StrCat("The first operand must be distinct from the "
                                "remaining operands for this operator or "
                                "function; operator: ",
                                call.name, ", first operand: ",
                                call.args[0].path.ToString()));
        }
        break;
      default:
        break;
    }
  }

  Parser p_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ConditionNode>> ParseCondition(
    ExpressionKind kind, absl::string_view text) {
  ConditionParser parser(kind, text);
  return parser.Parse();
}

}  // namespace kstone::core::expr
