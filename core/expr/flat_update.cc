#include "core/expr/flat_update.h"

#include <algorithm>
#include <cstdint>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "core/expr/ast.h"
#include "core/types/item_codec.h"
#include "core/types/item_parser.h"
#include "core/types/number.h"
#include "core/types/utf8.h"
#include "core/types/validation.h"
#include "core/util/coding.h"

namespace kstone::core::expr {
namespace {

// One top-level attribute of the stored item.
struct StoredAttribute {
  std::string_view name;    // points into the stored bytes
  std::string_view record;  // varint name length, name, value
  std::string_view value;   // tag and payload
  size_t dynamo_size = 0;   // name bytes + value size
  bool is_number = false;   // then `number` is the value, as parsed
  Number number;
};

using StoredAttributes = absl::InlinedVector<StoredAttribute, 16>;

// Records the top-level names and sizes while ItemParser checks the bytes;
// builds nothing else.
class AttributeSpanBuilder : public NullItemBuilder {
 public:
  explicit AttributeSpanBuilder(StoredAttributes* attributes)
      : attributes_(attributes) {}

  void BeginItem(size_t) {}
  // A top-level value gets its own slot, so that Num can tell it from the
  // numbers nested in lists, maps and sets (which get the base's).
  Value* BeginAttribute(std::string_view name) {
    attributes_->emplace_back().name = name;
    return &top_level_;
  }
  void EndAttribute(size_t dynamo_size) {
    attributes_->back().dynamo_size = dynamo_size;
  }
  // Keeps a top-level number as parsed, so that an arithmetic operand does
  // not decode it a second time.
  void Num(Value* value, const Number& n) {
    if (value != &top_level_) return;
    attributes_->back().is_number = true;
    attributes_->back().number = n;
  }

