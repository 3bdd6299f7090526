#ifndef KSTONE_TESTS_CORE_EXPR_EXPR_TEST_UTIL_H_
#define KSTONE_TESTS_CORE_EXPR_EXPR_TEST_UTIL_H_

// Small value builders for the expression tests.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/types/item.h"
#include "core/types/number.h"
#include "core/types/value.h"
#include "gtest/gtest.h"

namespace kstone::core::expr::testing {

inline Value S(std::string s) { return Value::String(std::move(s)); }
inline Value B(std::string bytes) { return Value::Binary(std::move(bytes)); }
inline Value N(std::string_view text) {
  absl::StatusOr<Value> v = Value::ParseNumber(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *std::move(v) : Value();
}
inline Value L(std::vector<Value> elements) {
  return Value::List(std::move(elements));
}
inline Value M(ValueMap attributes) {
  return Value::Map(std::move(attributes));
}
inline Value SS(std::vector<std::string> e) {
  return Value::StringSet(std::move(e));
}
inline Value NS(std::vector<std::string_view> texts) {
  std::vector<Number> numbers;
  for (std::string_view t : texts) {
    absl::StatusOr<Number> n = Number::Parse(t);
    EXPECT_TRUE(n.ok()) << t;
    if (n.ok()) numbers.push_back(*n);
  }
  return Value::NumberSet(std::move(numbers));
}
inline Value BS(std::vector<std::string> e) {
  return Value::BinarySet(std::move(e));
}
inline Item MakeItem(ValueMap attributes) {
  return Item(std::move(attributes));
}

}  // namespace kstone::core::expr::testing

#endif  // KSTONE_TESTS_CORE_EXPR_EXPR_TEST_UTIL_H_
