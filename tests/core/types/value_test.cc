#include "core/types/value.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

Value Num(std::string_view text) {
  absl::StatusOr<Value> v = Value::ParseNumber(text);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *v : Value();
}

TEST(ValueTest, DefaultIsNull) {
  Value v;
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(v.type(), ValueType::kNull);
  EXPECT_EQ(v, Value::Null());
}

TEST(ValueTest, FactoriesAndAccessors) {
  EXPECT_EQ(Value::String("x").AsString(), "x");
  EXPECT_EQ(Value::String("x").type(), ValueType::kString);
  EXPECT_EQ(Value::Binary(std::string("\0\1", 2)).AsBinary(),
            std::string("\0\1", 2));
  EXPECT_EQ(Value::Binary("b").type(), ValueType::kBinary);
  EXPECT_TRUE(Value::Bool(true).AsBool());
  EXPECT_FALSE(Value::Bool(false).AsBool());
  EXPECT_EQ(Num("1e3").AsNumber().ToString(), "1000");
  EXPECT_FALSE(Value::ParseNumber("NaN").ok());
  Value list = Value::List({Value::String("a"), Num("1")});
  ASSERT_TRUE(list.is_list());
  EXPECT_EQ(list.AsList().size(), 2u);
  EXPECT_EQ(list.ElementCount(), 2u);
  Value map = Value::Map({{"b", Num("2")}, {"a", Value::String("x")}});
  ASSERT_TRUE(map.is_map());
  EXPECT_EQ(map.AsMap()[0].first, "a");  // sorted
  ASSERT_NE(FindInMap(map.AsMap(), "b"), nullptr);
  EXPECT_EQ(FindInMap(map.AsMap(), "b")->AsNumber().ToString(), "2");
  EXPECT_EQ(FindInMap(map.AsMap(), "c"), nullptr);
}

TEST(ValueTest, TypeNames) {
  EXPECT_EQ(ValueTypeName(ValueType::kString), "S");
  EXPECT_EQ(ValueTypeName(ValueType::kNumber), "N");
  EXPECT_EQ(ValueTypeName(ValueType::kBinary), "B");
  EXPECT_EQ(ValueTypeName(ValueType::kBool), "BOOL");
  EXPECT_EQ(ValueTypeName(ValueType::kNull), "NULL");
  EXPECT_EQ(ValueTypeName(ValueType::kList), "L");
  EXPECT_EQ(ValueTypeName(ValueType::kMap), "M");
  EXPECT_EQ(ValueTypeName(ValueType::kStringSet), "SS");
  EXPECT_EQ(ValueTypeName(ValueType::kNumberSet), "NS");
  EXPECT_EQ(ValueTypeName(ValueType::kBinarySet), "BS");
}

TEST(ValueTest, MapLastDuplicateWins) {
  Value map = Value::Map({{"a", Num("1")}, {"b", Num("2")}, {"a", Num("3")}});
  ASSERT_EQ(map.AsMap().size(), 2u);
  EXPECT_EQ(FindInMap(map.AsMap(), "a")->AsNumber().ToString(), "3");
}

TEST(ValueTest, SetsAreSortedAndCompareOrderInsensitively) {
  Value a = Value::StringSet({"b", "a", "c"});
  Value b = Value::StringSet({"c", "b", "a"});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.AsStringSet(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_NE(a, Value::StringSet({"a", "b"}));
  EXPECT_NE(a, Value::BinarySet({"a", "b", "c"}));  // type differs
  // Binary sets sort as unsigned bytes.
  Value bs = Value::BinarySet({"\x80", "\x7f"});
  EXPECT_EQ(bs.AsBinarySet()[0], "\x7f");
}

TEST(ValueTest, NumberSetsCompareByValue) {
  Value a = Value::NumberSet(
      {Num("1.0").AsNumber(), Num("20").AsNumber(), Num("3").AsNumber()});
  Value b = Value::NumberSet(
      {Num("2e1").AsNumber(), Num("3").AsNumber(), Num("1").AsNumber()});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.AsNumberSet()[0].ToString(), "1");
  EXPECT_EQ(a.AsNumberSet()[2].ToString(), "20");  // numeric, not text order
}

TEST(ValueTest, NestedSetsCompareOrderInsensitively) {
  Value a =
      Value::Map({{"s", Value::StringSet({"x", "y"})},
                  {"l", Value::List({Value::NumberSet(
                            {Num("2").AsNumber(), Num("1").AsNumber()})})}});
  Value b =
      Value::Map({{"l", Value::List({Value::NumberSet(
                            {Num("1.0").AsNumber(), Num("2").AsNumber()})})},
                  {"s", Value::StringSet({"y", "x"})}});
  EXPECT_EQ(a, b);
}

