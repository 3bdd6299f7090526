#include "core/types/item.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kstone::core {
namespace {

TEST(ItemTest, SetGetRemove) {
  Item item;
  EXPECT_TRUE(item.empty());
  EXPECT_EQ(item.Get("a"), nullptr);
  item.Set("b", Value::String("2"));
  item.Set("a", Value::String("1"));
  item.Set("c", Value::String("3"));
  EXPECT_EQ(item.size(), 3u);
  ASSERT_NE(item.Get("a"), nullptr);
  EXPECT_EQ(item.Get("a")->AsString(), "1");
  item.Set("a", Value::Bool(true));
  EXPECT_EQ(item.size(), 3u);
  EXPECT_TRUE(item.Get("a")->AsBool());
  EXPECT_TRUE(item.Remove("b"));
  EXPECT_FALSE(item.Remove("b"));
  EXPECT_FALSE(item.Has("b"));
  EXPECT_EQ(item.size(), 2u);
}

TEST(ItemTest, IteratesInNameOrder) {
  Item item;
  for (const char* name : {"zeta", "alpha", "Beta", "", "mid", "\xc2\xbf"}) {
    item.Set(name, Value::Null());
  }
  std::vector<std::string> names;
  for (const auto& [name, value] : item) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"", "Beta", "alpha", "mid", "zeta",
                                             "\xc2\xbf"}));
}

TEST(ItemTest, ConstructorSortsAndKeepsLastDuplicate) {
  Item item(ValueMap{{"b", Value::String("1")},
                     {"a", Value::String("2")},
                     {"b", Value::String("3")}});
  ASSERT_EQ(item.size(), 2u);
  EXPECT_EQ(item.Get("b")->AsString(), "3");
  EXPECT_EQ(item.begin()->first, "a");
}

TEST(ItemTest, Equality) {
  Item a, b;
  a.Set("x", Value::String("1"));
  a.Set("y", Value::StringSet({"p", "q"}));
  b.Set("y", Value::StringSet({"q", "p"}));
  b.Set("x", Value::String("1"));
  EXPECT_EQ(a, b);
  b.Set("z", Value::Null());
  EXPECT_NE(a, b);
}

TEST(ItemTest, MovesToAndFromMapValue) {
  Item item;
  item.Set("k", Value::String("v"));
  Value m = Value::Map(item.ReleaseAttributes());
  EXPECT_TRUE(item.empty());
  Item back(m.AsMap());
  EXPECT_EQ(back.Get("k")->AsString(), "v");
}

TEST(ItemTest, DynamoSizeExample) {
  // DynamoDB's example: {"shirt-color":"R","shirt-size":"M"} is 23 bytes.
  Item item;
  item.Set("shirt-color", Value::String("R"));
  item.Set("shirt-size", Value::String("M"));
  EXPECT_EQ(item.DynamoSize(), 23u);
}

TEST(ItemTest, FromSortedAttributes) {
  Item item = Item::FromSortedAttributes(
      ValueMap{{"a", Value::Null()}, {"b", Value::Bool(true)}});
  EXPECT_EQ(item.size(), 2u);
  EXPECT_TRUE(item.Get("b")->AsBool());
}

TEST(ItemTest, GetMutableAndAppendSorted) {
  Item item;
  item.AppendSorted("a", Value::String("1"));
  item.AppendSorted("b", Value::String("2"));
  *item.GetMutable("a") = Value::String("x");
  EXPECT_EQ(item.Get("a")->AsString(), "x");
  EXPECT_EQ(item.DebugString(), "{\"a\":{\"S\":\"x\"},\"b\":{\"S\":\"2\"}}");
}

}  // namespace
}  // namespace kstone::core
