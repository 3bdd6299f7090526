#include "core/types/value.h"

#include <algorithm>
#include <cassert>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace kstone::core {

namespace {

bool NameLess(const std::pair<std::string, Value>& a, std::string_view b) {
  return std::string_view(a.first) < b;
}

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20 || u >= 0x7F) {
      absl::StrAppend(out, "\\x", absl::Hex(u, absl::kZeroPad2));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendDebug(const Value& v, std::string* out);

void AppendDebugMap(const ValueMap& m, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [name, value] : m) {
    if (!first) out->push_back(',');
    first = false;
    AppendQuoted(name, out);
    out->push_back(':');
    AppendDebug(value, out);
  }
  out->push_back('}');
}

void AppendDebug(const Value& v, std::string* out) {
  const std::string_view type_name = ValueTypeName(v.type());
  absl::StrAppend(out, "{\"",
                  absl::string_view(type_name.data(), type_name.size()), "\":");
  switch (v.type()) {
    case ValueType::kNull:
      out->append("true");
      break;
    case ValueType::kBool:
      out->append(v.AsBool() ? "true" : "false");
      break;
    case ValueType::kString:
      AppendQuoted(v.AsString(), out);
      break;
    case ValueType::kBinary:
      AppendQuoted(v.AsBinary(), out);
      break;
    case ValueType::kNumber:
      out->push_back('"');
      v.AsNumber().AppendTo(out);
      out->push_back('"');
      break;
    case ValueType::kList: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.AsList()) {
        if (!first) out->push_back(',');
        first = false;
        AppendDebug(e, out);
      }
      out->push_back(']');
      break;
    }
    case ValueType::kMap:
      AppendDebugMap(v.AsMap(), out);
      break;
    case ValueType::kStringSet:
    case ValueType::kBinarySet: {
      const auto& set =
          v.type() == ValueType::kStringSet ? v.AsStringSet() : v.AsBinarySet();
      out->push_back('[');
      for (size_t i = 0; i < set.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendQuoted(set[i], out);
      }
      out->push_back(']');
      break;
    }
    case ValueType::kNumberSet: {
      out->push_back('[');
      const auto& set = v.AsNumberSet();
      for (size_t i = 0; i < set.size(); ++i) {
        if (i > 0) out->push_back(',');
        out->push_back('"');
        set[i].AppendTo(out);
        out->push_back('"');
      }
      out->push_back(']');
      break;
    }
  }
  out->push_back('}');
}

size_t NumberSize(const Number& n) {
  return static_cast<size_t>(n.num_digits() + 1) / 2 + 1;
}

}  // namespace

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBool:
      return "BOOL";
    case ValueType::kString:
      return "S";
    case ValueType::kNumber:
      return "N";
    case ValueType::kBinary:
      return "B";
    case ValueType::kList:
      return "L";
    case ValueType::kMap:
      return "M";
    case ValueType::kStringSet:
      return "SS";
    case ValueType::kNumberSet:
      return "NS";
    case ValueType::kBinarySet:
      return "BS";
  }
  return "?";
}

Value Value::Bool(bool b) {
  Value v;
  v.rep_.emplace<1>(b);
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.rep_.emplace<2>(std::move(s));
  return v;
}

Value Value::Num(Number n) {
  Value v;
  v.rep_.emplace<3>(n);
  return v;
}

Value Value::Binary(std::string bytes) {
  Value v;
  v.rep_.emplace<4>(BinaryRep{std::move(bytes)});
  return v;
}

absl::StatusOr<Value> Value::ParseNumber(std::string_view text) {
  absl::StatusOr<Number> n = Number::Parse(text);
  if (!n.ok()) return n.status();
  return Num(*n);
}

Value Value::List(ValueList elements) {
  Value v;
  v.rep_.emplace<5>(std::move(elements));
  return v;
}

Value Value::Map(ValueMap attributes) {
  NormalizeMap(&attributes);
  Value v;
  v.rep_.emplace<6>(std::move(attributes));
  return v;
}

Value Value::StringSet(std::vector<std::string> elements) {
  std::sort(elements.begin(), elements.end());
  Value v;
  v.rep_.emplace<7>(std::move(elements));
  return v;
}

Value Value::NumberSet(std::vector<Number> elements) {
  std::sort(elements.begin(), elements.end());
  Value v;
  v.rep_.emplace<8>(std::move(elements));
  return v;
}

Value Value::BinarySet(std::vector<std::string> elements) {
  std::sort(elements.begin(), elements.end());
  Value v;
  v.rep_.emplace<9>(BinarySetRep{std::move(elements)});
  return v;
}

bool Value::AsBool() const { return std::get<1>(rep_); }
const std::string& Value::AsString() const { return std::get<2>(rep_); }
const Number& Value::AsNumber() const { return std::get<3>(rep_); }
const std::string& Value::AsBinary() const { return std::get<4>(rep_).bytes; }
const ValueList& Value::AsList() const { return std::get<5>(rep_); }
const ValueMap& Value::AsMap() const { return std::get<6>(rep_); }
const std::vector<std::string>& Value::AsStringSet() const {
  return std::get<7>(rep_);
}
const std::vector<Number>& Value::AsNumberSet() const {
  return std::get<8>(rep_);
}
const std::vector<std::string>& Value::AsBinarySet() const {
  return std::get<9>(rep_).elements;
}
std::string* Value::MutableString() { return &std::get<2>(rep_); }
std::string* Value::MutableBinary() { return &std::get<4>(rep_).bytes; }
ValueList* Value::MutableList() { return &std::get<5>(rep_); }
ValueMap* Value::MutableMap() { return &std::get<6>(rep_); }
std::vector<std::string>* Value::MutableStringSet() {
  return &std::get<7>(rep_);
}
std::vector<Number>* Value::MutableNumberSet() { return &std::get<8>(rep_); }
std::vector<std::string>* Value::MutableBinarySet() {
  return &std::get<9>(rep_).elements;
}

