#include "core/types/json.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

std::string RoundTrip(std::string_view text) {
  absl::StatusOr<JsonValue> v = ParseJson(text);
  if (!v.ok()) return "ERROR: " + std::string(v.status().message());
  return PrintJson(*v);
}

TEST(JsonTest, ParsesAndPrintsCompact) {
  EXPECT_EQ(RoundTrip(" { \"a\" : [ 1 , 2.50 , -0 , 1e400 ] , \"b\":null } "),
            "{\"a\":[1,2.50,-0,1e400],\"b\":null}");
  EXPECT_EQ(RoundTrip("true"), "true");
  EXPECT_EQ(RoundTrip("\"x\""), "\"x\"");
  EXPECT_EQ(RoundTrip("[]"), "[]");
  EXPECT_EQ(RoundTrip("{}"), "{}");
  EXPECT_EQ(RoundTrip("123456789012345678901234567890.123456789e-5"),
            "123456789012345678901234567890.123456789e-5");
}

TEST(JsonTest, NumberTextIsExact) {
  KS_ASSERT_OK_AND_ASSIGN(JsonValue v, ParseJson("0.1000000000000000000001"));
  ASSERT_TRUE(v.is_number());
  EXPECT_EQ(v.number_text(), "0.1000000000000000000001");
}

TEST(JsonTest, StringEscapes) {
  KS_ASSERT_OK_AND_ASSIGN(
      JsonValue v,
      ParseJson(R"("q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud834\udd1e \u0000")"));
  EXPECT_EQ(
      v.string_value(),
      std::string("q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xf0\x9d\x84\x9e \0", 24));
  // Printing escapes what must be escaped and keeps UTF-8 as is.
  EXPECT_EQ(PrintJson(v),
            "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \xc3\xa9 \xf0\x9d\x84\x9e "
            "\\u0000\"");
  KS_ASSERT_OK_AND_ASSIGN(JsonValue again, ParseJson(PrintJson(v)));
  EXPECT_EQ(again, v);
}

TEST(JsonTest, StrictRejections) {
  for (const char* bad : {"",
                          " ",
                          "{",
                          "[1,]",
                          "{\"a\":1,}",
                          "[1 2]",
                          "{'a':1}",
                          "{a:1}",
                          "01",
                          "-",
                          "1.",
                          ".5",
                          "1e",
                          "1e+",
                          "+1",
                          "NaN",
                          "Infinity",
                          "tru",
                          "nul",
                          "\"abc",
                          "\"\t\"",
                          "\"\\x\"",
                          "\"\\u12\"",
                          "\"\\ud800\"",
                          "\"\\udc00\"",
                          "\"\\ud800\\u0041\"",
                          "[1] 2",
                          "// c\n1",
                          "/* c */1",
                          "\"\xff\"",
                          "{\"a\" 1}",
                          "{\"a\":}",
                          "[,1]",
                          "\"\xed\xa0\x80\""}) {
    EXPECT_THAT(ParseJson(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("json:")))
        << "input: " << bad;
  }
}

TEST(JsonTest, ErrorsGiveLineAndColumn) {
  EXPECT_THAT(ParseJson("{\n  \"a\": 1,\n  \"b\": tru\n}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("invalid literal at line 3, column 8")));
  EXPECT_THAT(ParseJson("[1,]"), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("at line 1, column 4")));
  // Columns count characters, not bytes.
  EXPECT_THAT(ParseJson("[\"\xc3\xa9\", x]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 1, column 7")));
}

TEST(JsonTest, DepthLimit) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_THAT(ParseJson(deep), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("nesting too deep")));
  KS_EXPECT_OK(ParseJson(deep, 200));
  std::string ok(kDefaultJsonMaxDepth, '[');
  ok += std::string(kDefaultJsonMaxDepth, ']');
  KS_EXPECT_OK(ParseJson(ok));
  // Very deep input fails cleanly instead of exhausting the stack.
  std::string hostile(1000000, '[');
  EXPECT_FALSE(ParseJson(hostile).ok());
}

TEST(JsonTest, ObjectsKeepDocumentOrder) {
  KS_ASSERT_OK_AND_ASSIGN(JsonValue v, ParseJson("{\"b\":1,\"a\":2,\"c\":3}"));
  ASSERT_EQ(v.object().size(), 3u);
  EXPECT_EQ(v.object()[0].first, "b");
  EXPECT_EQ(v.object()[1].first, "a");
  ASSERT_NE(v.Find("c"), nullptr);
  EXPECT_EQ(v.Find("c")->number_text(), "3");
  EXPECT_EQ(v.Find("d"), nullptr);
}

TEST(JsonTest, RepeatedMemberNameIsRejectedWithItsPosition) {
  EXPECT_THAT(ParseJson("{\"b\":1,\"a\":2,\n \"b\":3}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duplicate member name \"b\" at line 2, "
                                 "column 2")));
  // Nested objects have their own names; equal names in siblings are fine.
  KS_EXPECT_OK(ParseJson(R"({"a":{"a":1},"b":{"a":2}})"));
  EXPECT_THAT(ParseJson(R"([{"x":1,"x":1}])"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duplicate member name \"x\"")));
  // Past the linear scan: a large object with its repeat at the end.
  std::string big = "{";
  for (int i = 0; i < 100; ++i) absl::StrAppend(&big, "\"k", i, "\":", i, ",");
  KS_EXPECT_OK(ParseJson(big + "\"k100\":0}"));
  EXPECT_THAT(ParseJson(big + "\"k7\":0}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("duplicate member name \"k7\"")));
  // Names compare after unescaping.
  EXPECT_FALSE(ParseJson(R"({"a":1,"\u0061":2})").ok());
}

TEST(JsonTest, PrettyPrint) {
  KS_ASSERT_OK_AND_ASSIGN(
      JsonValue v, ParseJson("{\"a\":[1,{\"b\":true}],\"c\":{},\"d\":[]}"));
  EXPECT_EQ(PrintJson(v, /*pretty=*/true),
            "{\n"
            "  \"a\": [\n"
            "    1,\n"
            "    {\n"
            "      \"b\": true\n"
            "    }\n"
            "  ],\n"
            "  \"c\": {},\n"
            "  \"d\": []\n"
            "}");
}

TEST(JsonTest, ControlCharactersEscapedOnOutput) {
  std::string out;
  AppendJsonString(std::string("\x01\x1f", 2), &out);
  EXPECT_EQ(out, "\"\\u0001\\u001f\"");
}

}  // namespace
}  // namespace kstone::core
