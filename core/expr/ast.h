#ifndef KSTONE_CORE_EXPR_AST_H_
#define KSTONE_CORE_EXPR_AST_H_

// The syntax trees of condition, update and projection expressions.
//
// Parsers build them with placeholders left symbolic (a value operand holds
// ":v", a path element "#n"). Resolve steps (placeholders.h) fill in the
// names and point value operands at the caller's ExpressionAttributeValues,
// which must then outlive every use of the tree.
//
// Thread-safety: plain data; a resolved tree is safe for concurrent reads.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/expr/document_path.h"
#include "core/types/value.h"

namespace kstone::core::expr {

// Functions of condition and update expressions (names are case-sensitive).
enum class Function : uint8_t {
  kAttributeExists,
  kAttributeNotExists,
  kAttributeType,
  kBeginsWith,
  kContains,
  kSize,
  kIfNotExists,
  kListAppend,
  kUnknown,
};

// The function called `name`, or kUnknown.
Function LookupFunction(const std::string& name);

struct FunctionCall;

struct Operand {
  enum class Kind : uint8_t { kPath, kValue, kFunction };

  Kind kind = Kind::kPath;
  uint32_t offset = 0;                 // byte offset in the expression
  DocumentPath path;                   // kPath
  std::string placeholder;             // kValue: ":v"
  const Value* value = nullptr;        // kValue, once resolved (borrowed)
  std::unique_ptr<FunctionCall> call;  // kFunction

  bool is_path() const { return kind == Kind::kPath; }
  bool is_value() const { return kind == Kind::kValue; }
  bool is_function() const { return kind == Kind::kFunction; }
  // True for a call of `f`.
  bool IsCall(Function f) const;
};

struct FunctionCall {
  std::string name;
  Function function = Function::kUnknown;
  std::vector<Operand> args;
};

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// "=", "<>", "<", "<=", ">", ">=".
const char* CompareOpName(CompareOp op);

struct ConditionNode {
  enum class Type : uint8_t {
    kCompare,   // operands[0] op operands[1]
    kBetween,   // operands[0] BETWEEN operands[1] AND operands[2]
    kIn,        // operands[0] IN (operands[1..])
    kFunction,  // a boolean function: call
    kAnd,       // left AND right
    kOr,        // left OR right
    kNot,       // NOT left
  };

  Type type = Type::kCompare;
  CompareOp op = CompareOp::kEq;
  std::vector<Operand> operands;  // kCompare, kBetween, kIn; kFunction: [0]
  std::unique_ptr<ConditionNode> left;
  std::unique_ptr<ConditionNode> right;
  uint32_t offset = 0;
};

// The right-hand side of SET: `a`, or `a + b` / `a - b`.
struct SetValue {
  Operand left;
  char arithmetic = 0;  // 0, '+' or '-'
  Operand right;        // when arithmetic != 0
};

struct UpdateAction {
  enum class Type : uint8_t { kSet, kRemove, kAdd, kDelete };

  Type type = Type::kSet;
  DocumentPath path;
  SetValue set;   // kSet
  Operand value;  // kAdd, kDelete: a value placeholder
};

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_AST_H_