void Value::SortSet() {
  switch (type()) {
    case ValueType::kStringSet:
      std::sort(MutableStringSet()->begin(), MutableStringSet()->end());
      break;
    case ValueType::kNumberSet:
      std::sort(MutableNumberSet()->begin(), MutableNumberSet()->end());
      break;
    case ValueType::kBinarySet:
      std::sort(MutableBinarySet()->begin(), MutableBinarySet()->end());
      break;
    default:
      break;
  }
}

size_t Value::ElementCount() const {
  switch (type()) {
    case ValueType::kList:
      return AsList().size();
    case ValueType::kMap:
      return AsMap().size();
    case ValueType::kStringSet:
      return AsStringSet().size();
    case ValueType::kNumberSet:
      return AsNumberSet().size();
    case ValueType::kBinarySet:
      return AsBinarySet().size();
    default:
      return 0;
  }
}

size_t Value::DynamoSize() const {
  switch (type()) {
    case ValueType::kNull:
    case ValueType::kBool:
      return 1;
    case ValueType::kString:
      return AsString().size();
    case ValueType::kBinary:
      return AsBinary().size();
    case ValueType::kNumber:
      return NumberSize(AsNumber());
    case ValueType::kList: {
      size_t size = 3;
      for (const Value& e : AsList()) size += 1 + e.DynamoSize();
      return size;
    }
    case ValueType::kMap: {
      size_t size = 3;
      for (const auto& [name, value] : AsMap()) {
        size += 1 + name.size() + value.DynamoSize();
      }
      return size;
    }
    case ValueType::kStringSet:
    case ValueType::kBinarySet: {
      size_t size = 0;
      for (const std::string& e :
           type() == ValueType::kStringSet ? AsStringSet() : AsBinarySet()) {
        size += e.size();
      }
      return size;
    }
    case ValueType::kNumberSet: {
      size_t size = 0;
      for (const Number& e : AsNumberSet()) size += NumberSize(e);
      return size;
    }
  }
  return 0;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case ValueType::kNull:
      return true;
    case ValueType::kBool:
      return a.AsBool() == b.AsBool();
    case ValueType::kString:
      return a.AsString() == b.AsString();
    case ValueType::kBinary:
      return a.AsBinary() == b.AsBinary();
    case ValueType::kNumber:
      return a.AsNumber() == b.AsNumber();
    case ValueType::kList:
      return a.AsList() == b.AsList();
    case ValueType::kMap:
      return a.AsMap() == b.AsMap();
    // Sets are kept sorted, so equal sets have equal vectors.
    case ValueType::kStringSet:
      return a.AsStringSet() == b.AsStringSet();
    case ValueType::kNumberSet:
      return a.AsNumberSet() == b.AsNumberSet();
    case ValueType::kBinarySet:
      return a.AsBinarySet() == b.AsBinarySet();
  }
  return false;
}

std::string Value::DebugString() const {
  std::string out;
  AppendDebug(*this, &out);
  return out;
}

const Value* FindInMap(const ValueMap& map, std::string_view name) {
  auto it = std::lower_bound(map.begin(), map.end(), name, NameLess);
  if (it == map.end() || it->first != name) return nullptr;
  return &it->second;
}

Value* FindInMap(ValueMap* map, std::string_view name) {
  auto it = std::lower_bound(map->begin(), map->end(), name, NameLess);
  if (it == map->end() || it->first != name) return nullptr;
  return &it->second;
}

void SetInMap(ValueMap* map, std::string name, Value value) {
  // Appending in name order (builders, decoders) is the common case.
  if (map->empty() || map->back().first < name) {
    map->emplace_back(std::move(name), std::move(value));
    return;
  }
  auto it = std::lower_bound(map->begin(), map->end(), name, NameLess);
  if (it != map->end() && it->first == name) {
    it->second = std::move(value);
  } else {
    map->emplace(it, std::move(name), std::move(value));
  }
}

bool RemoveFromMap(ValueMap* map, std::string_view name) {
  auto it = std::lower_bound(map->begin(), map->end(), name, NameLess);
  if (it == map->end() || it->first != name) return false;
  map->erase(it);
  return true;
}

void NormalizeMap(ValueMap* map) {
  auto less = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (std::is_sorted(map->begin(), map->end(), less) &&
      std::adjacent_find(map->begin(), map->end(),
                         [](const auto& a, const auto& b) {
                           return a.first == b.first;
                         }) == map->end()) {
    return;
  }
  std::stable_sort(map->begin(), map->end(), less);
  // Keep the last of each run of equal names.
  size_t out = 0;
  for (size_t i = 0; i < map->size(); ++i) {
    if (i + 1 < map->size() && (*map)[i + 1].first == (*map)[i].first) {
      continue;
    }
    if (out != i) (*map)[out] = std::move((*map)[i]);
    ++out;
  }
  map->resize(out);
}

void PrintTo(const Value& value, std::ostream* os) {
  *os << value.DebugString();
}

}  // namespace kstone::core
