#include "api/value_internal.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/absl_compat.h"
#include "core/types/number.h"

namespace kstone {
namespace {

absl::StatusOr<core::Number> ParseNumber(std::string_view text,
                                         std::string_view attribute) {
  absl::StatusOr<core::Number> n = core::Number::Parse(text);
  if (n.ok()) return n;
  return absl::InvalidArgumentError(
      absl::StrCat(n.status().message(), " (attribute ", ToAbsl(attribute),
                   ", value \"", ToAbsl(text.substr(0, 64)), "\")"));
}

}  // namespace

absl::StatusOr<core::Value> ValueInternal::ToCore(const Value& value,
                                                  std::string_view attribute) {
  switch (value.type()) {
    case ValueType::kString:
      return core::Value::String(std::string(value.AsString()));
    case ValueType::kNumber: {
      absl::StatusOr<core::Number> n = ParseNumber(value.AsNumber(), attribute);
      if (!n.ok()) return n.status();
      return core::Value::Num(*n);
    }
    case ValueType::kBinary:
      return core::Value::Binary(std::string(value.AsBinary()));
    case ValueType::kBool:
      return core::Value::Bool(value.AsBool());
    case ValueType::kNull:
      return core::Value::Null();
    case ValueType::kList: {
      core::ValueList list;
      list.reserve(value.AsList().size());
      for (const Value& element : value.AsList()) {
        absl::StatusOr<core::Value> v = ToCore(element, attribute);
        if (!v.ok()) return v.status();
        list.push_back(std::move(*v));
      }
      return core::Value::List(std::move(list));
    }
    case ValueType::kMap: {
      core::ValueMap map;
      map.reserve(value.AsMap().size());
      for (const auto& [name, element] : value.AsMap()) {
        absl::StatusOr<core::Value> v = ToCore(element, attribute);
        if (!v.ok()) return v.status();
        map.emplace_back(name, std::move(*v));
      }
      return core::Value::Map(std::move(map));
    }
    case ValueType::kStringSet:
      return core::Value::StringSet(value.AsSet());
    case ValueType::kNumberSet: {
      std::vector<core::Number> numbers;
      numbers.reserve(value.AsSet().size());
      for (const std::string& text : value.AsSet()) {
        absl::StatusOr<core::Number> n = ParseNumber(text, attribute);
        if (!n.ok()) return n.status();
        numbers.push_back(*n);
      }
      return core::Value::NumberSet(std::move(numbers));
    }
    case ValueType::kBinarySet:
      return core::Value::BinarySet(value.AsSet());
  }
  return absl::InternalError("unknown value type");
}

core::Value ValueInternal::ToCoreForPrinting(const Value& value) {
  switch (value.type()) {
    case ValueType::kNumber: {
      absl::StatusOr<core::Number> n = core::Number::Parse(value.AsNumber());
      if (n.ok()) return core::Value::Num(*n);
      return core::Value::String(std::string(value.AsNumber()));
    }
    case ValueType::kNumberSet: {
      std::vector<core::Number> numbers;
      numbers.reserve(value.AsSet().size());
      for (const std::string& text : value.AsSet()) {
        absl::StatusOr<core::Number> n = core::Number::Parse(text);
        if (!n.ok()) return core::Value::StringSet(value.AsSet());
        numbers.push_back(*n);
      }
      return core::Value::NumberSet(std::move(numbers));
    }
    case ValueType::kList: {
      core::ValueList list;
      list.reserve(value.AsList().size());
      for (const Value& element : value.AsList()) {
        list.push_back(ToCoreForPrinting(element));
      }
      return core::Value::List(std::move(list));
    }
    case ValueType::kMap: {
      core::ValueMap map;
      map.reserve(value.AsMap().size());
      for (const auto& [name, element] : value.AsMap()) {
        map.emplace_back(name, ToCoreForPrinting(element));
      }
      return core::Value::Map(std::move(map));
    }
    default: {
      // The other types have no invalid representation to convert.
      absl::StatusOr<core::Value> v = ToCore(value, "");
      return v.ok() ? *std::move(v) : core::Value::Null();
    }
  }
}

Value ValueInternal::FromCore(core::Value value) {
  switch (value.type()) {
    case core::ValueType::kNull:
      return Value();
    case core::ValueType::kBool:
      return Value(ValueType::kBool, value.AsBool());
    case core::ValueType::kString:
      return Value(ValueType::kString,
                   std::move(const_cast<std::string&>(value.AsString())));
    case core::ValueType::kNumber:
      return Value(ValueType::kNumber, value.AsNumber().ToString());
    case core::ValueType::kBinary:
      return Value(ValueType::kBinary,
                   std::move(const_cast<std::string&>(value.AsBinary())));
    case core::ValueType::kList: {
      core::ValueList& list = *value.MutableList();
      std::vector<Value> out;
      out.reserve(list.size());
      for (core::Value& element : list) {
        out.push_back(FromCore(std::move(element)));
      }
      return Value(ValueType::kList, std::move(out));
    }
    case core::ValueType::kMap: {
      core::ValueMap& map = *value.MutableMap();
      ValueMap out;
      out.reserve(map.size());
      for (auto& [name, element] : map) {
        out.emplace_back(std::move(name), FromCore(std::move(element)));
      }
      return Value(ValueType::kMap, std::move(out));
    }
    case core::ValueType::kStringSet:
      return Value(ValueType::kStringSet, std::move(*value.MutableStringSet()));
    case core::ValueType::kNumberSet: {
      std::vector<std::string> out;
      out.reserve(value.AsNumberSet().size());
      for (const core::Number& n : value.AsNumberSet()) {
        out.push_back(n.ToString());
      }
      return Value(ValueType::kNumberSet, std::move(out));
    }
    case core::ValueType::kBinarySet:
      return Value(ValueType::kBinarySet, std::move(*value.MutableBinarySet()));
  }
  return Value();
}

absl::StatusOr<core::Item> ItemToCore(const Item& item) {
  core::ValueMap attributes;
  attributes.reserve(item.size());
  for (const auto& [name, value] : item) {
    absl::StatusOr<core::Value> v = ValueInternal::ToCore(value, name);
    if (!v.ok()) return v.status();
    attributes.emplace_back(name, std::move(*v));
  }
  // Public items are sorted with unique names, so this does not reorder.
  return core::Item(std::move(attributes));
}

Item ItemFromCore(core::Item item) {
  core::ValueMap attributes = item.ReleaseAttributes();
  ValueMap out;
  out.reserve(attributes.size() + 2);
  for (auto& [name, value] : attributes) {
    out.emplace_back(std::move(name),
                     ValueInternal::FromCore(std::move(value)));
  }
  Item result;
  result.mutable_attributes() = std::move(out);
  return result;
}

core::Item ItemToCoreForPrinting(const Item& item) {
  core::ValueMap attributes;
  attributes.reserve(item.size());
  for (const auto& [name, value] : item) {
    attributes.emplace_back(name, ValueInternal::ToCoreForPrinting(value));
  }
  return core::Item(std::move(attributes));
}

absl::StatusOr<core::Key> KeyToCore(const Key& key) {
  absl::StatusOr<core::Value> pk =
      ValueInternal::ToCore(key.partition_key(), "partition key");
  if (!pk.ok()) return pk.status();
  if (!key.has_sort_key()) return core::Key(std::move(*pk));
  absl::StatusOr<core::Value> sk =
      ValueInternal::ToCore(key.sort_key(), "sort key");
  if (!sk.ok()) return sk.status();
  return core::Key(std::move(*pk), std::move(*sk));
}

absl::StatusOr<core::KeyValueRef> KeyValueRefOf(const Value& value,
                                                std::string_view attribute,
                                                core::Number* number) {
  core::KeyValueRef ref;
  switch (value.type()) {
    case ValueType::kString:
      ref.type = core::ValueType::kString;
      ref.bytes = value.AsString();
      break;
    case ValueType::kBinary:
      ref.type = core::ValueType::kBinary;
      ref.bytes = value.AsBinary();
      break;
    case ValueType::kNumber: {
      absl::StatusOr<core::Number> n = ParseNumber(value.AsNumber(), attribute);
      if (!n.ok()) return n.status();
      *number = *n;
      ref.type = core::ValueType::kNumber;
      ref.number = number;
      break;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "Key attribute ", ToAbsl(attribute), " must be of type S, N or B"));
  }
  return ref;
}

}  // namespace kstone
