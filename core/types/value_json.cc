#include "core/types/value_json.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/types/base64.h"

namespace kstone::core {

namespace {

absl::string_view View(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Appends " (attribute <path>)" when the error is inside an attribute.
absl::Status Error(const std::string& path, std::string_view message) {
  if (path.empty()) return absl::InvalidArgumentError(View(message));
  return absl::InvalidArgumentError(
      absl::StrCat(View(message), " (attribute ", path, ")"));
}

absl::Status Rewrap(const std::string& path, const absl::Status& s) {
  const absl::string_view m = s.message();
  return Error(path, std::string_view(m.data(), m.size()));
}

// Pushes a path component for the lifetime of the object.
class PathPart {
 public:
  PathPart(std::string* path, std::string_view name) : path_(path) {
    size_ = path->size();
    if (!path->empty()) path->push_back('.');
    path->append(name);
  }
  PathPart(std::string* path, size_t index) : path_(path) {
    size_ = path->size();
    absl::StrAppend(path, "[", index, "]");
  }
  ~PathPart() { path_->resize(size_); }
  PathPart(const PathPart&) = delete;
  PathPart& operator=(const PathPart&) = delete;

 private:
  std::string* path_;
  size_t size_;
};

// ---- plain JSON ----

absl::Status FromPlain(const JsonValue& j, std::string* path, Value* out) {
  switch (j.kind()) {
    case JsonValue::Kind::kNull:
      *out = Value::Null();
      return absl::OkStatus();
    case JsonValue::Kind::kBool:
      *out = Value::Bool(j.bool_value());
      return absl::OkStatus();
    case JsonValue::Kind::kString:
      *out = Value::String(j.string_value());
      return absl::OkStatus();
    case JsonValue::Kind::kNumber: {
      absl::StatusOr<Number> n = Number::Parse(j.number_text());
      if (!n.ok()) return Rewrap(*path, n.status());
      *out = Value::Num(*n);
      return absl::OkStatus();
    }
    case JsonValue::Kind::kArray: {
      ValueList list(j.array().size());
      for (size_t i = 0; i < list.size(); ++i) {
        PathPart part(path, i);
        absl::Status s = FromPlain(j.array()[i], path, &list[i]);
        if (!s.ok()) return s;
      }
      *out = Value::List(std::move(list));
      return absl::OkStatus();
    }
    case JsonValue::Kind::kObject: {
      ValueMap map(j.object().size());
      for (size_t i = 0; i < map.size(); ++i) {
        const auto& [name, member] = j.object()[i];
        PathPart part(path, name);
        map[i].first = name;
        absl::Status s = FromPlain(member, path, &map[i].second);
        if (!s.ok()) return s;
      }
      *out = Value::Map(std::move(map));
      return absl::OkStatus();
    }
  }
  return absl::InternalError("json: unknown kind");
}

JsonValue NumberJson(const Number& n) {
  return JsonValue::Number(n.ToString());
}

JsonValue StringsJson(const std::vector<std::string>& set, bool base64) {
  JsonValue::Array a;
  a.reserve(set.size());
  for (const std::string& e : set) {
    a.push_back(JsonValue::String(base64 ? Base64Encode(e) : e));
  }
  return JsonValue::MakeArray(std::move(a));
}

// ---- DynamoDB JSON ----

std::string_view KindName(const JsonValue& j) {
  switch (j.kind()) {
    case JsonValue::Kind::kNull:
      return "NULL_VALUE";
    case JsonValue::Kind::kBool:
      return "BOOLEAN_VALUE";
    case JsonValue::Kind::kNumber:
      return "NUMBER_VALUE";
    case JsonValue::Kind::kString:
      return "STRING_VALUE";
    case JsonValue::Kind::kArray:
      return "START_ARRAY";
    case JsonValue::Kind::kObject:
      return "START_OBJECT";
  }
  return "?";
}

absl::Status WrongKind(const std::string& path, const JsonValue& j,
                       std::string_view target) {
  return Error(path, absl::StrCat(View(KindName(j)), " cannot be converted to ",
                                  View(target)));
}

absl::Status DynamoString(const JsonValue& j, const std::string& path,
                          std::string* out) {
  if (!j.is_string()) return WrongKind(path, j, "String");
  *out = j.string_value();
  return absl::OkStatus();
}

absl::Status DynamoBinary(const JsonValue& j, const std::string& path,
                          std::string* out) {
  if (!j.is_string()) return WrongKind(path, j, "Blob");
  absl::StatusOr<std::string> bytes = Base64Decode(j.string_value());
  if (!bytes.ok()) return Rewrap(path, bytes.status());
  *out = *std::move(bytes);
  return absl::OkStatus();
}

absl::Status DynamoNumber(const JsonValue& j, const std::string& path,
                          Number* out) {
  if (!j.is_string()) return WrongKind(path, j, "String");
  absl::StatusOr<Number> n = Number::Parse(j.string_value());
  if (!n.ok()) return Rewrap(path, n.status());
  *out = *n;
  return absl::OkStatus();
}

absl::Status FromDynamo(const JsonValue& j, std::string* path, Value* out);

absl::Status FromDynamoMap(const JsonValue& j, std::string* path,
                           ValueMap* out) {
  if (!j.is_object()) return WrongKind(*path, j, "Map");
  out->resize(j.object().size());
  for (size_t i = 0; i < out->size(); ++i) {
    const auto& [name, member] = j.object()[i];
    PathPart part(path, name);
    (*out)[i].first = name;
    absl::Status s = FromDynamo(member, path, &(*out)[i].second);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

template <typename T, typename F>
absl::Status DynamoSet(const JsonValue& body, std::string* path,
                       std::vector<T>* out, F convert) {
  if (!body.is_array()) return WrongKind(*path, body, "List");
  out->resize(body.array().size());
  for (size_t i = 0; i < out->size(); ++i) {
    absl::Status s = convert(body.array()[i], *path, &(*out)[i]);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status FromDynamoTyped(std::string_view type, const JsonValue& body,
                             std::string* path, Value* out) {
  absl::Status s;
  if (type == "S") {
    std::string str;
    s = DynamoString(body, *path, &str);
    if (s.ok()) *out = Value::String(std::move(str));
  } else if (type == "N") {
    Number n;
    s = DynamoNumber(body, *path, &n);
    if (s.ok()) *out = Value::Num(n);
  } else if (type == "B") {
    std::string bytes;
    s = DynamoBinary(body, *path, &bytes);
    if (s.ok()) *out = Value::Binary(std::move(bytes));
  } else if (type == "BOOL") {
    if (!body.is_bool()) return WrongKind(*path, body, "Boolean");
    *out = Value::Bool(body.bool_value());
  } else if (type == "NULL") {
    if (!body.is_bool()) return WrongKind(*path, body, "Boolean");
    if (!body.bool_value()) {
      return Error(*path,
                   "One or more parameter values were invalid: Null attribute "
                   "value types must have the value of true");
    }
    *out = Value::Null();
  } else if (type == "L") {
    if (!body.is_array()) return WrongKind(*path, body, "List");
    ValueList list(body.array().size());
    for (size_t i = 0; i < list.size(); ++i) {
      PathPart part(path, i);
      s = FromDynamo(body.array()[i], path, &list[i]);
      if (!s.ok()) return s;
    }
    *out = Value::List(std::move(list));
  } else if (type == "M") {
    ValueMap map;
    s = FromDynamoMap(body, path, &map);
    if (s.ok()) *out = Value::Map(std::move(map));
  } else if (type == "SS" || type == "BS") {
    std::vector<std::string> set;
    s = DynamoSet(body, path, &set, type == "SS" ? DynamoString : DynamoBinary);
    if (s.ok()) {
      *out = type == "SS" ? Value::StringSet(std::move(set))
                          : Value::BinarySet(std::move(set));
    }
  } else if (type == "NS") {
    std::vector<Number> set;
    s = DynamoSet(body, path, &set, DynamoNumber);
    if (s.ok()) *out = Value::NumberSet(std::move(set));
  } else {
    return Error(
        *path,
        absl::StrCat("Supplied AttributeValue has an unknown datatype \"",
                     View(type),
                     "\", must contain exactly one of the supported "
                     "datatypes"));
  }
  return s;
}

absl::Status FromDynamo(const JsonValue& j, std::string* path, Value* out) {
  if (!j.is_object()) return WrongKind(*path, j, "AttributeValue");
  if (j.object().empty()) {
    return Error(*path,
                 "Supplied AttributeValue is empty, must contain exactly one "
                 "of the supported datatypes");
  }
  if (j.object().size() > 1) {
    return Error(*path,
                 "Supplied AttributeValue has more than one datatypes set, "
                 "must contain exactly one of the supported datatypes");
  }
  const auto& [type, body] = j.object()[0];
  return FromDynamoTyped(type, body, path, out);
}

JsonValue Typed(std::string_view type, JsonValue body) {
  JsonValue::Object o;
  o.emplace_back(std::string(type), std::move(body));
  return JsonValue::MakeObject(std::move(o));
}

}  // namespace

// ---- plain JSON ----

absl::StatusOr<Value> ValueFromPlainJson(const JsonValue& json) {
  std::string path;
  Value v;
  absl::Status s = FromPlain(json, &path, &v);
  if (!s.ok()) return s;
  return v;
}

JsonValue ValueToPlainJson(const Value& value) {
  switch (value.type()) {
    case ValueType::kNull:
      return JsonValue::Null();
    case ValueType::kBool:
      return JsonValue::Bool(value.AsBool());
    case ValueType::kString:
      return JsonValue::String(value.AsString());
    case ValueType::kNumber:
      return NumberJson(value.AsNumber());
    case ValueType::kBinary:
      return JsonValue::String(Base64Encode(value.AsBinary()));
    case ValueType::kList: {
      JsonValue::Array a;
      a.reserve(value.AsList().size());
      for (const Value& e : value.AsList()) a.push_back(ValueToPlainJson(e));
      return JsonValue::MakeArray(std::move(a));
    }
    case ValueType::kMap: {
      JsonValue::Object o;
      o.reserve(value.AsMap().size());
      for (const auto& [name, e] : value.AsMap()) {
        o.emplace_back(name, ValueToPlainJson(e));
      }
      return JsonValue::MakeObject(std::move(o));
    }
    case ValueType::kStringSet:
      return StringsJson(value.AsStringSet(), false);
    case ValueType::kBinarySet:
      return StringsJson(value.AsBinarySet(), true);
    case ValueType::kNumberSet: {
      JsonValue::Array a;
      for (const Number& n : value.AsNumberSet()) a.push_back(NumberJson(n));
      return JsonValue::MakeArray(std::move(a));
    }
  }
  return JsonValue::Null();
}

absl::StatusOr<Value> ValueFromJson(std::string_view text) {
  absl::StatusOr<JsonValue> json = ParseJson(text);
  if (!json.ok()) return json.status();
  return ValueFromPlainJson(*json);
}

std::string ValueToJson(const Value& value, bool pretty) {
  return PrintJson(ValueToPlainJson(value), pretty);
}

void AppendValueJson(const Value& value, std::string* out) {
  AppendJson(ValueToPlainJson(value), false, out);
}

absl::StatusOr<Item> ItemFromPlainJson(const JsonValue& json) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError("item must be a JSON object");
  }
  absl::StatusOr<Value> v = ValueFromPlainJson(json);
  if (!v.ok()) return v.status();
  return Item(std::move(*v->MutableMap()));
}

absl::StatusOr<Item> ItemFromJson(std::string_view text) {
  absl::StatusOr<JsonValue> json = ParseJson(text);
  if (!json.ok()) return json.status();
  return ItemFromPlainJson(*json);
}

std::string ItemToJson(const Item& item, bool pretty) {
  JsonValue::Object o;
  o.reserve(item.size());
  for (const auto& [name, value] : item) {
    o.emplace_back(name, ValueToPlainJson(value));
  }
  return PrintJson(JsonValue::MakeObject(std::move(o)), pretty);
}

// ---- DynamoDB JSON ----

absl::StatusOr<Value> ValueFromDynamoJson(const JsonValue& json) {
  std::string path;
  Value v;
  absl::Status s = FromDynamo(json, &path, &v);
  if (!s.ok()) return s;
  return v;
}

absl::StatusOr<Value> ValueFromDynamoJson(std::string_view text) {
  absl::StatusOr<JsonValue> json = ParseJson(text);
  if (!json.ok()) return json.status();
  return ValueFromDynamoJson(*json);
}

JsonValue ValueToDynamoJsonValue(const Value& value) {
  switch (value.type()) {
    case ValueType::kNull:
      return Typed("NULL", JsonValue::Bool(true));
    case ValueType::kBool:
      return Typed("BOOL", JsonValue::Bool(value.AsBool()));
    case ValueType::kString:
      return Typed("S", JsonValue::String(value.AsString()));
    case ValueType::kNumber:
      return Typed("N", JsonValue::String(value.AsNumber().ToString()));
    case ValueType::kBinary:
      return Typed("B", JsonValue::String(Base64Encode(value.AsBinary())));
    case ValueType::kList: {
      JsonValue::Array a;
      a.reserve(value.AsList().size());
      for (const Value& e : value.AsList()) {
        a.push_back(ValueToDynamoJsonValue(e));
      }
      return Typed("L", JsonValue::MakeArray(std::move(a)));
    }
    case ValueType::kMap: {
      JsonValue::Object o;
      o.reserve(value.AsMap().size());
      for (const auto& [name, e] : value.AsMap()) {
        o.emplace_back(name, ValueToDynamoJsonValue(e));
      }
      return Typed("M", JsonValue::MakeObject(std::move(o)));
    }
    case ValueType::kStringSet:
      return Typed("SS", StringsJson(value.AsStringSet(), false));
    case ValueType::kBinarySet:
      return Typed("BS", StringsJson(value.AsBinarySet(), true));
    case ValueType::kNumberSet: {
      JsonValue::Array a;
      for (const Number& n : value.AsNumberSet()) {
        a.push_back(JsonValue::String(n.ToString()));
      }
      return Typed("NS", JsonValue::MakeArray(std::move(a)));
    }
  }
  return JsonValue::Null();
}

std::string ValueToDynamoJson(const Value& value, bool pretty) {
  return PrintJson(ValueToDynamoJsonValue(value), pretty);
}

absl::StatusOr<Item> ItemFromDynamoJson(const JsonValue& json) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError("item must be a JSON object");
  }
  std::string path;
  ValueMap map;
  absl::Status s = FromDynamoMap(json, &path, &map);
  if (!s.ok()) return s;
  return Item(std::move(map));
}

absl::StatusOr<Item> ItemFromDynamoJson(std::string_view text) {
  absl::StatusOr<JsonValue> json = ParseJson(text);
  if (!json.ok()) return json.status();
  return ItemFromDynamoJson(*json);
}

std::string ItemToDynamoJson(const Item& item, bool pretty) {
  JsonValue::Object o;
  o.reserve(item.size());
  for (const auto& [name, value] : item) {
    o.emplace_back(name, ValueToDynamoJsonValue(value));
  }
  return PrintJson(JsonValue::MakeObject(std::move(o)), pretty);
}

}  // namespace kstone::core
