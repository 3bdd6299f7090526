#include "core/types/item_codec.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
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

// A decoder over untrusted bytes. Every count is checked against the bytes
// left (each element takes at least one byte), so reserve() never exceeds
// the input size, and recursion stops at kMaxNestingDepth.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : in_(bytes), size_(bytes.size()) {}

  absl::Status DecodeItem(Item* item) {
    if (in_.empty()) return Error("empty input");
    const uint8_t version = static_cast<uint8_t>(in_[0]);
    if (version != kItemFormatVersion) {
      return Error(absl::StrCat("unknown format version ", version));
    }
    in_.remove_prefix(1);
    ValueMap attrs;
    absl::Status s = DecodeMapBody(/*depth=*/0, &attrs);
    if (!s.ok()) return s;
    if (!in_.empty()) return Error("trailing bytes");
    *item = Item::FromSortedAttributes(std::move(attrs));  // order checked
    return absl::OkStatus();
  }

 private:
  absl::Status Error(std::string_view what) const {
    return absl::DataLossError(absl::StrCat(
        "item codec: ", absl::string_view(what.data(), what.size()),
        " at offset ", size_ - in_.size()));
  }

  absl::Status Count(size_t* count) {
    uint64_t n = 0;
    if (!GetVarint64(&in_, &n)) return Error("bad count");
    if (n > in_.size()) return Error("count past the end");
    *count = static_cast<size_t>(n);
    return absl::OkStatus();
  }

  // Containers nested in containers could each reserve their declared count
  // before any element is read; capping the up-front reservation keeps the
  // memory used proportional to the bytes actually decoded.
  static size_t ReserveHint(size_t count) {
    return std::min<size_t>(count, 64);
  }

  absl::Status Bytes(std::string_view* out) {
    if (!GetLengthPrefixed(&in_, out)) return Error("bad length");
    return absl::OkStatus();
  }

  // count, then (name, value)* with names strictly increasing.
  absl::Status DecodeMapBody(int depth, ValueMap* out) {
    size_t count = 0;
    absl::Status s = Count(&count);
    if (!s.ok()) return s;
    out->reserve(ReserveHint(count));
    for (size_t i = 0; i < count; ++i) {
      std::string_view name;
      s = Bytes(&name);
      if (!s.ok()) return s;
      if (!out->empty() && !(std::string_view(out->back().first) < name)) {
        return Error("map names out of order");
      }
      Value v;
      s = DecodeValue(depth, &v);
      if (!s.ok()) return s;
      out->emplace_back(std::string(name), std::move(v));
    }
    return absl::OkStatus();
  }

  absl::Status DecodeStrings(std::vector<std::string>* out) {
    size_t count = 0;
    absl::Status s = Count(&count);
    if (!s.ok()) return s;
    out->reserve(ReserveHint(count));
    for (size_t i = 0; i < count; ++i) {
      std::string_view e;
      s = Bytes(&e);
      if (!s.ok()) return s;
      if (!out->empty() && e < std::string_view(out->back())) {
        return Error("set elements out of order");
      }
      out->emplace_back(e);
    }
    return absl::OkStatus();
  }

  absl::Status DecodeNumber(Number* n) {
    if (!Number::DecodeOrdered(&in_, n)) return Error("bad number");
    return absl::OkStatus();
  }

  // depth: the number of L/M values enclosing this one.
  absl::Status DecodeValue(int depth, Value* out) {
    if (in_.empty()) return Error("truncated value");
    const ItemTag tag = static_cast<ItemTag>(in_[0]);
    in_.remove_prefix(1);
    absl::Status s;
    switch (tag) {
      case ItemTag::kNull:
        *out = Value::Null();
        return absl::OkStatus();
      case ItemTag::kFalse:
      case ItemTag::kTrue:
        *out = Value::Bool(tag == ItemTag::kTrue);
        return absl::OkStatus();
      case ItemTag::kString:
      case ItemTag::kBinary: {
        std::string_view bytes;
        s = Bytes(&bytes);
        if (!s.ok()) return s;
        *out = tag == ItemTag::kString ? Value::String(std::string(bytes))
                                       : Value::Binary(std::string(bytes));
        return absl::OkStatus();
      }
      case ItemTag::kNumber: {
        Number n;
        s = DecodeNumber(&n);
        if (!s.ok()) return s;
        *out = Value::Num(n);
        return absl::OkStatus();
      }
      case ItemTag::kList:
      case ItemTag::kMap:
        if (depth + 1 > kMaxNestingDepth) return Error("nesting too deep");
        if (tag == ItemTag::kMap) {
          *out = Value::Map({});
          return DecodeMapBody(depth + 1, out->MutableMap());
        } else {
          size_t count = 0;
          s = Count(&count);
          if (!s.ok()) return s;
          *out = Value::List({});
          ValueList* list = out->MutableList();
          list->reserve(ReserveHint(count));
          for (size_t i = 0; i < count; ++i) {
            list->emplace_back();
            s = DecodeValue(depth + 1, &list->back());
            if (!s.ok()) return s;
          }
          return absl::OkStatus();
        }
      case ItemTag::kStringSet:
      case ItemTag::kBinarySet: {
        std::vector<std::string> elements;
        s = DecodeStrings(&elements);
        if (!s.ok()) return s;
        // Already sorted (checked), so the factories' sort is a single pass.
        *out = tag == ItemTag::kStringSet
                   ? Value::StringSet(std::move(elements))
                   : Value::BinarySet(std::move(elements));
        return absl::OkStatus();
      }
      case ItemTag::kNumberSet: {
        size_t count = 0;
        s = Count(&count);
        if (!s.ok()) return s;
        std::vector<Number> elements;
        elements.reserve(ReserveHint(count));
        for (size_t i = 0; i < count; ++i) {
          Number n;
          s = DecodeNumber(&n);
          if (!s.ok()) return s;
          if (!elements.empty() && n < elements.back()) {
            return Error("set elements out of order");
          }
          elements.push_back(n);
        }
        *out = Value::NumberSet(std::move(elements));
        return absl::OkStatus();
      }
    }
    return Error(absl::StrCat("bad value tag ", static_cast<int>(tag)));
  }

  std::string_view in_;
  const size_t size_;
};

}  // namespace

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

absl::StatusOr<Item> DecodeItem(std::string_view bytes) {
  Item item;
  Decoder decoder(bytes);
  absl::Status s = decoder.DecodeItem(&item);
  if (!s.ok()) return s;
  return item;
}

}  // namespace kstone::core
