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

// Records the top-level names, values and sizes while ItemParser checks the
// bytes; builds nothing else.
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
    StoredAttribute& a = attributes_->back();
    a.view.value_size = dynamo_size - a.name.size();
  }
  // Keeps a top-level number as parsed, so that an arithmetic operand does
  // not decode it a second time.
  void Num(Value* value, const Number& n) {
    if (value != &top_level_) return;
    attributes_->back().view.is_number = true;
    attributes_->back().view.number = n;
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
    const char* start = RecordOfName(a.name);
    const char* stop = i + 1 < attributes->size()
                           ? RecordOfName((*attributes)[i + 1].name)
                           : end;
    a.record = std::string_view(start, static_cast<size_t>(stop - start));
    const char* value = a.name.data() + a.name.size();
    a.view.value = std::string_view(value, static_cast<size_t>(stop - value));
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
