// ApplyFlatUpdate for several SETs (flat_update_internal.h): the stored
// item split into its records, the new values computed from the item as it
// was, then the records merged in name order.

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "core/expr/flat_update_internal.h"
#include "core/types/item_codec.h"
#include "core/types/item_parser.h"
#include "core/util/coding.h"

namespace kstone::core::expr::flat_update_internal {
namespace {

// One top-level attribute of the stored item.
struct StoredAttribute {
  std::string_view name;    // points into the stored bytes
  std::string_view record;  // varint name length, name, value
  AttributeView view;
};

using StoredAttributes = absl::InlinedVector<StoredAttribute, 16>;

// Parses `stored` into its top-level attributes with their byte spans.
bool SplitAttributes(std::string_view stored, StoredAttributes* attributes,
                     size_t* dynamo_size) {
  auto visit = [attributes](const char* record, std::string_view name,
                            std::string_view value, size_t value_size,
                            const Number* number) {
    StoredAttribute& a = attributes->emplace_back();
    a.name = name;
    // Its bytes: the name's length, the name, the value.
    a.record = std::string_view(
        record, static_cast<size_t>(value.data() + value.size() - record));
    a.view.value = value;
    a.view.value_size = value_size;
    a.view.is_number = number != nullptr;
    if (number != nullptr) a.view.number = *number;
  };
  return ScanItem(stored, visit, dynamo_size);
}

const StoredAttribute* Find(const StoredAttributes& attributes,
                            std::string_view name) {
  for (const StoredAttribute& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// The stored attribute a path operand names; null if missing or not a path.
const AttributeView* FindOperand(const StoredAttributes& attributes,
                                 const Operand& operand) {
  if (!operand.is_path()) return nullptr;
  const StoredAttribute* a = Find(attributes, operand.path.elements[0].name);
  return a == nullptr ? nullptr : &a->view;
}

// A new value of a target attribute: bytes [offset, offset + length) of the
// scratch buffer.
struct PendingValue {
  std::string_view name;
  size_t offset = 0;
  size_t length = 0;
  size_t size = 0;  // DynamoDB size of the value alone
};

}  // namespace

bool ApplySets(const UpdateExpression& update, std::string_view stored,
               size_t key_size_bound, std::string* out) {
  StoredAttributes attributes;
  size_t size = 0;
  if (!SplitAttributes(stored, &attributes, &size)) return false;

  // Every right-hand side reads the item as it was: compute all new values
  // before writing any.
  absl::InlinedVector<PendingValue, 4> values(update.actions().size());
  std::string scratch;
  NewValueBuffer buffer;
  for (size_t i = 0; i < values.size(); ++i) {
    const UpdateAction& action = update.actions()[i];
    const std::string& name = action.path.elements[0].name;
    if (!IsValidNewName(name)) return false;
    const SetValue& set = action.set;
    NewValue v;
    if (!ComputeValue(
            set, FindOperand(attributes, set.left),
            set.arithmetic != 0 ? FindOperand(attributes, set.right) : nullptr,
            &buffer, &v)) {
      return false;
    }
    values[i] = PendingValue{name, scratch.size(), v.bytes.size(), v.size};
    scratch.append(v.bytes);
  }
  std::sort(values.begin(), values.end(),
            [](const PendingValue& a, const PendingValue& b) {
              return CompareNames(a.name, b.name) < 0;
            });

  // The new size and count.
  size_t count = attributes.size();
  for (const PendingValue& v : values) {
    const StoredAttribute* old = Find(attributes, v.name);
    if (old != nullptr) {
      size -= old->name.size() + old->view.value_size;
    } else {
      ++count;
    }
    size += v.name.size() + v.size;
  }
  if (!FitsLimit(size, key_size_bound)) return false;

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
    const PendingValue& v = values[j];
    PutLengthPrefixed(out, v.name);
    out->append(scratch, v.offset, v.length);
    ++j;
    if (order == 0) ++i;  // replaced
  }
  return true;
}

}  // namespace kstone::core::expr::flat_update_internal
