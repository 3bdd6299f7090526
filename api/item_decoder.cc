#include "api/item_decoder.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/strings/str_cat.h"
#include "api/absl_compat.h"
#include "api/value_internal.h"
#include "core/types/item_parser.h"
#include "core/types/number.h"

namespace kstone {
namespace {

using KeyAttribute = RecordDecoder::KeyAttribute;

// Builds public Values for core::ItemParser, putting the item's attributes
// into *attrs in name order and the key attributes at their place. The
// attributes already in *attrs are reused in order (their strings keep their
// buffers) and the rest removed, so that decoding item after item into one
// Item (Database::ScanEach) allocates only for values longer than before.
class PublicItemBuilder {
 public:
  using Value = kstone::Value;
  using List = std::vector<Value>;
  using Map = ValueMap;
  using Strings = std::vector<std::string>;
  using Numbers = std::vector<std::string>;

  // keys[0..num_keys) sorted by name; their values are copied into the item.
  PublicItemBuilder(ValueMap* attrs, KeyAttribute* keys, int num_keys)
      : attrs_(attrs), keys_(keys), num_keys_(num_keys) {}

  void BeginItem(size_t reserve_hint) {
    attrs_->reserve(reserve_hint + static_cast<size_t>(num_keys_));
  }
  Value* BeginAttribute(std::string_view name) {
    shadowed_ = false;
    while (next_key_ < num_keys_) {
      const int c = core::CompareNames(keys_[next_key_].name, name);
      if (c > 0) break;
      shadowed_ = c == 0;
      AppendNextKey();
    }
    if (shadowed_) return &scratch_.emplace();  // the key attribute wins
    return &NextSlot(name);
  }
  void EndAttribute(size_t dynamo_size) {
    if (shadowed_) shadowed_size_ += dynamo_size;
  }
  // Appends the key attributes after the last stored attribute and drops
  // what is left of the item's earlier attributes.
  void FinishItem() {
    // Mostly nothing to do: the keys sorted before a stored attribute, and
    // the earlier item had as many attributes.
    if (next_key_ < num_keys_ || used_ < attrs_->size()) FinishItemRest();
  }
  // The size of stored attributes that key attributes replaced.
  size_t shadowed_size() const { return shadowed_size_; }

  void Null(Value* out) {
    ValueInternal::Emplace<std::monostate>(out, ValueType::kNull);
  }
  void Bool(Value* out, bool b) {
    ValueInternal::Emplace<bool>(out, ValueType::kBool) = b;
  }
  // (ReuseString empties the string: append is a plain copy, cheaper than
  // assign's general replace.)
  void String(Value* out, std::string_view s) {
    ValueInternal::ReuseString(out, ValueType::kString).append(s);
  }
  void Binary(Value* out, std::string_view s) {
    ValueInternal::ReuseString(out, ValueType::kBinary).append(s);
  }
  void Num(Value* out, const core::Number& n) { n.AppendTo(NumberText(out)); }
  // Makes *out a number and hands out its (empty) text for the parser to
  // fill, so that numbers are read without building a core::Number.
  std::string* NumberText(Value* out) {
    return &ValueInternal::ReuseString(out, ValueType::kNumber);
  }
  void ReserveList(List* list, size_t n) { list->reserve(n); }
  Value* AppendListElement(List* list) { return &list->emplace_back(); }
  void FinishList(Value* out, List&& list) {
    ValueInternal::Emplace<List>(out, ValueType::kList) = std::move(list);
  }
  void ReserveMap(Map* map, size_t n) { map->reserve(n); }
  Value* AppendMapEntry(Map* map, std::string_view name) {
    return &map->emplace_back(std::string(name), Value()).second;
  }
  void FinishMap(Value* out, Map&& map) {
    ValueInternal::Emplace<Map>(out, ValueType::kMap) = std::move(map);
  }
  void ReserveStrings(Strings* set, size_t n) { set->reserve(n); }
  void AppendString(Strings* set, std::string_view e) { set->emplace_back(e); }
  void FinishStringSet(Value* out, Strings&& set) {
    ValueInternal::Emplace<Strings>(out, ValueType::kStringSet) =
        std::move(set);
  }
  void FinishBinarySet(Value* out, Strings&& set) {
    ValueInternal::Emplace<Strings>(out, ValueType::kBinarySet) =
        std::move(set);
  }
  void ReserveNumbers(Numbers* set, size_t n) { set->reserve(n); }
  void AppendNumber(Numbers* set, const core::Number& n) {
    set->push_back(n.ToString());
  }
  void FinishNumberSet(Value* out, Numbers&& set) {
    ValueInternal::Emplace<Numbers>(out, ValueType::kNumberSet) =
        std::move(set);
  }

