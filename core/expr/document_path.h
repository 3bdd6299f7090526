#ifndef KSTONE_CORE_EXPR_DOCUMENT_PATH_H_
#define KSTONE_CORE_EXPR_DOCUMENT_PATH_H_

// DocumentPath: a path into an item, `a.b[0].c`, as written in an expression.
//
// Each element is a name (inline, or a #placeholder that Resolve replaces by
// the name it stands for, so "#n" -> "a.b" names the top-level attribute
// literally called "a.b") or a list index. The first element is always a
// name.
//
// Also: the overlap/conflict rule shared by update and projection
// expressions, and path lookup in an item.
//
// Thread-safety: value types; const methods are safe for concurrent use.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/expr/expression_error.h"
#include "core/types/item.h"
#include "core/types/value.h"

namespace kstone::core::expr {

struct PathElement {
  // The attribute or member name; for a placeholder, empty until resolved.
  std::string name;
  // "#n" when written as a placeholder, else empty.
  std::string placeholder;
  // >= 0 for a list index element; -1 for a name.
  int32_t index = -1;

  bool is_index() const { return index >= 0; }
};

struct DocumentPath {
  std::vector<PathElement> elements;
  // Byte offset of the path in the expression.
  uint32_t offset = 0;

  // DynamoDB's form for messages: "[a, b, [1]]".
  std::string ToString() const;
  // Expression form: "a.b[1]" (names as resolved).
  std::string ToExpressionString() const;
};

bool operator==(const PathElement& a, const PathElement& b);

// Checks that no two paths overlap (one equal to or a prefix of the other:
// "Two document paths overlap with each other; must remove or rewrite one of
// these paths; path one: [a], path two: [a, b]") or conflict (the same
// prefix followed by a name in one and an index in the other: "Two document
// paths conflict with each other; ..."). Names must be resolved. Errors are
// InvalidArgument prefixed "Invalid <Kind>: ".
absl::Status CheckPathsDisjoint(ExpressionKind kind,
                                const std::vector<const DocumentPath*>& paths);

// The value at `path` in `item`, or nullptr if any step is missing or has the
// wrong type (a name applied to a non-map, an index to a non-list or past its
// end). Names must be resolved.
const Value* FindPath(const Item& item, const DocumentPath& path);
// The same, starting from element `first` of the path inside `value`.
const Value* FindPathIn(const Value& value, const DocumentPath& path,
                        size_t first);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_DOCUMENT_PATH_H_
