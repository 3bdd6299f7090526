#include "core/expr/value_functions.h"

#include "gtest/gtest.h"
#include "tests/core/expr/expr_test_util.h"

namespace kstone::core::expr {
namespace {

using namespace ::kstone::core::expr::testing;  // NOLINT

TEST(ValueFunctionsTest, Ordering) {
  EXPECT_TRUE(IsOrderable(ValueType::kNumber));
  EXPECT_TRUE(IsOrderable(ValueType::kBinary));
  EXPECT_FALSE(IsOrderable(ValueType::kStringSet));
  EXPECT_LT(CompareOrdered(N("-1e3"), N("2")), 0);
  EXPECT_EQ(CompareOrdered(N("1.50"), N("1.5")), 0);
  EXPECT_GT(CompareOrdered(S("a"), S("A")), 0);
  EXPECT_GT(CompareOrdered(S("\xc2\xbf"), S("z")), 0);  // UTF-8 bytes
  EXPECT_GT(CompareOrdered(B("\x80"), B("\x7f")), 0);   // unsigned
  EXPECT_LT(CompareOrdered(B("ab"), B("abc")), 0);
}

TEST(ValueFunctionsTest, SizeInUtf16Units) {
  EXPECT_EQ(Utf16Length(""), 0);
  EXPECT_EQ(Utf16Length("abc"), 3);
  EXPECT_EQ(Utf16Length("\xc3\xa9\xf0\x9d\x84\x9e"), 3);  // é𝄞
  EXPECT_EQ(Utf16Length("\xe2\x82\xac"), 1);              // €
  EXPECT_EQ(SizeOf(S("\xf0\x9f\x98\x80")), 2);            // 😀
  EXPECT_EQ(SizeOf(B(std::string("\0\1", 2))), 2);
  EXPECT_EQ(SizeOf(L({N("1"), N("2")})), 2);
  EXPECT_EQ(SizeOf(M({})), 0);
  EXPECT_EQ(SizeOf(NS({"1", "2", "3"})), 3);
  EXPECT_FALSE(SizeOf(N("12")).has_value());
  EXPECT_FALSE(SizeOf(Value::Bool(true)).has_value());
  EXPECT_FALSE(SizeOf(Value::Null()).has_value());
}

TEST(ValueFunctionsTest, BeginsWithAndContains) {
  EXPECT_TRUE(BeginsWith(S("hello"), S("")));
  EXPECT_TRUE(BeginsWith(B("\x80\x01"), B("\x80")));
  EXPECT_FALSE(BeginsWith(S("hello"), B("h")));
  EXPECT_FALSE(BeginsWith(N("12"), N("1")));
  EXPECT_TRUE(Contains(S("hello"), S("ll")));
  EXPECT_FALSE(Contains(S("hello"), N("1")));
  EXPECT_TRUE(Contains(BS({"\x01", "\x02"}), B("\x02")));
  EXPECT_TRUE(Contains(NS({"1", "2"}), N("2.0")));
  EXPECT_FALSE(Contains(SS({"ab"}), S("a")));
  EXPECT_TRUE(Contains(L({S("a"), NS({"1"})}), NS({"1"})));
  EXPECT_FALSE(Contains(M({{"a", S("a")}}), S("a")));
}

}  // namespace
}  // namespace kstone::core::expr
