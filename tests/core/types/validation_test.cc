#include "core/types/validation.h"

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

KeySchema Schema() {
  return KeySchema{{"pk", ValueType::kString}, {{"sk", ValueType::kNumber}}};
}

Item Base() {
  Item item;
  item.Set("pk", Value::String("user"));
  item.Set("sk", N("1"));
  return item;
}

absl::Status WithAttr(std::string name, Value v) {
  Item item = Base();
  item.Set(std::move(name), std::move(v));
  return ValidateItem(item, Schema());
}

TEST(ValidationTest, ValidItem) {
  KS_EXPECT_OK(ValidateItem(Base(), Schema()));
  KS_EXPECT_OK(WithAttr("s", Value::String("")));  // empty non-key S is fine
  KS_EXPECT_OK(WithAttr("b", Value::Binary("")));
  KS_EXPECT_OK(WithAttr("nul", Value::String(std::string("a\0b", 3))));
  KS_EXPECT_OK(WithAttr("ss", Value::StringSet({"", "a"})));
  KS_EXPECT_OK(WithAttr("weird name \n\"", Value::Null()));
}

TEST(ValidationTest, KeyAttributes) {
  Item item = Base();
  item.Remove("sk");
  EXPECT_THAT(ValidateItem(item, Schema()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Missing the key sk")));
  item.Set("sk", Value::String("1"));
  EXPECT_THAT(ValidateItem(item, Schema()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Type mismatch for key sk")));
  item = Base();
  item.Set("pk", Value::String(""));
  EXPECT_THAT(ValidateItem(item, Schema()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty string value. Key: pk")));
  item.Set("pk", Value::String(std::string(2049, 'k')));
  EXPECT_THAT(ValidateItem(item, Schema()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2048")));
}

TEST(ValidationTest, SetsNonEmptyAndDuplicateFree) {
  EXPECT_THAT(WithAttr("tags", Value::StringSet({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("string set  may not be empty"),
                             HasSubstr("Attribute: tags"))));
  EXPECT_THAT(WithAttr("ns", Value::NumberSet({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("may not be empty. Attribute: ns")));
  EXPECT_THAT(WithAttr("bs", Value::BinarySet({})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Binary sets should not be empty")));
  EXPECT_THAT(
      WithAttr("tags", Value::StringSet({"a", "b", "a"})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("contains duplicates"), HasSubstr("tags"))));
  // NS duplicates by numeric value.
  EXPECT_THAT(
      WithAttr("ns",
               Value::NumberSet({N("1").AsNumber(), N("1.0").AsNumber()})),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicates")));
  EXPECT_THAT(
      WithAttr("bs", Value::BinarySet({"x", "x"})),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicates")));
}

TEST(ValidationTest, Utf8) {
  EXPECT_THAT(WithAttr("s", Value::String("\xff")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("UTF-8"), HasSubstr("Attribute: s"))));
  EXPECT_THAT(WithAttr("bad\xc3", Value::Null()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("name is not valid UTF-8")));
  EXPECT_THAT(WithAttr("ss", Value::StringSet({"ok", "\xc0\xaf"})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("UTF-8"), HasSubstr("ss"))));
  EXPECT_THAT(
      WithAttr("m", Value::Map({{"k", Value::List({Value::String("\x80")})}})),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("Attribute: m.k[0]")));
  KS_EXPECT_OK(WithAttr("b", Value::Binary("\xff")));  // binary is bytes
}

TEST(ValidationTest, AttributeNames) {
  EXPECT_THAT(WithAttr("", Value::Null()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Empty attribute name")));
  KS_EXPECT_OK(WithAttr(std::string(65535, 'n'), Value::Null()));
  EXPECT_THAT(WithAttr(std::string(65536, 'n'), Value::Null()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Attribute name is too large")));
  EXPECT_THAT(WithAttr("m", Value::Map({{"", Value::Null()}})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("Empty attribute name"),
                             HasSubstr("Attribute: m"))));
}

TEST(ValidationTest, NestingDepth) {
  Value v = Value::String("leaf");
  for (int i = 0; i < kMaxNestingDepth; ++i) {
    v = i % 2 ? Value::List({std::move(v)}) : Value::Map({{"k", std::move(v)}});
  }
  KS_EXPECT_OK(WithAttr("deep", v));
  EXPECT_THAT(WithAttr("deep", Value::List({v})),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("Nesting Levels have exceeded"),
                             HasSubstr("deep"))));
  KS_EXPECT_OK(ValidateValue(v, "x"));
}

TEST(ValidationTest, ItemSize) {
  Item item = Base();
  const size_t base = item.DynamoSize();
  // name "big" (3 bytes) + value brings the item to exactly 400 KB.
  item.Set("big", Value::String(std::string(kMaxItemBytes - base - 3, 'x')));
  EXPECT_EQ(item.DynamoSize(), kMaxItemBytes);
  KS_EXPECT_OK(ValidateItem(item, Schema()));
  item.Set("x", Value::Null());
  EXPECT_THAT(ValidateItem(item, Schema()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Item size has exceeded the maximum allowed "
                                 "size")));
}

TEST(ValidationTest, AttributesOnly) {
  Item item;
  item.Set("a", Value::String("x"));
  KS_EXPECT_OK(ValidateItemAttributes(item));
  item.Set("s", Value::StringSet({}));
  EXPECT_FALSE(ValidateItemAttributes(item).ok());
}

}  // namespace
}  // namespace kstone::core
