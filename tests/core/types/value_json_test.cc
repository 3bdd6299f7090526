#include "core/types/value_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

Value N(std::string_view text) { return *Value::ParseNumber(text); }

TEST(ValueJsonTest, PlainJsonToValue) {
  KS_ASSERT_OK_AND_ASSIGN(
      Item item,
      ItemFromJson(
          R"({"name":"Alice","age":30,"score":1.50,"big":1e3,)"
          R"("ok":true,"nick":null,"tags":["a",1],"addr":{"city":"Oslo"}})"));
  EXPECT_EQ(*item.Get("name"), Value::String("Alice"));
  EXPECT_EQ(item.Get("age")->AsNumber().ToString(), "30");
  EXPECT_EQ(item.Get("score")->AsNumber().ToString(), "1.5");
  EXPECT_EQ(item.Get("big")->AsNumber().ToString(), "1000");
  EXPECT_EQ(*item.Get("ok"), Value::Bool(true));
  EXPECT_TRUE(item.Get("nick")->is_null());
  EXPECT_EQ(*item.Get("tags"), Value::List({Value::String("a"), N("1")}));
  EXPECT_EQ(*item.Get("addr"), Value::Map({{"city", Value::String("Oslo")}}));
}

TEST(ValueJsonTest, PlainJsonNumbersAreExactAndValidated) {
  KS_ASSERT_OK_AND_ASSIGN(
      Value v, ValueFromJson("12345678901234567890123456789012345678"));
  EXPECT_EQ(v.AsNumber().ToString(), "12345678901234567890123456789012345678");
  EXPECT_THAT(ValueFromJson("123456789012345678901234567890123456789"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("38 significant digits")));
  EXPECT_THAT(ItemFromJson(R"({"a":{"b":[1,1e126]}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("Number overflow"),
                             HasSubstr("attribute a.b[1]"))));
}

TEST(ValueJsonTest, ItemMustBeObject) {
  for (const char* text : {"[]", "1", "\"x\"", "null", "true"}) {
    EXPECT_THAT(ItemFromJson(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("item must be a JSON object")))
        << text;
    EXPECT_THAT(ItemFromDynamoJson(std::string_view(text)),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("item must be a JSON object")))
        << text;
  }
  EXPECT_THAT(ItemFromJson("{"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("json:")));
}

TEST(ValueJsonTest, PlainJsonOutput) {
  Item item;
  item.Set("s", Value::String("x\"y"));
  item.Set("n", N("1e3"));
  item.Set("f", N("-0.50"));
  item.Set("b", Value::Binary("foo"));
  item.Set("t", Value::Bool(false));
  item.Set("z", Value::Null());
  item.Set("l", Value::List({N("1"), Value::String("a")}));
  item.Set("m", Value::Map({{"k", Value::String("v")}}));
  item.Set("ss", Value::StringSet({"b", "a"}));
  item.Set("ns", Value::NumberSet({N("10").AsNumber(), N("2").AsNumber()}));
  item.Set("bs", Value::BinarySet({"foo"}));
  EXPECT_EQ(ItemToJson(item),
            R"({"b":"Zm9v","bs":["Zm9v"],"f":-0.5,"l":[1,"a"],"m":{"k":"v"},)"
            R"("n":1000,"ns":[2,10],"s":"x\"y","ss":["a","b"],"t":false,)"
            R"("z":null})");
  EXPECT_EQ(ItemToJson(Item(ValueMap{{"a", N("1")}}), /*pretty=*/true),
            "{\n  \"a\": 1\n}");
  EXPECT_EQ(ValueToJson(N("1e125")), "1" + std::string(125, '0'));
}

TEST(ValueJsonTest, PlainRoundTrip) {
  const std::string text =
      R"({"a":[1,2.5,"x",true,null,{"b":[]}],"c":{},"d":-12.25})";
  KS_ASSERT_OK_AND_ASSIGN(Item item, ItemFromJson(text));
  EXPECT_EQ(ItemToJson(item), text);
}

TEST(ValueJsonTest, DuplicateNamesAreRejected) {
  EXPECT_THAT(ItemFromJson(R"({"a":1,"a":2})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duplicate member name \"a\" at line 1, "
                                 "column 8")));
  EXPECT_THAT(
      ItemFromDynamoJson(R"({"m":{"M":{"k":{"S":"x"},"k":{"N":"1"}}}})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("duplicate member name \"k\"")));
  // A JsonValue built by hand may still repeat a name: the last one wins.
  JsonValue::Object o;
  o.emplace_back("a", JsonValue::Number("1"));
  o.emplace_back("a", JsonValue::Number("2"));
  KS_ASSERT_OK_AND_ASSIGN(Item item,
                          ItemFromPlainJson(JsonValue::MakeObject(o)));
  ASSERT_EQ(item.size(), 1u);
  EXPECT_EQ(item.Get("a")->AsNumber().ToString(), "2");
}

