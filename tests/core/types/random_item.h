#ifndef KSTONE_TESTS_CORE_TYPES_RANDOM_ITEM_H_
#define KSTONE_TESTS_CORE_TYPES_RANDOM_ITEM_H_

// Random core Items of every type for codec and decoder tests: nested lists
// and maps, sets, numbers with any digit count, exponent and sign, binary
// with zero bytes, empty strings and names. Deterministic for a given rng
// (print the seed with SCOPED_TRACE).

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/types/item.h"
#include "core/types/number.h"
#include "core/types/value.h"

namespace kstone::core::testing {

class RandomItems {
 public:
  explicit RandomItems(uint32_t seed) : rng_(seed) {}

  // A number of 1..38 digits (sometimes zero), any sign and exponent in
  // range.
  Number RandomNumber() {
    if (Uniform(20) == 0) return Number();
    std::string text;
    if (Uniform(2) == 0) text.push_back('-');
    const int digits = 1 + Uniform(Uniform(4) == 0 ? Number::kMaxDigits : 6);
    text += "0.";
    text.push_back(static_cast<char>('1' + Uniform(9)));
    for (int i = 1; i < digits; ++i) {
      text.push_back(static_cast<char>('0' + Uniform(10)));
    }
    // value = 0.dd...d * 10^e, within Number's range for every e here.
    const int e = Uniform(3) == 0
                      ? Number::kMinExponent + Uniform(Number::kMaxExponent -
                                                       Number::kMinExponent + 1)
                      : Uniform(21) - 10;
    text += "e" + std::to_string(e);
    absl::StatusOr<Number> n = Number::Parse(text);
    return n.ok() ? *n : Number::FromInt64(Uniform(1000));
  }

  // Bytes of length 0..max_len (zero bytes included unless `text`).
  std::string RandomBytes(int max_len, bool text) {
    std::string s(Uniform(max_len + 1), '\0');
    for (char& c : s) {
      c = text ? static_cast<char>('a' + Uniform(26))
               : static_cast<char>(Uniform(4) == 0 ? 0 : Uniform(256));
    }
    return s;
  }

  // A short name from a small alphabet, so names collide and interleave
  // with key names like "pk" and "sk".
  std::string RandomName() {
    static const char* const kNames[] = {"",  "a",  "b",   "p",  "pj", "pl",
                                         "q", "s",  "sj",  "sl", "t",  "zz",
                                         "m", "n0", "~~~", "é"};
    std::string name = kNames[Uniform(16)];
    if (Uniform(3) == 0) name += RandomBytes(4, /*text=*/true);
    return name;
  }

  Value RandomValue(int depth) {
    const int max_type = depth >= 4 ? 8 : 10;
    switch (Uniform(max_type)) {
      case 0:
        return Value::Null();
      case 1:
        return Value::Bool(Uniform(2) == 1);
      case 2:
        return Value::String(RandomBytes(Uniform(5) == 0 ? 300 : 12, true));
      case 3:
        return Value::Num(RandomNumber());
      case 4:
        return Value::Binary(RandomBytes(20, false));
      case 5: {
        std::vector<std::string> set(1 + Uniform(5));
        for (std::string& e : set) e = RandomBytes(8, true);
        return Value::StringSet(Distinct(std::move(set)));
      }
      case 6: {
        std::vector<Number> set(1 + Uniform(5));
        for (Number& e : set) e = RandomNumber();
        return Value::NumberSet(Distinct(std::move(set)));
      }
      case 7: {
        std::vector<std::string> set(1 + Uniform(5));
        for (std::string& e : set) e = RandomBytes(8, false);
        return Value::BinarySet(Distinct(std::move(set)));
      }
      case 8: {
        ValueList list(Uniform(5));
        for (Value& e : list) e = RandomValue(depth + 1);
        return Value::List(std::move(list));
      }
      default: {
        ValueMap map(Uniform(5));
        for (auto& [name, value] : map) {
          name = RandomName();
          value = RandomValue(depth + 1);
        }
        return Value::Map(std::move(map));
      }
    }
  }

  // An item of 0..max_attributes attributes.
  Item RandomItem(int max_attributes = 8) {
    Item item;
    const int n = Uniform(max_attributes + 1);
    for (int i = 0; i < n; ++i) item.Set(RandomName(), RandomValue(0));
    return item;
  }

  int Uniform(int n) {
    return static_cast<int>(rng_() % static_cast<uint32_t>(n));
  }

 private:
  // A set's elements without repeats (a stored set has none: ValidateItem
  // rejects them and the decoder does not take them), sorted.
  template <typename T>
  static std::vector<T> Distinct(std::vector<T> elements) {
    std::sort(elements.begin(), elements.end());
    elements.erase(std::unique(elements.begin(), elements.end()),
                   elements.end());
    return elements;
  }

  std::mt19937 rng_;
};

}  // namespace kstone::core::testing

#endif  // KSTONE_TESTS_CORE_TYPES_RANDOM_ITEM_H_
