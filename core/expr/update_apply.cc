// UpdateExpression::Apply: evaluating right-hand sides against the old item
// and applying the actions through a tree of the target paths.

#include <algorithm>
#include <cassert>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/expr/document_path.h"
#include "core/expr/update_expression.h"
#include "core/types/number.h"
#include "core/util/status_macros.h"

namespace kstone::core::expr {
namespace {

absl::Status MissingAttribute() {
  return absl::InvalidArgumentError(
      "The provided expression refers to an attribute that does not exist in "
      "the item");
}
absl::Status InvalidPath() {
  return absl::InvalidArgumentError(
      "The document path provided in the update expression is invalid for "
      "update");
}
absl::Status WrongType() {
  return absl::InvalidArgumentError(
      "An operand in the update expression has an incorrect data type");
}

const Value* Lookup(const Item* item, const DocumentPath& path) {
  return item == nullptr ? nullptr : FindPath(*item, path);
}

absl::StatusOr<Value> EvaluateOperand(const Operand& op, const Item* item) {
  switch (op.kind) {
    case Operand::Kind::kValue:
      return *op.value;
    case Operand::Kind::kPath: {
      const Value* v = Lookup(item, op.path);
      if (v == nullptr) return MissingAttribute();
      return *v;
    }
    case Operand::Kind::kFunction:
      break;
  }
  const FunctionCall& call = *op.call;
  if (call.function == Function::kIfNotExists) {
    const Value* v = Lookup(item, call.args[0].path);
    if (v != nullptr) return *v;
    return EvaluateOperand(call.args[1], item);
  }
  // list_append
  KS_ASSIGN_OR_RETURN(Value a, EvaluateOperand(call.args[0], item));
  KS_ASSIGN_OR_RETURN(Value b, EvaluateOperand(call.args[1], item));
  if (!a.is_list() || !b.is_list()) return WrongType();
  ValueList* list = a.MutableList();
  ValueList* tail = b.MutableList();
  list->insert(list->end(), std::make_move_iterator(tail->begin()),
               std::make_move_iterator(tail->end()));
  return a;
}

absl::StatusOr<Value> EvaluateSetValue(const SetValue& set, const Item* item) {
  KS_ASSIGN_OR_RETURN(Value left, EvaluateOperand(set.left, item));
  if (set.arithmetic == 0) return left;
  KS_ASSIGN_OR_RETURN(Value right, EvaluateOperand(set.right, item));
  if (!left.is_number() || !right.is_number()) return WrongType();
  absl::StatusOr<Number> result =
      set.arithmetic == '+'
          ? Number::Add(left.AsNumber(), right.AsNumber())
          : Number::Subtract(left.AsNumber(), right.AsNumber());
  if (!result.ok()) return result.status();
  return Value::Num(*result);
}

// Set union / difference on sorted, duplicate-free element vectors.
template <typename T>
void Unite(std::vector<T>* set, const std::vector<T>& other) {
  std::vector<T> out;
  out.reserve(set->size() + other.size());
  std::set_union(set->begin(), set->end(), other.begin(), other.end(),
                 std::back_inserter(out));
  *set = std::move(out);
}
template <typename T>
void Subtract(std::vector<T>* set, const std::vector<T>& other) {
  std::vector<T> out;
  std::set_difference(set->begin(), set->end(), other.begin(), other.end(),
                      std::back_inserter(out));
  *set = std::move(out);
}

// ADD operand to *target (null: absent). Returns the new value.
absl::StatusOr<Value> Add(const Value* target, const Value& operand) {
  if (target == nullptr) return operand;
  if (target->type() != operand.type()) return WrongType();
  Value result = *target;
  switch (operand.type()) {
    case ValueType::kNumber: {
      absl::StatusOr<Number> sum =
          Number::Add(target->AsNumber(), operand.AsNumber());
      if (!sum.ok()) return sum.status();
      return Value::Num(*sum);
    }
    case ValueType::kStringSet:
      Unite(result.MutableStringSet(), operand.AsStringSet());
      return result;
    case ValueType::kNumberSet:
      Unite(result.MutableNumberSet(), operand.AsNumberSet());
      return result;
    case ValueType::kBinarySet:
      Unite(result.MutableBinarySet(), operand.AsBinarySet());
      return result;
    default:
      return WrongType();
  }
}

// DELETE operand from target. Sets *empty when nothing is left.
absl::StatusOr<Value> Delete(const Value& target, const Value& operand,
                             bool* empty) {
  if (target.type() != operand.type()) return WrongType();
  Value result = target;
  switch (operand.type()) {
    case ValueType::kStringSet:
      Subtract(result.MutableStringSet(), operand.AsStringSet());
      break;
    case ValueType::kNumberSet:
      Subtract(result.MutableNumberSet(), operand.AsNumberSet());
      break;
    case ValueType::kBinarySet:
      Subtract(result.MutableBinarySet(), operand.AsBinarySet());
      break;
    default:
      return WrongType();
  }
  *empty = result.ElementCount() == 0;
  return result;
}

// One node of the tree of target paths. Overlapping paths were rejected, so
// a node is either a leaf (an action) or has children; conflicting paths were
// rejected, so children are all names or all indexes.
struct PatchNode {
  const UpdateAction* action = nullptr;
  Value set_value;  // the evaluated right-hand side of a SET
  std::map<std::string, PatchNode> names;
  std::map<int32_t, PatchNode> indexes;
  bool writes = false;  // the subtree holds a SET or ADD

  bool is_leaf() const { return action != nullptr; }
};

class Applier {
 public:
  explicit Applier(bool item_missing) : item_missing_(item_missing) {}