 private:
  // Builds the key attribute in its place in the item, without a temporary
  // Value.
  void AppendNextKey() {
    const KeyAttribute& key = keys_[next_key_++];
    Value& value = NextSlot(key.name);
    if (key.value != nullptr) {
      value = *key.value;
    } else {
      ValueInternal::ReuseString(&value, key.type).append(key.bytes);
    }
  }

  // The value of the next attribute, named `name`: the next of the earlier
  // attributes if any is left, else a new one.
  Value& NextSlot(std::string_view name) {
    if (used_ < attrs_->size()) {
      std::pair<std::string, Value>& slot = (*attrs_)[used_++];
      // Items of one table mostly share their names: keep an equal name.
      if (!SameBytes(slot.first, name)) Rename(&slot.first, name);
      return slot.second;
    }
    return NewSlot(name);
  }
  static bool SameBytes(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }
  ABSL_ATTRIBUTE_NOINLINE void FinishItemRest() {
    while (next_key_ < num_keys_) AppendNextKey();
    if (used_ < attrs_->size()) {
      attrs_->erase(attrs_->begin() + static_cast<ptrdiff_t>(used_),
                    attrs_->end());
    }
  }
  // The rare paths of NextSlot, out of line so that its common path inlines.
  ABSL_ATTRIBUTE_NOINLINE static void Rename(std::string* slot_name,
                                             std::string_view name) {
    slot_name->assign(name);
  }
  ABSL_ATTRIBUTE_NOINLINE Value& NewSlot(std::string_view name) {
    ++used_;
    return attrs_
        ->emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                       std::forward_as_tuple())
        .second;
  }

  ValueMap* const attrs_;
  KeyAttribute* const keys_;
  const int num_keys_;
  size_t used_ = 0;  // attributes of *attrs_ filled so far
  int next_key_ = 0;
  bool shadowed_ = false;
  size_t shadowed_size_ = 0;
  // Where a stored attribute that a key attribute replaces is parsed to
  // (rare: built only then).
  std::optional<Value> scratch_;
};

// Measures an item for core::ItemParser without building it, leaving out
// the stored attributes that key attributes replace (as PublicItemBuilder).
class MeasuringBuilder : public core::NullItemBuilder {
 public:
  // sk_name empty: no sort key attribute.
  MeasuringBuilder(std::string_view pk_name, std::string_view sk_name)
      : pk_name_(pk_name), sk_name_(sk_name) {}

  Value* BeginAttribute(std::string_view name) {
    shadowed_ = name == pk_name_ || (!sk_name_.empty() && name == sk_name_);
    return core::NullItemBuilder::BeginAttribute(name);
  }
  void EndAttribute(size_t dynamo_size) {
    if (shadowed_) shadowed_size_ += dynamo_size;
  }
  size_t shadowed_size() const { return shadowed_size_; }

 private:
  const std::string_view pk_name_;
  const std::string_view sk_name_;
  bool shadowed_ = false;
  size_t shadowed_size_ = 0;
};

// Decodes `value` into *item with keys[0..num_keys) merged in; *size (if
// not null): the item's DynamoDB size.
absl::Status DecodeWithKeys(std::string_view value, KeyAttribute* keys,
                            int num_keys, Item* item, size_t* size) {
  if (num_keys == 2 && keys[1].name < keys[0].name) {
    std::swap(keys[0], keys[1]);
  }
  ValueMap& attrs = item->mutable_attributes();
  PublicItemBuilder builder(&attrs, keys, num_keys);
  size_t stored_size = 0;
  absl::Status s = core::ParseItem(value, &builder, &stored_size);
  if (!s.ok()) return s;
  builder.FinishItem();
  if (size != nullptr) {
    size_t total = stored_size - builder.shadowed_size();
    for (int i = 0; i < num_keys; ++i)
      total += keys[i].name.size() + keys[i].size;
    *size = total;
  }
  return absl::OkStatus();
}

size_t PartsSize(const core::KeyValueParts& parts) {
  return parts.type == core::ValueType::kNumber
             ? core::NumberDynamoSize(parts.number)
             : parts.bytes.size();
}

ValueType PublicTypeOf(core::ValueType type) {
  switch (type) {
    case core::ValueType::kNumber:
      return ValueType::kNumber;
    case core::ValueType::kBinary:
      return ValueType::kBinary;
    default:
      return ValueType::kString;
  }
}

// The public Value of decoded key parts.
Value PartsValue(const core::KeyValueParts& parts) {
  Value v;
  std::string& rep =
      ValueInternal::Emplace<std::string>(&v, PublicTypeOf(parts.type));
  if (parts.type == core::ValueType::kNumber) {
    parts.number.AppendTo(&rep);
  } else {
    rep.assign(parts.bytes);
  }
  return v;
}

// A key attribute from decoded key parts; an N value's text goes to *text,
// which must outlive the attribute.
KeyAttribute KeyAttributeOf(std::string_view name,
                            const core::KeyValueParts& parts,
                            std::string* text) {
  KeyAttribute key;
  key.name = name;
  key.type = PublicTypeOf(parts.type);
  key.size = PartsSize(parts);
  if (parts.type == core::ValueType::kNumber) {
    text->clear();
    parts.number.AppendTo(text);
    key.bytes = *text;
  } else {
    key.bytes = parts.bytes;
  }
  return key;
}

}  // namespace