TEST(ValueJsonTest, DynamoJsonEveryType) {
  const std::string text =
      R"({"b":{"B":"AP8="},"bs":{"BS":["Zm9v","AA=="]},"l":{"L":[{"N":"1"},)"
      R"({"S":"a"}]},"m":{"M":{"k":{"NULL":true}}},"n":{"N":"1E3"},)"
      R"("ns":{"NS":["10","2"]},"s":{"S":"x"},"ss":{"SS":["b","a"]},)"
      R"("t":{"BOOL":true}})";
  KS_ASSERT_OK_AND_ASSIGN(Item item,
                          ItemFromDynamoJson(std::string_view(text)));
  EXPECT_EQ(*item.Get("b"), Value::Binary(std::string("\0\xff", 2)));
  EXPECT_EQ(*item.Get("bs"), Value::BinarySet({"foo", std::string("\0", 1)}));
  EXPECT_EQ(*item.Get("l"), Value::List({N("1"), Value::String("a")}));
  EXPECT_EQ(*item.Get("m"), Value::Map({{"k", Value::Null()}}));
  EXPECT_EQ(item.Get("n")->AsNumber().ToString(), "1000");
  EXPECT_EQ(*item.Get("ns"),
            Value::NumberSet({N("2").AsNumber(), N("10").AsNumber()}));
  EXPECT_EQ(*item.Get("ss"), Value::StringSet({"a", "b"}));
  EXPECT_EQ(*item.Get("t"), Value::Bool(true));
  // Output: canonical numbers, sets sorted, names in order.
  EXPECT_EQ(
      ItemToDynamoJson(item),
      R"({"b":{"B":"AP8="},"bs":{"BS":["AA==","Zm9v"]},"l":{"L":[{"N":"1"},)"
      R"({"S":"a"}]},"m":{"M":{"k":{"NULL":true}}},"n":{"N":"1000"},)"
      R"("ns":{"NS":["2","10"]},"s":{"S":"x"},"ss":{"SS":["a","b"]},)"
      R"("t":{"BOOL":true}})");
  KS_ASSERT_OK_AND_ASSIGN(
      Item again, ItemFromDynamoJson(std::string_view(ItemToDynamoJson(item))));
  EXPECT_EQ(again, item);
}

TEST(ValueJsonTest, DynamoJsonErrors) {
  auto err = [](std::string_view text) {
    return ValueFromDynamoJson(text).status();
  };
  EXPECT_THAT(err("{}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Supplied AttributeValue is empty, must "
                                 "contain exactly one of the supported "
                                 "datatypes")));
  EXPECT_THAT(err(R"({"S":"a","N":"1"})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Supplied AttributeValue has more than one "
                                 "datatypes set")));
  EXPECT_THAT(
      err(R"({"N":123})"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("NUMBER_VALUE cannot be converted to String")));
  EXPECT_THAT(
      err(R"({"N":"abc"})"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("numeric")));
  EXPECT_THAT(err(R"({"NULL":false})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Null attribute value types must have the "
                                 "value of true")));
  EXPECT_THAT(
      err(R"({"B":"Zg="})"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("base64")));
  EXPECT_THAT(err(R"({"X":"1"})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown datatype \"X\"")));
  EXPECT_THAT(err(R"({"BOOL":"true"})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot be converted to Boolean")));
  EXPECT_THAT(err(R"({"SS":"a"})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot be converted to List")));
  EXPECT_THAT(err(R"({"NS":[1]})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("NUMBER_VALUE cannot be converted")));
  EXPECT_THAT(err("\"x\""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("cannot be converted to AttributeValue")));
  EXPECT_THAT(
      ItemFromDynamoJson(
          std::string_view(R"({"a":{"M":{"b":{"L":[{"S":"x"},{}]}}}})")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("is empty"), HasSubstr("attribute a.b[1]"))));
}

TEST(ValueJsonTest, DynamoJsonSetsKeepDuplicatesForValidation) {
  KS_ASSERT_OK_AND_ASSIGN(
      Value v, ValueFromDynamoJson(std::string_view(R"({"NS":["1","1.0"]})")));
  EXPECT_EQ(v.AsNumberSet().size(), 2u);
  KS_ASSERT_OK_AND_ASSIGN(
      Value e, ValueFromDynamoJson(std::string_view(R"({"SS":[]})")));
  EXPECT_TRUE(e.AsStringSet().empty());
}

}  // namespace
}  // namespace kstone::core
