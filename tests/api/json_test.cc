// Plain JSON and DynamoDB JSON conversion of values and items.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

using ::kstone::testing::BackendTest;
using ::kstone::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(JsonTest, PlainJsonMapsTypes) {
  KS_ASSERT_OK_AND_ASSIGN(
      Item item,
      Item::FromJson(R"({"s": "x", "n": 1.50, "big": 12345678901234567890123,
                        "t": true, "f": false, "z": null,
                        "l": [1, "a", [], {}], "m": {"k": -1e3}})"));
  EXPECT_EQ(item.Get("s")->AsString(), "x");
  EXPECT_EQ(item.Get("n")->AsNumber(), "1.5");
  EXPECT_EQ(item.Get("big")->AsNumber(), "12345678901234567890123")
      << "numbers never go through double";
  EXPECT_TRUE(item.Get("t")->AsBool());
  EXPECT_FALSE(item.Get("f")->AsBool());
  EXPECT_TRUE(item.Get("z")->is_null());
  EXPECT_EQ(item.Get("l")->AsList().size(), 4u);
  EXPECT_EQ(FindInMap(item.Get("m")->AsMap(), "k")->AsNumber(), "-1000");
  EXPECT_EQ(item.ToJson(),
            R"({"big":12345678901234567890123,"f":false,"l":[1,"a",[],{}],)"
            R"("m":{"k":-1000},"n":1.5,"s":"x","t":true,"z":null})");
}

TEST(JsonTest, PrettyStyle) {
  Item item =
      ItemBuilder().String("a", "x").List("l", {Value::Number(1)}).Build();
  EXPECT_EQ(item.ToJson(JsonStyle::kPretty),
            "{\n  \"a\": \"x\",\n  \"l\": [\n    1\n  ]\n}");
}

TEST(JsonTest, StringsEscapeAndUnescape) {
  KS_ASSERT_OK_AND_ASSIGN(
      Value v, Value::FromJson(R"("q\" b\\ n\n t\t u\u00e9 \ud83d\ude00 /")"));
  EXPECT_EQ(v.AsString(), "q\" b\\ n\n t\t u\xc3\xa9 \xf0\x9f\x98\x80 /");
  EXPECT_EQ(Value::String("a\"\\\n\x01").ToJson(), R"("a\"\\\n\u0001")");
  KS_ASSERT_OK_AND_ASSIGN(Value back, Value::FromJson(v.ToJson()));
  EXPECT_EQ(back, v);
}

TEST(JsonTest, BinaryAndSetsAsPlainJson) {
  Item item = ItemBuilder()
                  .Binary("b", std::string("\x00\xff", 2))
                  .StringSet("ss", {"a"})
                  .NumberSet("ns", {"2"})
                  .Build();
  EXPECT_EQ(item.ToJson(), R"({"b":"AP8=","ns":[2],"ss":["a"]})");
}

TEST(JsonTest, MalformedJsonIsValidationWithPosition) {
  for (const char* bad :
       {"{", "{\"a\": }", "{\"a\" 1}", "[1,]", "{'a': 1}", "01", "1.",
        "\"unterminated", "{\"a\": 1} x", "tru", "\"\\x\"", "\"\\ud800\"",
        "\"bad \xff utf8\"", "{\"a\": 1, \"a\": 2}", ""}) {
    absl::StatusOr<Value> v = Value::FromJson(bad);
    EXPECT_THAT(v, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("line 1, column")))
        << bad;
    EXPECT_EQ(ErrorCodeOf(v.status()), ErrorCode::kValidation);
  }
}

TEST(JsonTest, NumbersDynamoCannotHoldAreRejected) {
  EXPECT_FALSE(Value::FromJson("1e126").ok());
  EXPECT_FALSE(Value::FromJson(std::string(39, '9')).ok());
  EXPECT_TRUE(Value::FromJson(std::string(38, '9')).ok());
}

TEST(JsonTest, RepeatedMemberNamesAreRejected) {
  EXPECT_THAT(Item::FromJson(R"({"a": 1, "b": {"x": 1, "x": 2}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duplicate member name \"x\" at line 1, "
                                 "column 24")));
  EXPECT_THAT(Item::FromDynamoJson(R"({"a": {"S": "x"}, "a": {"N": "1"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duplicate member name \"a\"")));
}

TEST(JsonTest, ParserNestingCapIsStructural) {
  // Parsing only guards the stack; DynamoDB's 32 levels are a write rule.
  std::string deep = std::string(40, '[') + std::string(40, ']');
  KS_EXPECT_OK(Value::FromJson(deep));
  std::string hostile = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_THAT(Value::FromJson(hostile),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nesting too deep")));
}

TEST(JsonTest, NonObjectItemIsValidation) {
  for (const char* bad : {"[1, 2]", "\"x\"", "42", "null"}) {
    absl::StatusOr<Item> item = Item::FromJson(bad);
    EXPECT_THAT(item, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("item must be a JSON object")))
        << bad;
  }
}

