#include "core/expr/flat_update.h"

#include <cassert>
#include <cstdint>
#include <cstring>

#include "core/expr/ast.h"
#include "core/expr/flat_update_internal.h"
#include "core/types/item_codec.h"
#include "core/types/item_parser.h"
#include "core/types/utf8.h"
#include "core/types/validation.h"
#include "core/util/coding.h"

namespace kstone::core::expr {
namespace {

using flat_update_internal::AttributeView;
using flat_update_internal::ComputeValue;
using flat_update_internal::Concatenate;
using flat_update_internal::FitsLimit;
using flat_update_internal::IsValidNewName;
using flat_update_internal::NewValue;
using flat_update_internal::NewValueBuffer;
using flat_update_internal::RecordOfName;
using flat_update_internal::Splice;

// ---- One SET: the attributes it names found in one pass, one splice ----

// Finds up to three top-level attributes by name while ItemParser checks
// the whole item, and where the first name's record is or would go. The
// stored names are strictly increasing (the parser checks), so each name is
// compared only until a stored name reaches it.
class AttributeFinder : public NullItemBuilder {
 public:
  static constexpr int kMaxNames = 3;

  // Looks for `name` too (once however often it is added); returns its
  // index, 0 for the first name added.
  int Add(std::string_view name) {
    for (int i = 0; i < count_; ++i) {
      if (sought_[i].name == name) return i;
    }
    assert(count_ < kMaxNames);
    sought_[count_].name = name;
    ++pending_;
    return count_++;
  }

  void BeginItem(size_t) {}
  Value* BeginAttribute(std::string_view name) {
    const char* record = RecordOfName(name);
    EndValue(record);
    if (attributes_++ == 0) first_record_ = record;
    for (int i = 0; i < count_ && pending_ > 0; ++i) {
      Sought& s = sought_[i];
      if (s.passed) continue;
      const int order = CompareNames(name, s.name);
      if (order < 0) continue;
      s.passed = true;
      --pending_;
      if (i == 0) first_record_after_ = record;
      if (order == 0) {
        s.found = true;
        current_ = &s;
        value_begin_ = name.data() + name.size();
      }
    }
    return &top_level_;
  }
  void EndAttribute(size_t dynamo_size) {
    if (current_ != nullptr) {
      current_->view.value_size = dynamo_size - current_->name.size();
    }
  }
  // A top-level number kept as parsed (nested ones get the base's slot).
  void Num(Value* value, const Number& n) {
    if (value != &top_level_ || current_ == nullptr) return;
    current_->view.is_number = true;
    current_->view.number = n;
  }

  // After a successful parse of `stored`.
  void Finish(std::string_view stored) {
    const char* end = stored.data() + stored.size();
    EndValue(end);
    if (first_record_ == nullptr) first_record_ = end;
    if (first_record_after_ == nullptr) first_record_after_ = end;
  }

  // The attribute named by Add's `index`; null if the item lacks it or
  // index < 0.
  const AttributeView* Found(int index) const {
    return index >= 0 && sought_[index].found ? &sought_[index].view : nullptr;
  }
  size_t attributes() const { return attributes_; }
  // The records: [first_record, end); the first name's place is
  // first_record_after (its own record if the item has it).
  const char* first_record() const { return first_record_; }
  const char* first_record_after() const { return first_record_after_; }

 private:
  struct Sought {
    std::string_view name;
    bool passed = false;  // a stored name >= this one was seen
    bool found = false;
    AttributeView view;
  };

  // The value of the attribute being read ends where the next record (or
  // the item) does.
  void EndValue(const char* end) {
    if (current_ == nullptr) return;
    current_->view.value =
        std::string_view(value_begin_, static_cast<size_t>(end - value_begin_));
    current_ = nullptr;
  }

  Sought sought_[kMaxNames];
  int count_ = 0;
  int pending_ = 0;  // names not yet passed
  size_t attributes_ = 0;
  Sought* current_ = nullptr;
  const char* value_begin_ = nullptr;  // of current_
  const char* first_record_ = nullptr;
  const char* first_record_after_ = nullptr;
  Value top_level_;
};

bool ApplyOneSet(const UpdateAction& action, std::string_view stored,
                 size_t key_size_bound, std::string* out) {
  const std::string& name = action.path.elements[0].name;
  const SetValue& set = action.set;
  AttributeFinder finder;
  finder.Add(name);
  const int left =
      set.left.is_path() ? finder.Add(set.left.path.elements[0].name) : -1;
  const int right = set.arithmetic != 0 && set.right.is_path()
                        ? finder.Add(set.right.path.elements[0].name)
                        : -1;
  size_t size = 0;
  if (!ParseItem(stored, &finder, &size).ok()) return false;
  finder.Finish(stored);

  NewValueBuffer buffer;
  NewValue v;
  if (!ComputeValue(set, finder.Found(left), finder.Found(right), &buffer,
                    &v)) {
    return false;
  }
  const char* const begin = stored.data();
  const char* const end = begin + stored.size();
  if (const AttributeView* target = finder.Found(0); target != nullptr) {
    // The attribute's value replaced, everything around it copied as it is
    // (a counter's increment).
    size = size - target->value_size + v.size;
    if (!FitsLimit(size, key_size_bound)) return false;
    const size_t at = static_cast<size_t>(target->value.data() - begin);
    Splice(stored, at, at + target->value.size(), v.bytes, out);
    return true;
  }
  // A new attribute: its record goes before the first greater name, and the
  // count grows by one.
  if (!IsValidNewName(name)) return false;
  size += name.size() + v.size;
  if (!FitsLimit(size, key_size_bound)) return false;
  char head[1 + 10];
  head[0] = static_cast<char>(kItemFormatVersion);
  const char* head_end = EncodeVarint64(head + 1, finder.attributes() + 1);
  char prefix[10];
  const char* prefix_end = EncodeVarint64(prefix, name.size());
  const char* first = finder.first_record();
  const char* at = finder.first_record_after();
  Concatenate(
      {std::string_view(head, static_cast<size_t>(head_end - head)),
       std::string_view(first, static_cast<size_t>(at - first)),
       std::string_view(prefix, static_cast<size_t>(prefix_end - prefix)), name,
       v.bytes, std::string_view(at, static_cast<size_t>(end - at))},
      out);
  return true;
}

bool IsTopLevelPath(const Operand& operand) {
  return operand.is_path() && operand.path.elements.size() == 1 &&
         !operand.path.elements[0].is_index();
}

bool IsSimpleOperand(const Operand& operand) {
  return operand.is_value() || IsTopLevelPath(operand);
}

}  // namespace

bool IsFlatUpdate(const UpdateExpression& update) {
  if (update.actions().empty()) return false;
  for (const UpdateAction& action : update.actions()) {
    if (action.type != UpdateAction::Type::kSet) return false;
    if (action.path.elements.size() != 1 ||
        action.path.elements[0].is_index()) {
      return false;
    }
    if (!IsSimpleOperand(action.set.left)) return false;
    if (action.set.arithmetic != 0 && !IsSimpleOperand(action.set.right)) {
      return false;
    }
  }
  return true;
}

bool ApplyFlatUpdate(const UpdateExpression& update, std::string_view stored,
                     size_t key_size_bound, std::string* out) {
  if (!IsFlatUpdate(update)) return false;
  if (update.actions().size() == 1) {
    return ApplyOneSet(update.actions()[0], stored, key_size_bound, out);
  }
  return flat_update_internal::ApplySets(update, stored, key_size_bound, out);
}

}  // namespace kstone::core::expr
