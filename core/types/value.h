#ifndef KSTONE_CORE_TYPES_VALUE_H_
#define KSTONE_CORE_TYPES_VALUE_H_

// Value: one DynamoDB attribute value of any type (S, N, B, BOOL, NULL, L, M,
// SS, NS, BS).
//
// Values are cheap to move (a 40-byte tagged union; strings, lists, maps and
// sets own heap storage). Maps (M) are vectors of (name, value) kept sorted
// by name with unique names; sets are kept sorted (SS/BS bytewise unsigned,
// NS numerically), so equality of sets ignores the order they were given in.
// Set factories do not reject duplicates or empty sets: ValidateItem()
// (validation.h) does, with DynamoDB's messages naming the attribute.
//
// Thread-safety: a value type; const methods are safe for concurrent use.
//
// Example:
//   Value v = Value::Map({{"city", Value::String("Oslo")},
//                         {"zip", Value::Num(Number::FromInt64(150))}});
//   const Value* city = FindInMap(v.AsMap(), "city");

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "core/types/number.h"

namespace kstone::core {

enum class ValueType : uint8_t {
  kNull = 0,
  kBool = 1,
  kString = 2,  // S
  kNumber = 3,  // N
  kBinary = 4,  // B
  kList = 5,    // L
  kMap = 6,     // M
  kStringSet = 7,
  kNumberSet = 8,
  kBinarySet = 9,
};

// DynamoDB's type name: "S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS",
// "BS".
std::string_view ValueTypeName(ValueType type);

// Lists and maps nest at most this deep (DynamoDB's limit): a top-level
// attribute whose value is an L or M is at depth 1, and each L or M inside
// it adds one. Enforced by ValidateItem() and by the item codec's decoder.
inline constexpr int kMaxNestingDepth = 32;

class Value;
using ValueList = std::vector<Value>;
// Sorted by name, names unique (see Value::Map and the Map helpers below).
using ValueMap = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  // NULL.
  Value() = default;

  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value String(std::string s);
  static Value Binary(std::string bytes);
  static Value Num(Number n);
  // Parses the number text (Number::Parse errors).
  static absl::StatusOr<Value> ParseNumber(std::string_view text);
  static Value List(ValueList elements);
  // Sorts by name; for repeated names the last one wins.
  static Value Map(ValueMap attributes);
  // Sets: sorted here; duplicates and emptiness are kept for validation.
  static Value StringSet(std::vector<std::string> elements);
  static Value NumberSet(std::vector<Number> elements);
  static Value BinarySet(std::vector<std::string> elements);

  ValueType type() const { return static_cast<ValueType>(rep_.index()); }
  bool is_null() const { return type() == ValueType::kNull; }
  bool is_bool() const { return type() == ValueType::kBool; }
  bool is_string() const { return type() == ValueType::kString; }
  bool is_number() const { return type() == ValueType::kNumber; }
  bool is_binary() const { return type() == ValueType::kBinary; }
  bool is_list() const { return type() == ValueType::kList; }
  bool is_map() const { return type() == ValueType::kMap; }
  bool is_set() const { return type() >= ValueType::kStringSet; }

  // Accessors. REQUIRES: the value has that type.
  bool AsBool() const;
  const std::string& AsString() const;  // S
  const std::string& AsBinary() const;  // B
  const Number& AsNumber() const;
  const ValueList& AsList() const;
  const ValueMap& AsMap() const;
  const std::vector<std::string>& AsStringSet() const;
  const std::vector<Number>& AsNumberSet() const;
  const std::vector<std::string>& AsBinarySet() const;
  // Mutable access for in-place updates. A caller that changes a map's names
  // or a set's elements must keep them sorted (use the helpers below or
  // SortSet()).
  std::string* MutableString();  // S
  std::string* MutableBinary();  // B
  ValueList* MutableList();
  ValueMap* MutableMap();
  std::vector<std::string>* MutableStringSet();
  std::vector<Number>* MutableNumberSet();
  std::vector<std::string>* MutableBinarySet();
  // Re-sorts a set after MutableXxxSet() changes. No-op for other types.
  void SortSet();

  // Number of elements of a set, list or map; 0 for scalars.
  size_t ElementCount() const;

  // DynamoDB's size of this value in bytes (ServiceQuotas /
  // CapacityUnitCalculations): S and B their byte length; N 1 byte per two
  // significant digits plus 1; BOOL and NULL 1; L and M 3 plus 1 per element
  // plus the elements (map entries count their name bytes); sets the sum of
  // their elements.
  size_t DynamoSize() const;

  // Deep equality; NS by numeric value (Numbers are normalised), sets and
  // maps irrespective of the order they were built in.
  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

  // DynamoDB-JSON-like text for logs and test failures, e.g. {"S":"x"}.
  std::string DebugString() const;

 private:
  struct BinaryRep {
    std::string bytes;
  };
  struct BinarySetRep {
    std::vector<std::string> elements;
  };
  // The alternative index is the ValueType.
  using Rep = std::variant<std::monostate, bool, std::string, Number, BinaryRep,
                           ValueList, ValueMap, std::vector<std::string>,
                           std::vector<Number>, BinarySetRep>;

  Rep rep_;
};

// Sorted-vector map helpers, shared by M values and Item.
// Binary search by name; nullptr if absent.
const Value* FindInMap(const ValueMap& map, std::string_view name);
Value* FindInMap(ValueMap* map, std::string_view name);
// Inserts or replaces; keeps the order.
void SetInMap(ValueMap* map, std::string name, Value value);
// Returns true if the name was present.
bool RemoveFromMap(ValueMap* map, std::string_view name);
// Sorts by name, keeping the last of repeated names.
void NormalizeMap(ValueMap* map);

// For GoogleTest failure messages.
void PrintTo(const Value& value, std::ostream* os);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_VALUE_H_