  // Applies the children of `node` to the map `map`.
  absl::Status ApplyToMap(PatchNode& node, ValueMap* map) {
    for (auto& [name, child] : node.names) {
      Value* current = FindInMap(map, name);
      if (child.is_leaf()) {
        KS_RETURN_IF_ERROR(ApplyLeafInMap(child, name, current, map));
      } else {
        KS_RETURN_IF_ERROR(ApplyToContainer(child, current));
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::Status ApplyLeafInMap(PatchNode& leaf, const std::string& name,
                              const Value* current, ValueMap* map) {
    const UpdateAction& action = *leaf.action;
    switch (action.type) {
      case UpdateAction::Type::kSet:
        SetInMap(map, name, std::move(leaf.set_value));
        return absl::OkStatus();
      case UpdateAction::Type::kRemove:
        RemoveFromMap(map, name);
        return absl::OkStatus();
      case UpdateAction::Type::kAdd: {
        KS_ASSIGN_OR_RETURN(Value v, Add(current, *action.value.value));
        SetInMap(map, name, std::move(v));
        return absl::OkStatus();
      }
      case UpdateAction::Type::kDelete: {
        if (current == nullptr) return absl::OkStatus();
        bool empty = false;
        KS_ASSIGN_OR_RETURN(Value v,
                            Delete(*current, *action.value.value, &empty));
        if (empty) {
          RemoveFromMap(map, name);
        } else {
          SetInMap(map, name, std::move(v));
        }
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

  // An interior node: `container` (null if absent) must be a map or a list.
  absl::Status ApplyToContainer(PatchNode& node, Value* container) {
    if (container == nullptr) {
      // REMOVE/DELETE below a missing attribute of a missing item: nothing.
      if (item_missing_ && !node.writes) return absl::OkStatus();
      return InvalidPath();
    }
    if (!node.names.empty()) {
      if (!container->is_map()) return InvalidPath();
      return ApplyToMap(node, container->MutableMap());
    }
    if (!container->is_list()) return InvalidPath();
    return ApplyToList(node, container->MutableList());
  }

  // Indexes refer to the list as it was before this update: elements are
  // replaced or recursed into first, removals are done afterwards, and
  // indexes past the end append in index order.
  absl::Status ApplyToList(PatchNode& node, ValueList* list) {
    const size_t length = list->size();
    std::vector<bool> removed(length, false);
    std::vector<Value> appended;
    for (auto& [index, child] : node.indexes) {
      const size_t i = static_cast<size_t>(index);
      const bool inside = i < length;
      if (!child.is_leaf()) {
        KS_RETURN_IF_ERROR(
            ApplyToContainer(child, inside ? &(*list)[i] : nullptr));
        continue;
      }
      const UpdateAction& action = *child.action;
      switch (action.type) {
        case UpdateAction::Type::kSet:
          if (inside) {
            (*list)[i] = std::move(child.set_value);
          } else {
            appended.push_back(std::move(child.set_value));
          }
          break;
        case UpdateAction::Type::kRemove:
          if (inside) removed[i] = true;
          break;
        case UpdateAction::Type::kAdd: {
          KS_ASSIGN_OR_RETURN(Value v, Add(inside ? &(*list)[i] : nullptr,
                                           *action.value.value));
          if (inside) {
            (*list)[i] = std::move(v);
          } else {
            appended.push_back(std::move(v));
          }
          break;
        }
        case UpdateAction::Type::kDelete: {
          if (!inside) break;
          bool empty = false;
          KS_ASSIGN_OR_RETURN(Value v,
                              Delete((*list)[i], *action.value.value, &empty));
          if (empty) {
            removed[i] = true;
          } else {
            (*list)[i] = std::move(v);
          }
          break;
        }
      }
    }
    if (std::find(removed.begin(), removed.end(), true) != removed.end()) {
      ValueList kept;
      kept.reserve(length);
      for (size_t i = 0; i < length; ++i) {
        if (!removed[i]) kept.push_back(std::move((*list)[i]));
      }
      *list = std::move(kept);
    }
    for (Value& v : appended) list->push_back(std::move(v));
    return absl::OkStatus();
  }

  const bool item_missing_;
};

}  // namespace

absl::StatusOr<Item> UpdateExpression::Apply(const Item* item) const {
  Item updated;
  if (item != nullptr) updated = *item;
  KS_RETURN_IF_ERROR(ApplyInPlace(&updated, item != nullptr));
  return updated;
}

absl::Status UpdateExpression::ApplyInPlace(Item* item, bool existed) const {
  assert(resolved_);
  assert(existed || item->empty());
  const Item* old = existed ? item : nullptr;
  // Build the tree, evaluating every SET right-hand side on the old item
  // (before anything changes).
  PatchNode root;
  for (const UpdateAction& action : actions_) {
    PatchNode* node = &root;
    const bool writes = action.type == UpdateAction::Type::kSet ||
                        action.type == UpdateAction::Type::kAdd;
    for (const PathElement& e : action.path.elements) {
      node = e.is_index() ? &node->indexes[e.index] : &node->names[e.name];
      node->writes = node->writes || writes;
    }
    node->action = &action;
    if (action.type == UpdateAction::Type::kSet) {
      KS_ASSIGN_OR_RETURN(node->set_value, EvaluateSetValue(action.set, old));
    }
  }
  // The paths are disjoint, so each action reads (ADD, DELETE) only what no
  // other action changes: applying them to the item itself is the same as
  // applying them to a copy.
  ValueMap attributes = item->ReleaseAttributes();
  Applier applier(!existed);
  absl::Status status = applier.ApplyToMap(root, &attributes);
  *item = Item::FromSortedAttributes(std::move(attributes));
  return status;
}

}  // namespace kstone::core::expr
