#include "core/expr/value_functions.h"

#include <algorithm>
#include <string>

#include "absl/strings/match.h"

namespace kstone::core::expr {

bool IsOrderable(ValueType type) {
  return type == ValueType::kNumber || type == ValueType::kString ||
         type == ValueType::kBinary;
}

int CompareOrdered(const Value& a, const Value& b) {
  switch (a.type()) {
    case ValueType::kNumber:
      return a.AsNumber().Compare(b.AsNumber());
    case ValueType::kString:
      // std::char_traits<char>::compare orders bytes as unsigned char.
      return a.AsString().compare(b.AsString());
    case ValueType::kBinary:
      return a.AsBinary().compare(b.AsBinary());
    default:
      return 0;
  }
}

int64_t Utf16Length(absl::string_view utf8) {
  int64_t units = 0;
  for (char ch : utf8) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += (c >= 0xF0) ? 2 : 1;      // 4-byte sequences are surrogates
  }
  return units;
}

std::optional<int64_t> SizeOf(const Value& value) {
  switch (value.type()) {
    case ValueType::kString:
      return Utf16Length(value.AsString());
    case ValueType::kBinary:
      return static_cast<int64_t>(value.AsBinary().size());
    case ValueType::kList:
    case ValueType::kMap:
    case ValueType::kStringSet:
    case ValueType::kNumberSet:
    case ValueType::kBinarySet:
      return static_cast<int64_t>(value.ElementCount());
    default:
      return std::nullopt;
  }
}

bool BeginsWith(const Value& a, const Value& b) {
  if (a.is_string() && b.is_string()) {
    return absl::StartsWith(a.AsString(), b.AsString());
  }
  if (a.is_binary() && b.is_binary()) {
    return absl::StartsWith(a.AsBinary(), b.AsBinary());
  }
  return false;
}

bool Contains(const Value& a, const Value& b) {
  switch (a.type()) {
    case ValueType::kString:
      return b.is_string() && absl::StrContains(a.AsString(), b.AsString());
    case ValueType::kBinary:
      return b.is_binary() && absl::StrContains(a.AsBinary(), b.AsBinary());
    case ValueType::kStringSet: {
      if (!b.is_string()) return false;
      const auto& set = a.AsStringSet();
      return std::binary_search(set.begin(), set.end(), b.AsString());
    }
    case ValueType::kBinarySet: {
      if (!b.is_binary()) return false;
      const auto& set = a.AsBinarySet();
      return std::binary_search(set.begin(), set.end(), b.AsBinary());
    }
    case ValueType::kNumberSet: {
      if (!b.is_number()) return false;
      const auto& set = a.AsNumberSet();
      return std::binary_search(set.begin(), set.end(), b.AsNumber());
    }
    case ValueType::kList:
      for (const Value& element : a.AsList()) {
        if (element == b) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace kstone::core::expr
