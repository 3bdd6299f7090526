#include "core/expr/projection_expression.h"

#include <cassert>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/expr/parser.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {

namespace {
constexpr ExpressionKind kKind = ExpressionKind::kProjection;
}  // namespace

// A tree of the projected paths; a leaf takes the whole value.
struct ProjectionExpression::Node {
  bool leaf = false;
  std::map<std::string, Node> names;
  std::map<int32_t, Node> indexes;
};

namespace {

template <typename N>
std::optional<Value> Project(const N& node, const Value& value) {
  if (node.leaf) return value;
  if (!node.names.empty()) {
    if (!value.is_map()) return std::nullopt;
    ValueMap out;
    for (const auto& [name, child] : node.names) {
      const Value* member = FindInMap(value.AsMap(), name);
      if (member == nullptr) continue;
      std::optional<Value> v = Project(child, *member);
      if (v.has_value()) out.emplace_back(name, *std::move(v));
    }
    if (out.empty()) return std::nullopt;
    return Value::Map(std::move(out));
  }
  if (!value.is_list()) return std::nullopt;
  const ValueList& list = value.AsList();
  ValueList out;
  for (const auto& [index, child] : node.indexes) {
    if (static_cast<size_t>(index) >= list.size()) break;
    std::optional<Value> v = Project(child, list[index]);
    if (v.has_value()) out.push_back(*std::move(v));
  }
  if (out.empty()) return std::nullopt;
  return Value::List(std::move(out));
}

}  // namespace

ProjectionExpression::ProjectionExpression(std::vector<DocumentPath> paths)
    : paths_(std::move(paths)) {}
ProjectionExpression::ProjectionExpression(ProjectionExpression&&) noexcept =
    default;
ProjectionExpression& ProjectionExpression::operator=(
    ProjectionExpression&&) noexcept = default;
ProjectionExpression::~ProjectionExpression() = default;

absl::StatusOr<ProjectionExpression> ProjectionExpression::Parse(
    absl::string_view text) {
  Parser p(kKind, text);
  KS_RETURN_IF_ERROR(p.Start());
  std::vector<DocumentPath> paths;
  while (true) {
    KS_ASSIGN_OR_RETURN(DocumentPath path, p.ParsePath());
    paths.push_back(std::move(path));
    if (!p.PeekIs(TokenKind::kComma)) break;
    p.Advance();
  }
  KS_RETURN_IF_ERROR(p.Finish());
  return ProjectionExpression(std::move(paths));
}

absl::StatusOr<ProjectionExpression> ProjectionExpression::FromPaths(
    std::vector<DocumentPath> paths) {
  // The names are resolved: the #placeholders they came from are not looked
  // up again (there is no names map here).
  for (DocumentPath& path : paths) {
    for (PathElement& e : path.elements) e.placeholder.clear();
  }
  ProjectionExpression projection(std::move(paths));
  KS_RETURN_IF_ERROR(projection.Resolve(ExpressionAttributes()));
  return projection;
}

absl::Status ProjectionExpression::Resolve(
    const ExpressionAttributes& attributes) {
  root_.reset();
  std::vector<const DocumentPath*> pointers;
  for (DocumentPath& path : paths_) {
    KS_RETURN_IF_ERROR(ResolvePath(kKind, attributes, &path));
    pointers.push_back(&path);
  }
  KS_RETURN_IF_ERROR(CheckPathsDisjoint(kKind, pointers));
  BuildTree();
  return absl::OkStatus();
}

void ProjectionExpression::BuildTree() {
  root_ = std::make_unique<Node>();
  for (const DocumentPath& path : paths_) {
    Node* node = root_.get();
    for (const PathElement& e : path.elements) {
      node = e.is_index() ? &node->indexes[e.index] : &node->names[e.name];
    }
    node->leaf = true;
  }
}

void ProjectionExpression::CollectPlaceholders(PlaceholderUse* use) const {
  use->AddExpression();
  for (const DocumentPath& path : paths_) CollectPathPlaceholders(path, use);
}

Item ProjectionExpression::Apply(const Item& item) const {
  assert(root_ != nullptr);
  ValueMap out;
  for (const auto& [name, child] : root_->names) {
    const Value* value = item.Get(name);
    if (value == nullptr) continue;
    std::optional<Value> v = Project(child, *value);
    if (v.has_value()) out.emplace_back(name, *std::move(v));
  }
  return Item(std::move(out));
}

}  // namespace kstone::core::expr
