#include "core/expr/flat_update.h"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <new>

#include "absl/status/statusor.h"
#include "core/expr/ast.h"
#include "core/expr/flat_update_internal.h"
#include "core/types/item_codec.h"
#include "core/types/item_parser.h"
#include "core/types/small_decimal.h"
#include "core/types/utf8.h"
#include "core/types/validation.h"
#include "core/util/coding.h"

namespace kstone::core::expr {

// The new values (shared with flat_update_sets.cc; defined here so that the
// one-SET path, the hot one, can inline them).
namespace flat_update_internal {
namespace {

// The number `operand` stands for (`stored`: the attribute a path names);
// null if it is not one (a missing attribute or another type: the general
// path reports those).
const Number* OperandNumber(const Operand& operand,
                            const AttributeView* stored) {
  if (operand.is_value()) {
    return operand.value != nullptr && operand.value->is_number()
               ? &operand.value->AsNumber()
               : nullptr;
  }
  return stored != nullptr && stored->is_number ? &stored->number : nullptr;
}

// a + b or a - b, tagged. In 64 bits when both have at most 18 digits and
// the result is in range (SmallDecimal gives Number's bytes); otherwise
// Number computes, or reports the error (false).
bool ComputeSum(const Number& a, const Number& b, bool subtract,
                NewValueBuffer* buffer, NewValue* out) {
  SmallDecimal x;
  SmallDecimal y;
  SmallDecimal sum;
  if (ToSmallDecimal(a, &x) && ToSmallDecimal(b, &y) &&
      AddSmallDecimals(x, y, subtract, &sum)) {
    int digits = 0;
    const size_t n =
        EncodeSmallDecimalOrdered(sum, buffer->number + 1, &digits);
    if (n != 0) {
      buffer->number[0] = static_cast<char>(ItemTag::kNumber);
      out->bytes = std::string_view(buffer->number, n + 1);
      out->size = NumberDynamoSize(digits);
      return true;
    }
  }
  const absl::StatusOr<Number> result =
      subtract ? Number::Subtract(a, b) : Number::Add(a, b);
  if (!result.ok()) return false;
  buffer->encoded.clear();
  buffer->encoded.push_back(static_cast<char>(ItemTag::kNumber));
  result->EncodeOrdered(&buffer->encoded);
  out->bytes = buffer->encoded;
  out->size = NumberDynamoSize(*result);
  return true;
}

}  // namespace

bool ComputeValue(const SetValue& set, const AttributeView* left,
                  const AttributeView* right, NewValueBuffer* buffer,
                  NewValue* out) {
  if (set.arithmetic != 0) {
    const Number* a = OperandNumber(set.left, left);
    const Number* b = OperandNumber(set.right, right);
    if (a == nullptr || b == nullptr) return false;
    return ComputeSum(*a, *b, set.arithmetic == '-', buffer, out);
  }
  if (set.left.is_value()) {
    if (set.left.value == nullptr) return false;
    buffer->encoded.clear();
    AppendEncodedValue(*set.left.value, &buffer->encoded);
    out->bytes = buffer->encoded;
    out->size = set.left.value->DynamoSize();
    return true;
  }
  if (left == nullptr) return false;  // a copy of a missing attribute
  out->bytes = left->value;
  out->size = left->value_size;
  return true;
}

bool IsValidNewName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxAttributeNameBytes &&
         IsValidUtf8(name);
}

void Concatenate(std::initializer_list<std::string_view> parts,
                 std::string* out) {
  size_t total = 0;
  for (std::string_view p : parts) total += p.size();
  out->resize(total);
  char* dst = out->data();
  for (std::string_view p : parts) {
    std::memcpy(dst, p.data(), p.size());
    dst += p.size();
  }
}

void Splice(std::string_view stored, size_t begin, size_t end,
            std::string_view value, std::string* out) {
  const size_t tail = stored.size() - end;
  out->resize(begin + value.size() + tail);
  char* dst = out->data();
  std::memcpy(dst, stored.data(), begin);
  dst += begin;
  std::memcpy(dst, value.data(), value.size());
  std::memcpy(dst + value.size(), stored.data() + end, tail);
}

}  // namespace flat_update_internal

namespace {

using flat_update_internal::AttributeView;
using flat_update_internal::ComputeValue;
using flat_update_internal::Concatenate;
using flat_update_internal::FitsLimit;
using flat_update_internal::IsValidNewName;
using flat_update_internal::NewValue;
using flat_update_internal::NewValueBuffer;
using flat_update_internal::Splice;

// ---- One SET: the attributes it names found in one pass, one splice ----

// Finds up to three top-level attributes by name while ScanItem checks the
// whole item, and where the first name's record is or would go. The stored
// names are strictly increasing (the scan checks), so each name is compared
// only until a stored name reaches it.
class AttributeFinder {
 public:
  static constexpr int kMaxNames = 3;

  // Looks for `name` too (once however often it is added); returns its
  // index, 0 for the first name added.
  int Add(std::string_view name) {
    for (int i = 0; i < count_; ++i) {
      if (sought_[i].name == name) return i;
    }
    assert(count_ < kMaxNames);
    Sought& s = sought_[count_];
    s.name = name;
    s.passed = false;
    s.found = false;
    ++pending_;
    return count_++;
  }

  // ScanItem's visitor.
  void operator()(const char* record, std::string_view name,
                  std::string_view value, size_t value_size,
                  const Number* number) {
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
        new (&s.view) AttributeView{value, value_size, number != nullptr,
                                    number != nullptr ? *number : Number()};
      }
    }
  }

  // After a successful scan of `stored`.
  void Finish(std::string_view stored) {
    const char* end = stored.data() + stored.size();
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
  // Set by Add; `view` only when found (left unconstructed until then: a
  // finder is made for every update).
  struct Sought {
    Sought() {}
    std::string_view name;
    bool passed;  // a stored name >= this one was seen
    bool found;
    union {
      AttributeView view;
    };
  };

  Sought sought_[kMaxNames];
  int count_ = 0;
  int pending_ = 0;  // names not yet passed
  size_t attributes_ = 0;
  const char* first_record_ = nullptr;
  const char* first_record_after_ = nullptr;
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
  if (!ScanItem(stored, finder, &size)) return false;
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
