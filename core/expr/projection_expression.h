#ifndef KSTONE_CORE_EXPR_PROJECTION_EXPRESSION_H_
#define KSTONE_CORE_EXPR_PROJECTION_EXPRESSION_H_

// ProjectionExpression: the attributes to return, "a, b.c[0], #n".
//
//   projection := path ("," path)*
//
// Paths may not overlap ("a, a", "a, a.b") or conflict ("a.b, a[0]"); that is
// checked by Resolve(), after #name substitution. Apply() keeps the item's
// structure: "a.b[0]" on {a: {b: [x, y], c: 1}} gives {a: {b: [x]}}; several
// indexes of one list keep their order; paths that are missing (an absent
// attribute, an index past the end, a step into the wrong type) are left out.
//
// Thread-safety: Parse and Resolve need exclusive access; Apply on a resolved
// projection is safe for concurrent use.

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/expr/document_path.h"
#include "core/expr/placeholders.h"
#include "core/types/item.h"

namespace kstone::core::expr {

class ProjectionExpression {
 public:
  static absl::StatusOr<ProjectionExpression> Parse(absl::string_view text);
  // A projection of already resolved paths (e.g. the targets of an update,
  // for ReturnValues UPDATED_OLD/UPDATED_NEW; paths written with #names
  // keep their resolved names). Checks overlaps.
  static absl::StatusOr<ProjectionExpression> FromPaths(
      std::vector<DocumentPath> paths);

  ProjectionExpression(ProjectionExpression&&) noexcept;
  ProjectionExpression& operator=(ProjectionExpression&&) noexcept;
  ~ProjectionExpression();

  // Binds the #names and checks overlaps and conflicts.
  absl::Status Resolve(const ExpressionAttributes& attributes);

  void CollectPlaceholders(PlaceholderUse* use) const;

  // The projection of `item`. REQUIRES: resolved (or built by FromPaths).
  Item Apply(const Item& item) const;

  const std::vector<DocumentPath>& paths() const { return paths_; }

 private:
  struct Node;

  explicit ProjectionExpression(std::vector<DocumentPath> paths);
  void BuildTree();

  std::vector<DocumentPath> paths_;
  std::unique_ptr<Node> root_;  // built by Resolve
};

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_PROJECTION_EXPRESSION_H_
