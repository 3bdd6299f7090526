#include "core/expr/document_path.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace kstone::core::expr {

std::string DocumentPath::ToString() const {
  std::string out = "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ", ";
    const PathElement& e = elements[i];
    if (e.is_index()) {
      absl::StrAppend(&out, "[", e.index, "]");
    } else {
      out += e.name.empty() ? e.placeholder : e.name;
    }
  }
  out += "]";
  return out;
}

std::string DocumentPath::ToExpressionString() const {
  std::string out;
  for (size_t i = 0; i < elements.size(); ++i) {
    const PathElement& e = elements[i];
    if (e.is_index()) {
      absl::StrAppend(&out, "[", e.index, "]");
    } else {
      if (i > 0) out += ".";
      out += e.name.empty() ? e.placeholder : e.name;
    }
  }
  return out;
}

bool operator==(const PathElement& a, const PathElement& b) {
  if (a.is_index() != b.is_index()) return false;
  return a.is_index() ? a.index == b.index : a.name == b.name;
}

absl::Status CheckPathsDisjoint(ExpressionKind kind,
                                const std::vector<const DocumentPath*>& paths) {
  for (size_t j = 1; j < paths.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const auto& a = paths[i]->elements;
      const auto& b = paths[j]->elements;
      const size_t common = std::min(a.size(), b.size());
      bool differ = false;
      for (size_t k = 0; k < common; ++k) {
        if (a[k].is_index() != b[k].is_index()) {
          return ExpressionError(
              kind, absl::StrCat("Two document paths conflict with each "
                                 "other; must remove or rewrite one of these "
                                 "paths; path one: ",
                                 paths[i]->ToString(),
                                 ", path two: ", paths[j]->ToString()));
        }
        if (!(a[k] == b[k])) {
          differ = true;
          break;
        }
      }
      if (!differ) {
        return ExpressionError(
            kind, absl::StrCat("Two document paths overlap with each other; "
                               "must remove or rewrite one of these paths; "
                               "path one: ",
                               paths[i]->ToString(),
                               ", path two: ", paths[j]->ToString()));
      }
    }
  }
  return absl::OkStatus();
}

const Value* FindPathIn(const Value& value, const DocumentPath& path,
                        size_t first) {
  const Value* current = &value;
  for (size_t k = first; k < path.elements.size(); ++k) {
    const PathElement& e = path.elements[k];
    if (e.is_index()) {
      if (!current->is_list()) return nullptr;
      const ValueList& list = current->AsList();
      if (static_cast<size_t>(e.index) >= list.size()) return nullptr;
      current = &list[e.index];
    } else {
      if (!current->is_map()) return nullptr;
      current = FindInMap(current->AsMap(), e.name);
      if (current == nullptr) return nullptr;
    }
  }
  return current;
}

const Value* FindPath(const Item& item, const DocumentPath& path) {
  if (path.elements.empty()) return nullptr;
  const Value* top = item.Get(path.elements[0].name);
  if (top == nullptr) return nullptr;
  return FindPathIn(*top, path, 1);
}

}  // namespace kstone::core::expr
