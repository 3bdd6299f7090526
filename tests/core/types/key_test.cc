#include "core/types/key.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;

Value Num(std::string_view text) { return *Value::ParseNumber(text); }

KeySchema HashOnly() { return KeySchema{{"p", ValueType::kString}, {}}; }
KeySchema HashRange() {
  return KeySchema{{"p", ValueType::kString}, {{"c", ValueType::kNumber}}};
}

TEST(KeyTest, Accessors) {
  Key a(Value::String("p"));
  EXPECT_FALSE(a.has_sort());
  EXPECT_EQ(a.sort_or_null(), nullptr);
  Key b(Value::String("p"), Num("1"));
  ASSERT_TRUE(b.has_sort());
  EXPECT_EQ(b.sort().AsNumber().ToString(), "1");
  EXPECT_NE(a, b);
  EXPECT_EQ(b, Key(Value::String("p"), Num("1.0")));
}

TEST(KeyTest, EmptyKeyValuesNameTheAttribute) {
  EXPECT_THAT(ValidateKeyValue(Value::String(""), "p", true),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("The AttributeValue for a key attribute "
                                 "cannot contain an empty string value. Key: "
                                 "p")));
  EXPECT_THAT(ValidateKeyValue(Value::Binary(""), "c", false),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty binary value. Key: c")));
}

TEST(KeyTest, KeySizeLimits) {
  KS_EXPECT_OK(
      ValidateKeyValue(Value::String(std::string(2048, 'x')), "p", true));
  EXPECT_THAT(
      ValidateKeyValue(Value::String(std::string(2049, 'x')), "p", true),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("2048 bytes. Key: p")));
  KS_EXPECT_OK(
      ValidateKeyValue(Value::Binary(std::string(1024, 'x')), "c", false));
  EXPECT_THAT(
      ValidateKeyValue(Value::Binary(std::string(1025, 'x')), "c", false),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("1024 bytes. Key: c")));
  EXPECT_EQ(KeyValueSize(Num("1e3")), 4u);  // "1000"
  EXPECT_EQ(KeyValueSize(Num("-0.5")), 4u);
}

TEST(KeyTest, KeyTypesMustBeScalar) {
  EXPECT_THAT(ValidateKeyValue(Value::Bool(true), "p", true),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Key attribute p must be of type S, N or B")));
  EXPECT_THAT(ValidateKeyValue(Value::List({}), "p", true),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("L")));
}

TEST(KeyTest, ValidateKeyAgainstSchema) {
  KS_EXPECT_OK(ValidateKey(Key(Value::String("a")), HashOnly()));
  KS_EXPECT_OK(ValidateKey(Key(Value::String("a"), Num("1")), HashRange()));
  const std::vector<std::pair<Key, KeySchema>> bad_cases = {
      {Key(Num("1")), HashOnly()},
      {Key(Value::String("a"), Num("1")), HashOnly()},
      {Key(Value::String("a"), Value::String("x")), HashRange()}};
  for (const auto& [bad, schema] : bad_cases) {
    EXPECT_THAT(ValidateKey(bad, schema),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("does not match the schema")))
        << bad.DebugString();
  }
  EXPECT_THAT(ValidateKey(Key(Value::String("a")), HashRange()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("does not match the schema")));
  EXPECT_THAT(
      ValidateKey(Key(Value::String("")), HashOnly()),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Key: p")));
}

TEST(KeyTest, ExtractKey) {
  Item item;
  item.Set("p", Value::String("user"));
  item.Set("c", Num("1e3"));
  item.Set("other", Value::Bool(true));
  KS_ASSERT_OK_AND_ASSIGN(Key key, ExtractKey(item, HashRange()));
  EXPECT_EQ(key, Key(Value::String("user"), Num("1000")));
  KS_ASSERT_OK_AND_ASSIGN(Key hash_only, ExtractKey(item, HashOnly()));
  EXPECT_FALSE(hash_only.has_sort());

  Item missing;
  missing.Set("p", Value::String("user"));
  EXPECT_THAT(ExtractKey(missing, HashRange()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Missing the key c in the item")));
  Item wrong;
  wrong.Set("p", Num("5"));
  EXPECT_THAT(ExtractKey(wrong, HashOnly()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Type mismatch for key p expected: S actual: "
                                 "N")));
  Item empty;
  empty.Set("p", Value::String(""));
  EXPECT_THAT(ExtractKey(empty, HashOnly()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty string value. Key: p")));
}

}  // namespace
}  // namespace kstone::core
