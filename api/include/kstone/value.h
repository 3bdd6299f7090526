#ifndef KSTONE_VALUE_H_
#define KSTONE_VALUE_H_

// Value: one typed DynamoDB attribute value.
//
// A Value is one of the ten DynamoDB types: S (UTF-8 string), N (exact
// decimal number, kept as decimal text), B (bytes), BOOL, NULL, L (list of
// values), M (map of name -> value), SS, NS and BS (sets of strings, numbers
// and bytes). Values are plain data: copyable, movable and comparable.
//
// Numbers are exact: up to 38 significant digits, magnitude 1e-130 to <1e126,
// never converted through double. Value::Number() normalises a valid number
// as DynamoDB does ("1.50" -> "1.5", "1e3" -> "1000", "-0" -> "0"); text that
// is not a valid number is kept as given and rejected with VALIDATION by any
// write that contains it. The same holds for the other DynamoDB rules (valid
// UTF-8, non-empty duplicate-free sets, nesting depth 32): constructing a
// Value never fails, writing an invalid one does.
//
// Example:
//
//   kstone::Value v = kstone::Value::List(
//       {kstone::Value::String("a"), kstone::Value::Number(42)});
//   v.ToJson();        // ["a",42]
//   v.ToDynamoJson();  // {"L":[{"S":"a"},{"N":"42"}]}
//   absl::StatusOr<kstone::Value> parsed =
//       kstone::Value::FromJson(R"({"n": 1.5})");  // M {n: N "1.5"}
//
// Thread safety: const methods are safe for concurrent use; mutation needs
// external synchronisation.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace kstone {

class Value;

// The attributes of a map value (and of an item): (name, value) pairs kept
// sorted by name, names unique. Value::Map() and Item sort and deduplicate
// (the last of repeated names wins); use FindInMap() to look a name up. A
// sorted vector costs one allocation per map instead of one per attribute.
using ValueMap = std::vector<std::pair<std::string, Value>>;

enum class ValueType : uint8_t {
  kString,
  kNumber,
  kBinary,
  kBool,
  kNull,
  kList,
  kMap,
  kStringSet,
  kNumberSet,
  kBinarySet,
};

// The DynamoDB type descriptor: "S", "N", "B", "BOOL", "NULL", "L", "M",
// "SS", "NS" or "BS".
std::string_view ValueTypeName(ValueType type);

// How ToJson() lays out its text.
enum class JsonStyle {
  kCompact,  // no whitespace: {"a":1,"b":[true,null]}
  kPretty,   // two-space indentation, one member per line
};

class Value {
 public:
  // A NULL value.
  Value();

  static Value String(std::string_view s);
  // A number from its decimal text ("42", "-1.5e-3"); normalised if valid.
  static Value Number(std::string_view decimal);
  static Value Number(const char* decimal) {
    return Number(std::string_view(decimal));
  }
  // A number from a C++ integer (exact).
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>,
                             int> = 0>
  static Value Number(T n) {
    if constexpr (std::is_signed_v<T>) {
      return FromInt64(static_cast<int64_t>(n));
    } else {
      return FromUint64(static_cast<uint64_t>(n));
    }
  }
  // A number from a double: the shortest decimal text that reads back as the
  // same double (1.5 -> "1.5", 0.1 -> "0.1"). NaN and infinities give an
  // invalid number (rejected by writes).
  static Value Number(double d);
  static Value Binary(std::string_view bytes);
  static Value Binary(std::span<const uint8_t> bytes);
  static Value Bool(bool b);
  static Value Null();
  static Value List(std::vector<Value> elements);
  // Sorts by name; for repeated names the last one wins.
  static Value Map(ValueMap attributes);
  static Value StringSet(std::vector<std::string> elements);
  // Each element is decimal text; valid ones are normalised.
  static Value NumberSet(std::vector<std::string> elements);
  static Value BinarySet(std::vector<std::string> elements);

  ValueType type() const { return type_; }
  bool is_null() const { return type_ == ValueType::kNull; }

  // Accessors. REQUIRES: type() is the accessor's type (asserted).
  std::string_view AsString() const;
  std::string_view AsNumber() const;  // decimal text
  std::string_view AsBinary() const;  // raw bytes
  bool AsBool() const;
  const std::vector<Value>& AsList() const;
  const ValueMap& AsMap() const;
  // The elements of an SS, NS or BS, in the order given or stored.
  const std::vector<std::string>& AsSet() const;

  // Mutable access. REQUIRES: type() is kList / kMap / a set type. Keep a
  // map sorted (SetInMap, NormalizeMap).
  std::vector<Value>& MutableList();
  ValueMap& MutableMap();
  std::vector<std::string>& MutableSet();

  // The number as an integer or double. VALIDATION if this is not a number,
  // not an integer (AsInt64) or out of range.
  absl::StatusOr<int64_t> ToInt64() const;
  absl::StatusOr<double> ToDouble() const;

  // Plain JSON: S -> string, N -> JSON number with the exact decimal text,
  // BOOL, NULL -> null, L -> array, M -> object (names sorted), B -> base64
  // string, SS/NS/BS -> arrays.
  std::string ToJson(JsonStyle style = JsonStyle::kCompact) const;
  // Parses plain JSON: string -> S, number -> N (exact text, normalised),
  // true/false -> BOOL, null -> NULL, array -> L, object -> M. VALIDATION
  // with the position of the error for malformed JSON, a number DynamoDB
  // cannot hold, invalid UTF-8, a repeated member name, or nesting deeper
  // than 128 (an item nested deeper than DynamoDB's 32 levels parses, and a
  // write of it fails with VALIDATION naming the attribute).
  static absl::StatusOr<Value> FromJson(std::string_view json);

  // DynamoDB JSON: {"S":"x"}, {"N":"1"}, {"B":"<base64>"}, {"BOOL":true},
  // {"NULL":true}, {"L":[...]}, {"M":{...}}, {"SS":[...]}, {"NS":[...]},
  // {"BS":[...]}. Exact and type-preserving.
  std::string ToDynamoJson() const;
  // VALIDATION naming the problem for malformed input: unknown type
  // descriptor, more than one descriptor, wrong JSON type under a descriptor,
  // bad base64, an invalid number.
  static absl::StatusOr<Value> FromDynamoJson(std::string_view json);

  // Equal type and content. Numbers compare by their normalised text (so
  // numerically when valid); sets compare as sets (order ignored).
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

 private:
  friend class ValueInternal;  // api/value_internal.h: no-check construction

  static Value FromInt64(int64_t n);
  static Value FromUint64(uint64_t n);

  using Rep =
      std::variant<std::monostate, bool, std::string, std::vector<Value>,
                   std::vector<std::string>, ValueMap>;
  Value(ValueType type, Rep rep) : type_(type), rep_(std::move(rep)) {}

  ValueType type_;
  Rep rep_;
};

// Binary search of a sorted ValueMap; nullptr if `name` is absent.
const Value* FindInMap(const ValueMap& map, std::string_view name);
Value* FindInMap(ValueMap* map, std::string_view name);
// Inserts or replaces `name`, keeping the map sorted.
void SetInMap(ValueMap* map, std::string_view name, Value value);
// Removes `name`; returns whether it was there.
bool RemoveFromMap(ValueMap* map, std::string_view name);
// Sorts by name, keeping the last of repeated names.
void NormalizeMap(ValueMap* map);

}  // namespace kstone

#endif  // KSTONE_VALUE_H_
