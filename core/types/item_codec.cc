#include "core/types/item_codec.h"

#include <algorithm>

#include "core/types/item_parser.h"
#include "core/util/coding.h"

namespace kstone::core {

namespace {

void PutTag(std::string* dst, ItemTag tag) {
  dst->push_back(static_cast<char>(tag));
}

void EncodeStrings(const std::vector<std::string>& elements, std::string* dst) {
  PutVarint64(dst, elements.size());
  for (const std::string& e : elements) PutLengthPrefixed(dst, e);
}

void EncodeValue(const Value& v, std::string* dst) {
  switch (v.type()) {
    case ValueType::kNull:
      PutTag(dst, ItemTag::kNull);
      return;
    case ValueType::kBool:
      PutTag(dst, v.AsBool() ? ItemTag::kTrue : ItemTag::kFalse);
      return;
    case ValueType::kString:
      PutTag(dst, ItemTag::kString);
      PutLengthPrefixed(dst, v.AsString());
      return;
    case ValueType::kNumber:
      PutTag(dst, ItemTag::kNumber);
      v.AsNumber().EncodeOrdered(dst);
      return;
    case ValueType::kBinary:
      PutTag(dst, ItemTag::kBinary);
      PutLengthPrefixed(dst, v.AsBinary());
      return;
    case ValueType::kList:
      PutTag(dst, ItemTag::kList);
      PutVarint64(dst, v.AsList().size());
      for (const Value& e : v.AsList()) EncodeValue(e, dst);
      return;
    case ValueType::kMap:
      PutTag(dst, ItemTag::kMap);
      PutVarint64(dst, v.AsMap().size());
      for (const auto& [name, value] : v.AsMap()) {
        PutLengthPrefixed(dst, name);
        EncodeValue(value, dst);
      }
      return;
    case ValueType::kStringSet:
      PutTag(dst, ItemTag::kStringSet);
      EncodeStrings(v.AsStringSet(), dst);
      return;
    case ValueType::kNumberSet:
      PutTag(dst, ItemTag::kNumberSet);
      PutVarint64(dst, v.AsNumberSet().size());
      for (const Number& n : v.AsNumberSet()) n.EncodeOrdered(dst);
      return;
    case ValueType::kBinarySet:
      PutTag(dst, ItemTag::kBinarySet);
      EncodeStrings(v.AsBinarySet(), dst);
      return;
  }
}

// Builds core Values for ItemParser (item_parser.h), which has already
// checked the order of names and set elements.
class CoreItemBuilder {
 public:
  using Value = core::Value;
  using List = ValueList;
  using Map = ValueMap;
  using Strings = std::vector<std::string>;
  using Numbers = std::vector<Number>;

  explicit CoreItemBuilder(ValueMap* attrs) : attrs_(attrs) {}

  // Room for the attributes and the two key attributes, which a stored item
  // lacks and its readers and updaters usually add.
  void BeginItem(size_t reserve_hint) { attrs_->reserve(reserve_hint + 2); }
  Value* BeginAttribute(std::string_view name) {
    return &attrs_->emplace_back(std::string(name), Value()).second;
  }
  void EndAttribute(size_t) {}
  void Null(Value* out) { *out = Value::Null(); }
  void Bool(Value* out, bool b) { *out = Value::Bool(b); }
  void String(Value* out, std::string_view s) {
    *out = Value::String(std::string(s));
  }
  void Binary(Value* out, std::string_view s) {
    *out = Value::Binary(std::string(s));
  }
  void Num(Value* out, const Number& n) { *out = Value::Num(n); }
  void ReserveList(List* list, size_t n) { list->reserve(n); }
  Value* AppendListElement(List* list) { return &list->emplace_back(); }
  void FinishList(Value* out, List&& list) {
    *out = Value::List(std::move(list));
  }
  void ReserveMap(Map* map, size_t n) { map->reserve(n); }
  Value* AppendMapEntry(Map* map, std::string_view name) {
    return &map->emplace_back(std::string(name), Value()).second;
  }
  void FinishMap(Value* out, Map&& map) {
    // Sorted already: move it in without Value::Map's normalisation.
    *out = Value::Map({});
    *out->MutableMap() = std::move(map);
  }
  void ReserveStrings(Strings* set, size_t n) { set->reserve(n); }
  void AppendString(Strings* set, std::string_view e) { set->emplace_back(e); }
  // Already sorted, so the factories' sort is a single pass.
  void FinishStringSet(Value* out, Strings&& set) {
    *out = Value::StringSet(std::move(set));
  }
  void FinishBinarySet(Value* out, Strings&& set) {
    *out = Value::BinarySet(std::move(set));
  }
  void ReserveNumbers(Numbers* set, size_t n) { set->reserve(n); }
  void AppendNumber(Numbers* set, const Number& n) { set->push_back(n); }
  void FinishNumberSet(Value* out, Numbers&& set) {
    *out = Value::NumberSet(std::move(set));
  }

 private:
  ValueMap* const attrs_;
};

}  // namespace

void AppendEncodedValue(const Value& value, std::string* dst) {
  EncodeValue(value, dst);
}

void AppendEncodedItem(const Item& item,
                       absl::Span<const std::string_view> skip_names,
                       std::string* dst) {
  dst->push_back(static_cast<char>(kItemFormatVersion));
  auto skipped = [&](const std::string& name) {
    return std::find(skip_names.begin(), skip_names.end(), name) !=
           skip_names.end();
  };
  size_t count = item.size();
  if (!skip_names.empty()) {
    for (const auto& attr : item) count -= skipped(attr.first) ? 1 : 0;
  }
  PutVarint64(dst, count);
  for (const auto& [name, value] : item) {
    if (!skip_names.empty() && skipped(name)) continue;
    PutLengthPrefixed(dst, name);
    EncodeValue(value, dst);
  }
}

std::string EncodeItem(const Item& item,
                       absl::Span<const std::string_view> skip_names) {
  std::string out;
  AppendEncodedItem(item, skip_names, &out);
  return out;
}

absl::Status DecodeItem(std::string_view bytes, Item* item,
                        size_t* dynamo_size) {
  ValueMap attrs;
  CoreItemBuilder builder(&attrs);
  size_t size = 0;
  absl::Status s = ParseItem(bytes, &builder, &size);
  if (!s.ok()) return s;
  *item = Item::FromSortedAttributes(std::move(attrs));  // order checked
  if (dynamo_size != nullptr) *dynamo_size = size;
  return absl::OkStatus();
}

absl::StatusOr<Item> DecodeItem(std::string_view bytes) {
  Item item;
  absl::Status s = DecodeItem(bytes, &item, nullptr);
  if (!s.ok()) return s;
  return item;
}

absl::Status ValidateEncodedItem(std::string_view bytes, size_t* dynamo_size) {
  NullItemBuilder builder;
  size_t size = 0;
  absl::Status s = ParseItem(bytes, &builder, &size);
  if (!s.ok()) return s;
  if (dynamo_size != nullptr) *dynamo_size = size;
  return absl::OkStatus();
}

}  // namespace kstone::core