 private:
  StoredAttributes* const attributes_;
  Value top_level_;
};

// Parses `stored` into its top-level attributes with their byte spans.
bool SplitAttributes(std::string_view stored, StoredAttributes* attributes,
                     size_t* dynamo_size) {
  AttributeSpanBuilder builder(attributes);
  if (!ParseItem(stored, &builder, dynamo_size).ok()) return false;
  const char* const end = stored.data() + stored.size();
  for (size_t i = 0; i < attributes->size(); ++i) {
    StoredAttribute& a = (*attributes)[i];
    const char* start = a.name.data() - VarintLength(a.name.size());
    const StoredAttribute* next =
        i + 1 < attributes->size() ? &(*attributes)[i + 1] : nullptr;
    const char* stop =
        next == nullptr ? end
                        : next->name.data() - VarintLength(next->name.size());
    a.record = std::string_view(start, static_cast<size_t>(stop - start));
    const char* value = a.name.data() + a.name.size();
    a.value = std::string_view(value, static_cast<size_t>(stop - value));
  }
  return true;
}

const StoredAttribute* Find(const StoredAttributes& attributes,
                            std::string_view name) {
  for (const StoredAttribute& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

bool IsTopLevelPath(const Operand& operand) {
  return operand.is_path() && operand.path.elements.size() == 1 &&
         !operand.path.elements[0].is_index();
}

bool IsSimpleOperand(const Operand& operand) {
  return operand.is_value() || IsTopLevelPath(operand);
}

// The number `operand` stands for; false if it is not one (a missing
// attribute or another type: the general path reports those).
bool OperandNumber(const Operand& operand, const StoredAttributes& attributes,
                   Number* out) {
  if (operand.is_value()) {
    if (operand.value == nullptr || !operand.value->is_number()) return false;
    *out = operand.value->AsNumber();
    return true;
  }
  const StoredAttribute* a = Find(attributes, operand.path.elements[0].name);
  if (a == nullptr || !a->is_number) return false;
  *out = a->number;
  return true;
}

// A new value of a target attribute: bytes [offset, offset + length) of the
// scratch buffer.
struct NewValue {
  std::string_view name;
  size_t offset = 0;
  size_t length = 0;
  size_t dynamo_size = 0;  // of the value alone
};

// Appends the new value of `action` to *scratch; false to decline.
bool ComputeValue(const UpdateAction& action,
                  const StoredAttributes& attributes, std::string* scratch,
                  NewValue* out) {
  const SetValue& set = action.set;
  out->name = action.path.elements[0].name;
  out->offset = scratch->size();
  if (set.arithmetic != 0) {
    Number a;
    Number b;
    if (!OperandNumber(set.left, attributes, &a) ||
        !OperandNumber(set.right, attributes, &b)) {
      return false;
    }
    absl::StatusOr<Number> result =
        set.arithmetic == '+' ? Number::Add(a, b) : Number::Subtract(a, b);
    if (!result.ok()) return false;
    scratch->push_back(static_cast<char>(ItemTag::kNumber));
    result->EncodeOrdered(scratch);
    out->dynamo_size = NumberDynamoSize(*result);
  } else if (set.left.is_value()) {
    if (set.left.value == nullptr) return false;
    AppendEncodedValue(*set.left.value, scratch);
    out->dynamo_size = set.left.value->DynamoSize();
  } else {
    const StoredAttribute* a = Find(attributes, set.left.path.elements[0].name);
    if (a == nullptr) return false;
    scratch->append(a->value);
    out->dynamo_size = a->dynamo_size - a->name.size();
  }
  out->length = scratch->size() - out->offset;
  return true;
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
  StoredAttributes attributes;
  size_t size = 0;
  if (!SplitAttributes(stored, &attributes, &size)) return false;

  if (update.actions().size() == 1) {
    // One SET of an attribute the item has (a counter's increment): its
    // value is replaced in place, everything around it copied as it is.
    const std::string& name = update.actions()[0].path.elements[0].name;
    const StoredAttribute* target = Find(attributes, name);
    if (target != nullptr) {
      std::string scratch;
      NewValue v;
      if (!ComputeValue(update.actions()[0], attributes, &scratch, &v)) {
        return false;
      }
      size += v.dynamo_size + name.size() - target->dynamo_size;
      if (size > kMaxItemBytes || key_size_bound > kMaxItemBytes - size) {
        return false;  // the general path measures exactly
      }
      const size_t before =
          static_cast<size_t>(target->value.data() - stored.data());
      const size_t after = before + target->value.size();
      out->clear();
      out->reserve(stored.size() - target->value.size() + scratch.size());
      out->append(stored.data(), before);
      out->append(scratch);
      out->append(stored.data() + after, stored.size() - after);
      return true;
    }
  }

  // Every right-hand side reads the item as it was: compute all new values
  // before writing any.
  absl::InlinedVector<NewValue, 4> values(update.actions().size());
  std::string scratch;
  for (size_t i = 0; i < values.size(); ++i) {
    const UpdateAction& action = update.actions()[i];
    const std::string& name = action.path.elements[0].name;
    if (name.empty() || name.size() > kMaxAttributeNameBytes ||
        !IsValidUtf8(name)) {
      return false;
    }
    if (!ComputeValue(action, attributes, &scratch, &values[i])) return false;
  }
  std::sort(values.begin(), values.end(),
            [](const NewValue& a, const NewValue& b) {
              return CompareNames(a.name, b.name) < 0;
            });

  // The new size and count.
  size_t count = attributes.size();
  for (const NewValue& v : values) {
    const StoredAttribute* old = Find(attributes, v.name);
    if (old != nullptr) {
      size -= old->dynamo_size;
    } else {
      ++count;
    }
    size += v.name.size() + v.dynamo_size;
  }
  if (size > kMaxItemBytes || key_size_bound > kMaxItemBytes - size) {
    return false;  // the general path measures exactly
  }

  // The records in name order: the untouched ones copied, the new ones
  // encoded.
  out->clear();
  out->reserve(stored.size() + scratch.size() + 16);
  out->push_back(static_cast<char>(kItemFormatVersion));
  PutVarint64(out, count);
  size_t i = 0;
  size_t j = 0;
  while (i < attributes.size() || j < values.size()) {
    int order = 0;
    if (i == attributes.size()) {
      order = 1;
    } else if (j == values.size()) {
      order = -1;
    } else {
      order = CompareNames(attributes[i].name, values[j].name);
    }
    if (order < 0) {
      out->append(attributes[i].record);
      ++i;
      continue;
    }
    const NewValue& v = values[j];
    PutLengthPrefixed(out, v.name);
    out->append(scratch, v.offset, v.length);
    ++j;
    if (order == 0) ++i;  // replaced
  }
  return true;
}

}  // namespace kstone::core::expr