TEST(ValueTest, ListOrderMatters) {
  EXPECT_NE(Value::List({Num("1"), Num("2")}),
            Value::List({Num("2"), Num("1")}));
  EXPECT_EQ(Value::List({Num("1"), Num("2")}),
            Value::List({Num("1.0"), Num("2")}));
}

TEST(ValueTest, EqualityDistinguishesTypes) {
  EXPECT_NE(Value::String("1"), Num("1"));
  EXPECT_NE(Value::String("a"), Value::Binary("a"));
  EXPECT_NE(Value::Bool(false), Value::Null());
  EXPECT_NE(Value::List({}), Value::Map({}));
}

TEST(ValueTest, MapHelpers) {
  ValueMap m;
  SetInMap(&m, "b", Num("1"));
  SetInMap(&m, "a", Num("2"));
  SetInMap(&m, "c", Num("3"));
  SetInMap(&m, "b", Num("4"));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].first, "a");
  EXPECT_EQ(m[1].second, Num("4"));
  EXPECT_TRUE(RemoveFromMap(&m, "a"));
  EXPECT_FALSE(RemoveFromMap(&m, "a"));
  EXPECT_EQ(m.size(), 2u);
  Value* v = FindInMap(&m, "c");
  ASSERT_NE(v, nullptr);
  *v = Value::String("z");
  EXPECT_EQ(FindInMap(m, "c")->AsString(), "z");
}

TEST(ValueTest, MutableAccessAndSortSet) {
  Value s = Value::StringSet({"b"});
  s.MutableStringSet()->push_back("a");
  s.SortSet();
  EXPECT_EQ(s, Value::StringSet({"a", "b"}));
  Value str = Value::String("abc");
  std::string taken = std::move(*str.MutableString());
  EXPECT_EQ(taken, "abc");
  Value bin = Value::Binary("x");
  bin.MutableBinary()->push_back('y');
  EXPECT_EQ(bin.AsBinary(), "xy");
  Value l = Value::List({});
  l.MutableList()->push_back(Value::Bool(true));
  EXPECT_EQ(l.ElementCount(), 1u);
  Value m = Value::Map({});
  SetInMap(m.MutableMap(), "k", Value::Null());
  EXPECT_EQ(m.ElementCount(), 1u);
}

TEST(ValueTest, DynamoSize) {
  EXPECT_EQ(Value::String("R").DynamoSize(), 1u);
  EXPECT_EQ(Value::String("héllo").DynamoSize(), 6u);  // UTF-8 bytes
  EXPECT_EQ(Value::Binary("abc").DynamoSize(), 3u);
  EXPECT_EQ(Value::Bool(true).DynamoSize(), 1u);
  EXPECT_EQ(Value::Null().DynamoSize(), 1u);
  EXPECT_EQ(Num("0").DynamoSize(), 1u);
  EXPECT_EQ(Num("1").DynamoSize(), 2u);
  EXPECT_EQ(Num("12").DynamoSize(), 2u);
  EXPECT_EQ(Num("123").DynamoSize(), 3u);
  EXPECT_EQ(Num("1000").DynamoSize(), 2u);  // trailing zeros not significant
  EXPECT_EQ(Value::List({}).DynamoSize(), 3u);
  EXPECT_EQ(Value::Map({}).DynamoSize(), 3u);
  EXPECT_EQ(Value::List({Value::String("ab"), Value::Bool(true)}).DynamoSize(),
            3u + (1 + 2) + (1 + 1));
  EXPECT_EQ(Value::Map({{"k", Value::String("ab")}}).DynamoSize(),
            3u + 1 + 1 + 2);
  EXPECT_EQ(Value::StringSet({"ab", "c"}).DynamoSize(), 3u);
}

TEST(ValueTest, CopyAndMove) {
  Value a = Value::Map({{"l", Value::List({Value::String("x")})}});
  Value b = a;
  EXPECT_EQ(a, b);
  Value c = std::move(b);
  EXPECT_EQ(a, c);
  c.MutableMap()->clear();
  EXPECT_NE(a, c);
  EXPECT_LE(sizeof(Value), 40u);
}

TEST(ValueTest, DebugString) {
  EXPECT_EQ(Value::String("a\"b").DebugString(), "{\"S\":\"a\\\"b\"}");
  EXPECT_EQ(Num("1e2").DebugString(), "{\"N\":\"100\"}");
  EXPECT_EQ(Value::Map({{"k", Value::Null()}}).DebugString(),
            "{\"M\":{\"k\":{\"NULL\":true}}}");
  EXPECT_EQ(Value::StringSet({"b", "a"}).DebugString(),
            "{\"SS\":[\"a\",\"b\"]}");
}

}  // namespace
}  // namespace kstone::core