RecordDecoder::RecordDecoder(const TableSchema& schema) : schema_(schema) {}

absl::Status RecordDecoder::SetKey(std::string_view engine_key) {
  const size_t head = partition_head_.size();
  if (head != 0 && engine_key.size() >= head &&
      engine_key.compare(0, head, partition_head_) == 0) {
    // Encoded key values are self-delimiting, so a key that starts with the
    // last key's head has the same stripe, namespace and partition value:
    // only the sort value is new.
    std::string_view rest = engine_key.substr(head);
    sk_.type = core::ValueType::kNull;
    if (rest.empty()) return absl::OkStatus();
    absl::Status s = core::DecodeKeyValueParts(&rest, &sk_);
    if (!s.ok()) return s;
    if (!rest.empty()) {
      return absl::DataLossError(
          "key codec: malformed engine key: trailing bytes");
    }
    return absl::OkStatus();
  }
  partition_head_.clear();
  size_t partition_end = 0;
  // The keys come from the engine's iterators (see StripeByte::kTrust).
  absl::Status s =
      core::DecodeEngineKeyParts(engine_key, &pk_, &sk_, nullptr,
                                 &partition_end, core::StripeByte::kTrust);
  if (!s.ok()) return s;
  // Without a sort key every record is a partition of its own: nothing to
  // remember, and the partition value may view engine_key, which Decode
  // reads before the caller moves on.
  if (schema_.has_sort_key()) {
    partition_head_.assign(engine_key.substr(0, partition_end));
    if (pk_.type != core::ValueType::kNumber &&
        pk_.bytes.data() != pk_.unescaped.data()) {
      pk_.unescaped.assign(pk_.bytes);  // outlives engine_key
      pk_.bytes = pk_.unescaped;
    }
  }
  partition_ =
      KeyAttributeOf(schema_.partition_key_name(), pk_, &partition_text_);
  return absl::OkStatus();
}

Key RecordDecoder::key() const {
  if (sk_.type == core::ValueType::kNull) return Key(PartsValue(pk_));
  return Key(PartsValue(pk_), PartsValue(sk_));
}

absl::Status RecordDecoder::Decode(std::string_view value, Item* item,
                                   size_t* size) {
  if (sk_.type == core::ValueType::kNull) {
    return DecodeWithKeys(value, &partition_, 1, item, size);
  }
  KeyAttribute keys[2] = {
      partition_, KeyAttributeOf(schema_.sort_key_name(), sk_, &sort_text_)};
  return DecodeWithKeys(value, keys, 2, item, size);
}

absl::Status RecordDecoder::Measure(std::string_view value,
                                    size_t* size) const {
  const std::string_view sk_name = sk_.type != core::ValueType::kNull
                                       ? schema_.sort_key_name()
                                       : std::string_view();
  MeasuringBuilder builder(schema_.partition_key_name(), sk_name);
  size_t stored_size = 0;
  absl::Status s = core::ParseItem(value, &builder, &stored_size);
  if (!s.ok()) return s;
  size_t total = stored_size - builder.shadowed_size() +
                 schema_.partition_key_name().size() + partition_.size;
  if (!sk_name.empty()) total += sk_name.size() + PartsSize(sk_);
  *size = total;
  return absl::OkStatus();
}

absl::StatusOr<Item> DecodeStoredItem(std::string_view value, const Key& key,
                                      const TableSchema& schema,
                                      std::string_view path) {
  KeyAttribute keys[2];
  keys[0].name = schema.partition_key_name();
  keys[0].value = &key.partition_key();
  int num_keys = 1;
  if (key.has_sort_key()) {
    keys[1].name = schema.sort_key_name();
    keys[1].value = &key.sort_key();
    num_keys = 2;
  }
  Item item;
  absl::Status s = DecodeWithKeys(value, keys, num_keys, &item, nullptr);
  if (!s.ok()) {
    return absl::DataLossError(absl::StrCat("item ", key.ToString(), " in ",
                                            ToAbsl(path), ": ", s.message()));
  }
  return item;
}

}  // namespace kstone