TEST(DynamoJsonTest, RoundTripsEveryType) {
  Item item = ItemBuilder()
                  .String("s", "x")
                  .Number("n", "-1.5")
                  .Binary("b", std::string("\x00\x01", 2))
                  .Bool("t", true)
                  .Null("z")
                  .List("l", {Value::String("a"), Value::Number(1)})
                  .Map("m", ItemBuilder().String("k", "v").Build())
                  .StringSet("ss", {"a", "b"})
                  .NumberSet("ns", {"1", "2.5"})
                  .BinarySet("bs", {"x"})
                  .Build();
  std::string text = item.ToDynamoJson();
  EXPECT_THAT(text, HasSubstr(R"("n":{"N":"-1.5"})"));
  EXPECT_THAT(text, HasSubstr(R"("b":{"B":"AAE="})"));
  EXPECT_THAT(text, HasSubstr(R"("z":{"NULL":true})"));
  EXPECT_THAT(text, HasSubstr(R"("ss":{"SS":["a","b"]})"));
  KS_ASSERT_OK_AND_ASSIGN(Item back, Item::FromDynamoJson(text));
  EXPECT_EQ(back, item);
  KS_ASSERT_OK_AND_ASSIGN(Value v,
                          Value::FromDynamoJson(R"({"L":[{"N":"1e3"}]})"));
  EXPECT_EQ(v, Value::List({Value::Number(1000)}));
  EXPECT_EQ(v.ToDynamoJson(), R"({"L":[{"N":"1000"}]})");
}

TEST(DynamoJsonTest, ShapeErrorsNameThePath) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"a": {"N": 1}})", "a"},  // number not a string
      {R"({"a": {"X": "1"}})", "unknown datatype \"X\""},
      {R"({"a": {"S": "x", "N": "1"}})", "exactly one"},
      {R"({"a": {}})", "exactly one"},
      {R"({"a": {"B": "***"}})", "Invalid base64"},
      {R"({"a": {"M": {"b": {"N": "abc"}}}})", "a.b"},
      {R"({"a": {"L": [{"S": 1}]}})", "a[0]"},
      {R"({"a": {"NULL": false}})", "Null attribute value"},
      {R"({"a": "plain"})", "a"},
  };
  for (const auto& [text, needle] : cases) {
    absl::StatusOr<Item> item = Item::FromDynamoJson(text);
    EXPECT_THAT(item,
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(needle)))
        << text;
  }
  EXPECT_FALSE(Item::FromDynamoJson("[1]").ok());
}

class JsonDatabaseTest : public BackendTest {};

TEST_P(JsonDatabaseTest, DynamoJsonItemsRoundTripThroughTheDatabase) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  const std::string text =
      R"({"bs":{"BS":["AQ=="]},"n":{"N":"3.14"},"ns":{"NS":["1","2"]},)"
      R"("pk":{"S":"user#1"},"ss":{"SS":["x"]}})";
  KS_ASSERT_OK_AND_ASSIGN(Item item, Item::FromDynamoJson(text));
  KS_ASSERT_OK(db.Put(item));
  KS_ASSERT_OK_AND_ASSIGN(std::optional<Item> got, db.Get(Key("user#1")));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->ToDynamoJson(), text);
}

TEST_P(JsonDatabaseTest, ItemNestedDeeperThan32IsValidationNamingIt) {
  KS_ASSERT_OK_AND_ASSIGN(Database db, CreateDb());
  // An item's own object does not count: its attributes may nest 32 deep.
  const std::string ok = std::string(32, '[') + std::string(32, ']');
  KS_ASSERT_OK_AND_ASSIGN(Item fine,
                          Item::FromJson(R"({"pk": "a", "l": )" + ok + "}"));
  KS_EXPECT_OK(db.Put(fine));
  const std::string deep = std::string(33, '[') + std::string(33, ']');
  KS_ASSERT_OK_AND_ASSIGN(Item item,
                          Item::FromJson(R"({"pk": "b", "l": )" + deep + "}"));
  absl::Status s = db.Put(item);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          AllOf(HasSubstr("Nesting Levels"),
                                HasSubstr("Attribute: l"))));
  EXPECT_EQ(ErrorCodeOf(s), ErrorCode::kValidation);
}

KSTONE_INSTANTIATE_BACKENDS(JsonDatabaseTest);

}  // namespace
}  // namespace kstone
