#ifndef KSTONE_CORE_EXPR_PLACEHOLDERS_H_
#define KSTONE_CORE_EXPR_PLACEHOLDERS_H_

// ExpressionAttributeNames (#n -> name) and ExpressionAttributeValues
// (:v -> value), and the rules that tie them to the expressions of a request:
// every placeholder an expression uses must be defined (checked per
// expression, when it is resolved), and every defined one must be used by
// some expression of the request (checked once for the whole request, with
// PlaceholderUse collecting the uses of all its expressions).
//
// Typical request flow:
//   KS_ASSIGN_OR_RETURN(auto cond, ConditionExpression::Parse(text));
//   KS_ASSIGN_OR_RETURN(auto update, UpdateExpression::Parse(text2));
//   ExpressionAttributes attrs{&names, &values};
//   KS_RETURN_IF_ERROR(ValidatePlaceholderKeys(attrs));
//   KS_RETURN_IF_ERROR(cond.Resolve(attrs));
//   KS_RETURN_IF_ERROR(update.Resolve(attrs, key_schema));
//   PlaceholderUse use;
//   cond.CollectPlaceholders(&use);
//   update.CollectPlaceholders(&use);
//   KS_RETURN_IF_ERROR(CheckAllPlaceholdersUsed(attrs, use));
//
// Thread-safety: PlaceholderUse is not thread-safe; the functions are.

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/expr/ast.h"
#include "core/expr/expression_error.h"
#include "core/types/value.h"

namespace kstone::core::expr {

using AttributeNames = absl::flat_hash_map<std::string, std::string>;
using AttributeValues = absl::flat_hash_map<std::string, Value>;

// The placeholder maps of one request; either may be null (none given). They
// are borrowed: the maps must outlive every expression resolved against them
// (resolved value operands point into `values`).
struct ExpressionAttributes {
  const AttributeNames* names = nullptr;
  const AttributeValues* values = nullptr;
};

// The placeholders used by the expressions of one request.
class PlaceholderUse {
 public:
  void AddExpression() { ++expressions_; }
  void AddName(absl::string_view name) { names_.insert(std::string(name)); }
  void AddValue(absl::string_view value) { values_.insert(std::string(value)); }

  int expressions() const { return expressions_; }
  // How many distinct names and values were added.
  size_t name_count() const { return names_.size(); }
  size_t value_count() const { return values_.size(); }
  bool UsesName(absl::string_view name) const { return names_.contains(name); }
  bool UsesValue(absl::string_view v) const { return values_.contains(v); }

 private:
  int expressions_ = 0;
  absl::flat_hash_set<std::string> names_;
  absl::flat_hash_set<std::string> values_;
};

// Checks the keys of the maps: "#" or ":" followed by one or more of
// [A-Za-z0-9_], at most 255 bytes ("ExpressionAttributeNames contains
// invalid key: Syntax error; key: \"a\""), and that names are not empty
// ("ExpressionAttributeNames contains invalid value: Empty attribute name
// for key #n"), and that values are valid (ValidateValue: sets non-empty
// without duplicates, UTF-8...; "ExpressionAttributeValues contains invalid
// value: <why> for key :v").
absl::Status ValidatePlaceholderKeys(const ExpressionAttributes& attributes);

// InvalidArgument if a defined placeholder is not in `use`: "Value provided
// in ExpressionAttributeNames unused in expressions: keys: {#a, #b}" (names
// first, then values), or, when the request had no expression at all,
// "ExpressionAttributeNames can only be specified when using expressions".
// True if `attributes` defines exactly `names` #name and `values` :value
// placeholders. For an expression resolved against `attributes` (so every
// placeholder it uses is defined) that uses that many distinct ones, this
// means every defined placeholder is used: CheckAllPlaceholdersUsed would
// pass without a walk of the tree.
bool DefinesExactly(const ExpressionAttributes& attributes, size_t names,
                    size_t values);

absl::Status CheckAllPlaceholdersUsed(const ExpressionAttributes& attributes,
                                      const PlaceholderUse& use);

// Replaces the #placeholders of `path` by their names. InvalidArgument
// "Invalid <Kind>: An expression attribute name used in the document path is
// not defined; attribute name: #n".
absl::Status ResolvePath(ExpressionKind kind,
                         const ExpressionAttributes& attributes,
                         DocumentPath* path);

// Resolves the paths and value placeholders in `operand` and its function
// arguments. Undefined values: "Invalid <Kind>: An expression attribute
// value used in expression is not defined; attribute value: :v".
absl::Status ResolveOperand(ExpressionKind kind,
                            const ExpressionAttributes& attributes,
                            Operand* operand);

// Adds the placeholders named in `path` / `operand` to `use`.
void CollectPathPlaceholders(const DocumentPath& path, PlaceholderUse* use);
void CollectOperandPlaceholders(const Operand& operand, PlaceholderUse* use);

// A short rendering of a value for messages, as DynamoDB prints them:
// "{N:1}", "{S:abc}", "{B:<base64>}", or the debug form for other types.
std::string ShortValueString(const Value& value);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_PLACEHOLDERS_H_
