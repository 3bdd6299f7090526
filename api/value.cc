#include "kstone/value.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "api/absl_compat.h"
#include "core/types/decimal_text.h"
#include "core/types/number.h"

namespace kstone {
namespace {

// Normalised text of a valid number; the text as given otherwise (writes
// reject it with the parser's message).
std::string NormalizeNumber(std::string_view text) {
  // Text already canonical (what Number::ToString gives, as most number
  // texts are) is kept without parsing it into a Number: a plain decimal as
  // long as its value's canonical text is that text, since any other
  // spelling of a value (leading zeros, trailing fraction zeros, "-0") is
  // longer.
  char ordered[core::Number::kMaxOrderedLength];
  int digits = 0;
  if (const size_t n = core::EncodeDecimalTextOrdered(text, ordered, &digits);
      n != 0 && static_cast<size_t>(core::OrderedNumberTextLength(
                    std::string_view(ordered, n), digits)) == text.size()) {
    return std::string(text);
  }
  absl::StatusOr<core::Number> n = core::Number::Parse(text);
  if (!n.ok()) return std::string(text);
  return n->ToString();
}

bool SameSet(const std::vector<std::string>& a,
             const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;
  std::vector<std::string_view> x(a.begin(), a.end());
  std::vector<std::string_view> y(b.begin(), b.end());
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

bool NameLess(const std::pair<std::string, Value>& entry,
              std::string_view name) {
  return entry.first < name;
}

}  // namespace

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "S";
    case ValueType::kNumber:
      return "N";
    case ValueType::kBinary:
      return "B";
    case ValueType::kBool:
      return "BOOL";
    case ValueType::kNull:
      return "NULL";
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

Value::Value() : type_(ValueType::kNull), rep_(std::monostate()) {}

Value Value::String(std::string_view s) {
  return Value(ValueType::kString, std::string(s));
}

Value Value::Number(std::string_view decimal) {
  return Value(ValueType::kNumber, NormalizeNumber(decimal));
}

Value Value::FromInt64(int64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  (void)ec;
  return Value(ValueType::kNumber, std::string(buf, end));
}

Value Value::FromUint64(uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  (void)ec;
  return Value(ValueType::kNumber, std::string(buf, end));
}

Value Value::Number(double d) {
  if (!std::isfinite(d)) {
    return Value(ValueType::kNumber, std::isnan(d) ? std::string("NaN")
                                     : d > 0       ? std::string("Infinity")
                                                   : std::string("-Infinity"));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  (void)ec;
  return Number(std::string_view(buf, end - buf));
}

Value Value::Binary(std::string_view bytes) {
  return Value(ValueType::kBinary, std::string(bytes));
}

Value Value::Binary(std::span<const uint8_t> bytes) {
  return Value(
      ValueType::kBinary,
      std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Value Value::Bool(bool b) { return Value(ValueType::kBool, b); }

Value Value::Null() { return Value(); }

Value Value::List(std::vector<Value> elements) {
  return Value(ValueType::kList, std::move(elements));
}

Value Value::Map(ValueMap attributes) {
  NormalizeMap(&attributes);
  return Value(ValueType::kMap, std::move(attributes));
}

Value Value::StringSet(std::vector<std::string> elements) {
  return Value(ValueType::kStringSet, std::move(elements));
}

Value Value::NumberSet(std::vector<std::string> elements) {
  for (std::string& e : elements) e = NormalizeNumber(e);
  return Value(ValueType::kNumberSet, std::move(elements));
}

Value Value::BinarySet(std::vector<std::string> elements) {
  return Value(ValueType::kBinarySet, std::move(elements));
}

std::string_view Value::AsString() const {
  assert(type_ == ValueType::kString);
  return std::get<std::string>(rep_);
}

std::string_view Value::AsNumber() const {
  assert(type_ == ValueType::kNumber);
  return std::get<std::string>(rep_);
}

std::string_view Value::AsBinary() const {
  assert(type_ == ValueType::kBinary);
  return std::get<std::string>(rep_);
}

bool Value::AsBool() const {
  assert(type_ == ValueType::kBool);
  return std::get<bool>(rep_);
}

const std::vector<Value>& Value::AsList() const {
  assert(type_ == ValueType::kList);
  return std::get<std::vector<Value>>(rep_);
}

const ValueMap& Value::AsMap() const {
  assert(type_ == ValueType::kMap);
  return std::get<ValueMap>(rep_);
}

const std::vector<std::string>& Value::AsSet() const {
  assert(type_ == ValueType::kStringSet || type_ == ValueType::kNumberSet ||
         type_ == ValueType::kBinarySet);
  return std::get<std::vector<std::string>>(rep_);
}

std::vector<Value>& Value::MutableList() {
  assert(type_ == ValueType::kList);
  return std::get<std::vector<Value>>(rep_);
}

ValueMap& Value::MutableMap() {
  assert(type_ == ValueType::kMap);
  return std::get<ValueMap>(rep_);
}

std::vector<std::string>& Value::MutableSet() {
  assert(type_ == ValueType::kStringSet || type_ == ValueType::kNumberSet ||
         type_ == ValueType::kBinarySet);
  return std::get<std::vector<std::string>>(rep_);
}

absl::StatusOr<int64_t> Value::ToInt64() const {
  if (type_ != ValueType::kNumber) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a number, got a ", ToAbsl(ValueTypeName(type_)), " value"));
  }
  absl::StatusOr<core::Number> n = core::Number::Parse(AsNumber());
  if (!n.ok()) return n.status();
  int64_t out = 0;
  if (!n->ToInt64(&out)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "number ", ToAbsl(AsNumber()), " is not an integer in int64 range"));
  }
  return out;
}

absl::StatusOr<double> Value::ToDouble() const {
  if (type_ != ValueType::kNumber) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected a number, got a ", ToAbsl(ValueTypeName(type_)), " value"));
  }
  absl::StatusOr<core::Number> n = core::Number::Parse(AsNumber());
  if (!n.ok()) return n.status();
  return n->ToDouble();
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case ValueType::kStringSet:
    case ValueType::kNumberSet:
    case ValueType::kBinarySet:
      return SameSet(a.AsSet(), b.AsSet());
    default:
      return a.rep_ == b.rep_;
  }
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

void SetInMap(ValueMap* map, std::string_view name, Value value) {
  auto it = std::lower_bound(map->begin(), map->end(), name, NameLess);
  if (it != map->end() && it->first == name) {
    it->second = std::move(value);
  } else {
    map->emplace(it, std::string(name), std::move(value));
  }
}

bool RemoveFromMap(ValueMap* map, std::string_view name) {
  auto it = std::lower_bound(map->begin(), map->end(), name, NameLess);
  if (it == map->end() || it->first != name) return false;
  map->erase(it);
  return true;
}

void NormalizeMap(ValueMap* map) {
  if (std::is_sorted(
          map->begin(), map->end(),
          [](const auto& x, const auto& y) { return x.first <= y.first; })) {
    return;  // sorted with unique names: the common case
  }
  // Stable, so that among repeated names the last one given stays last.
  std::stable_sort(map->begin(), map->end(), [](const auto& x, const auto& y) {
    return x.first < y.first;
  });
  ValueMap out;
  out.reserve(map->size());
  for (auto& entry : *map) {
    if (!out.empty() && out.back().first == entry.first) {
      out.back().second = std::move(entry.second);
    } else {
      out.push_back(std::move(entry));
    }
  }
  *map = std::move(out);
}

}  // namespace kstone
