#ifndef KSTONE_CORE_TYPES_JSON_H_
#define KSTONE_CORE_TYPES_JSON_H_

// A small, strict JSON (RFC 8259) document model, parser and printer, with
// no external dependency.
//
// Numbers keep their exact text (never converted through double), so a
// DynamoDB number round-trips digit for digit. Objects keep their members in
// document order. The parser rejects everything RFC 8259 does: comments,
// trailing commas, single quotes, leading zeros, NaN/Infinity, unescaped
// control characters, invalid UTF-8 and lone surrogate escapes; it also
// rejects an object that repeats a member name (RFC 8259 leaves that open;
// silently keeping one of them would drop data). Errors are InvalidArgument
// "json: <what> at line L, column C". Nesting is limited (max_depth, a
// structural cap well above DynamoDB's 32 levels, which ValidateItem
// checks), so hostile input cannot exhaust the stack.
//
// Thread-safety: value type and stateless functions; safe for concurrent
// use.
//
// Example:
//   absl::StatusOr<JsonValue> doc = ParseJson(R"({"a": [1, 2.50]})");
//   PrintJson(*doc)  // {"a":[1,2.50]}

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace kstone::core {

inline constexpr int kDefaultJsonMaxDepth = 128;

class JsonValue {
 public:
  enum class Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject };
  using Array = std::vector<JsonValue>;
  using Member = std::pair<std::string, JsonValue>;
  using Object = std::vector<Member>;

  JsonValue() = default;  // null
  static JsonValue Null() { return JsonValue(); }
  static JsonValue Bool(bool b);
  // REQUIRES: text is a valid JSON number (not checked here).
  static JsonValue Number(std::string text);
  static JsonValue String(std::string s);
  static JsonValue MakeArray(Array elements);
  static JsonValue MakeObject(Object members);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // REQUIRES: the matching kind.
  bool bool_value() const { return bool_; }
  const std::string& number_text() const { return text_; }
  const std::string& string_value() const { return text_; }
  const Array& array() const { return array_; }
  Array* mutable_array() { return &array_; }
  const Object& object() const { return object_; }
  Object* mutable_object() { return &object_; }

  // The member named key of an object (the last one if a built object
  // repeats it), or nullptr.
  const JsonValue* Find(std::string_view key) const;

  friend bool operator==(const JsonValue& a, const JsonValue& b);
  friend bool operator!=(const JsonValue& a, const JsonValue& b) {
    return !(a == b);
  }

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::string text_;  // number text or string value
  Array array_;
  Object object_;
};

// Parses one JSON text (surrounding whitespace allowed).
absl::StatusOr<JsonValue> ParseJson(std::string_view text,
                                    int max_depth = kDefaultJsonMaxDepth);

// Compact output, or with pretty = true two-space indentation and one member
// per line. Non-ASCII UTF-8 is written as is; '"', '\\' and control
// characters are escaped.
std::string PrintJson(const JsonValue& value, bool pretty = false);
void AppendJson(const JsonValue& value, bool pretty, std::string* out);

// Appends s as a quoted, escaped JSON string.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_JSON_H_
