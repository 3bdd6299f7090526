#include "core/expr/condition_parser.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::expr {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;
using Type = ConditionNode::Type;

absl::StatusOr<std::unique_ptr<ConditionNode>> Parse(absl::string_view text) {
  return ParseCondition(ExpressionKind::kCondition, text);
}

void ExpectError(absl::string_view text, absl::string_view message) {
  EXPECT_THAT(Parse(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                    std::string(message)))
      << text;
}

void ExpectErrorContaining(absl::string_view text, absl::string_view part) {
  EXPECT_THAT(Parse(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr(std::string(part))))
      << text;
}

TEST(ConditionParserTest, Comparators) {
  const char* ops[] = {"=", "<>", "<", "<=", ">", ">="};
  const CompareOp expected[] = {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt,
                                CompareOp::kLe, CompareOp::kGt, CompareOp::kGe};
  for (int i = 0; i < 6; ++i) {
    KS_ASSERT_OK_AND_ASSIGN(auto node,
                            Parse(absl::StrCat("a ", ops[i], " :v")));
    EXPECT_EQ(node->type, Type::kCompare);
    EXPECT_EQ(node->op, expected[i]);
    ASSERT_EQ(node->operands.size(), 2u);
    EXPECT_TRUE(node->operands[0].is_path());
    EXPECT_EQ(node->operands[1].placeholder, ":v");
  }
}

TEST(ConditionParserTest, AndBindsTighterThanOr) {
  KS_ASSERT_OK_AND_ASSIGN(auto node, Parse("a = :x OR b = :y AND c = :z"));
  EXPECT_EQ(node->type, Type::kOr);
  EXPECT_EQ(node->left->type, Type::kCompare);
  EXPECT_EQ(node->right->type, Type::kAnd);
}

TEST(ConditionParserTest, NotBindsTighterThanAnd) {
  KS_ASSERT_OK_AND_ASSIGN(auto node, Parse("NOT a = :x AND b = :y"));
  EXPECT_EQ(node->type, Type::kAnd);
  EXPECT_EQ(node->left->type, Type::kNot);
}

TEST(ConditionParserTest, BetweenAndBindsFirst) {
  KS_ASSERT_OK_AND_ASSIGN(auto node, Parse("a BETWEEN :lo AND :hi AND b = :y"));
  EXPECT_EQ(node->type, Type::kAnd);
  EXPECT_EQ(node->left->type, Type::kBetween);
  EXPECT_EQ(node->left->operands.size(), 3u);
}

TEST(ConditionParserTest, ParenthesesOverridePrecedence) {
  KS_ASSERT_OK_AND_ASSIGN(auto node, Parse("(a = :x OR b = :y) AND c = :z"));
  EXPECT_EQ(node->type, Type::kAnd);
  EXPECT_EQ(node->left->type, Type::kOr);
}

TEST(ConditionParserTest, RepeatedNotIsLegal) {
  KS_ASSERT_OK_AND_ASSIGN(auto node, Parse("NOT NOT NOT NOT a = :x"));
  EXPECT_EQ(node->type, Type::kNot);
  EXPECT_EQ(node->left->left->left->left->type, Type::kCompare);
}

TEST(ConditionParserTest, KeywordsAreCaseInsensitive) {
  KS_EXPECT_OK(Parse("a = :x aNd b BeTwEeN :l AnD :h oR NoT c In (:a)"));
}

TEST(ConditionParserTest, InList) {
  KS_ASSERT_OK_AND_ASSIGN(auto node, Parse("a IN (:a, :b, c, size(d))"));
  EXPECT_EQ(node->type, Type::kIn);
  EXPECT_EQ(node->operands.size(), 5u);
  std::string in = "a IN (:v0";
  for (int i = 1; i < 99; ++i) absl::StrAppend(&in, ", :v", i);
  KS_EXPECT_OK(Parse(in + ")"));  // 100 operands in all
  ExpectErrorContaining(in + ", :v99)", "too many operands");
  ExpectErrorContaining("a IN ()", "Syntax error; token: \")\"");
}

TEST(ConditionParserTest, Functions) {
  KS_ASSERT_OK_AND_ASSIGN(auto node, Parse("begins_with(a.b[2], :p)"));
  EXPECT_EQ(node->type, Type::kFunction);
  EXPECT_EQ(node->operands[0].call->function, Function::kBeginsWith);
  KS_EXPECT_OK(Parse("attribute_exists(a) AND attribute_not_exists(#b)"));
  KS_EXPECT_OK(Parse("attribute_type(a, :t) OR contains(:s, b)"));
  KS_EXPECT_OK(Parse("size(a) > :n AND :n <= size(#b.c)"));
}

TEST(ConditionParserTest, ParenthesisedOperands) {
  KS_ASSERT_OK_AND_ASSIGN(auto node, Parse("(a) = :x"));
  EXPECT_EQ(node->type, Type::kCompare);
  KS_EXPECT_OK(Parse("(size(a)) > :n"));
  KS_EXPECT_OK(Parse("NOT (a) BETWEEN :x AND (:y)"));
}

TEST(ConditionParserTest, OneRedundantPairIsFineTwoAreNot) {
  KS_EXPECT_OK(Parse("(p<>p)"));
  KS_EXPECT_OK(Parse("((p<>p) and p<>p)"));
  KS_EXPECT_OK(Parse("((c=:c) AND (p=:p))"));
  const char* kRedundant =
      "Invalid ConditionExpression: The expression has redundant "
      "parentheses;";
  ExpectError("((p<>p))", kRedundant);
  ExpectError("((c=:c) AND ((p=:p)))", kRedundant);
  ExpectError("((a)) = :v", kRedundant);
  ExpectError("NOT ((a = :v))", kRedundant);
}

TEST(ConditionParserTest, SyntaxErrorsNameTokenContextAndPosition) {
  ExpectError("a != :v",
              "Invalid ConditionExpression: Syntax error; token: \"!\", "
              "near: \"a !=\", position: 2");
  ExpectError("foo",
              "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
              "near: \"foo\", position: 3");
  ExpectError(":v",
              "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", "
              "near: \":v\", position: 2");
  ExpectErrorContaining("a = :v AND", "token: \"<EOF>\"");
  ExpectErrorContaining("a = = :v", "token: \"=\"");
  ExpectErrorContaining("a[] = :v", "token: \"]\"");
  ExpectErrorContaining("a[-1] = :v", "token: \"-\"");
  ExpectErrorContaining("a[:i] = :v", "token: \":i\"");
  ExpectErrorContaining("a[#i] = :v", "token: \"#i\"");
  ExpectErrorContaining("_a = :v", "token: \"_\"");
  ExpectErrorContaining("1a = :v", "token: \"1\"");
  ExpectErrorContaining("a = # ", "token: \"#\"");
  ExpectErrorContaining("a = :", "token: \":\"");
  ExpectErrorContaining("a BETWEEN :x OR :y", "token: \"OR\"");
  ExpectErrorContaining("(a = :v", "token: \"<EOF>\"");
  ExpectErrorContaining("a = :v)", "token: \")\"");
  ExpectErrorContaining("a.b.(c) = :v", "token: \"(\"");
  ExpectErrorContaining("a = NOT", "token: \"NOT\"");
  ExpectErrorContaining("and = :v", "token: \"and\"");
  ExpectErrorContaining("a.in = :v", "token: \"in\"");
}

TEST(ConditionParserTest, EmptyAndTooLong) {
  ExpectError("",
              "Invalid ConditionExpression: The expression can not be "
              "empty;");
  ExpectError("   ",
              "Invalid ConditionExpression: The expression can not be "
              "empty;");
  std::string fits = "a = :v OR " + std::string(4080, ' ') + "b = :v";
  ASSERT_EQ(fits.size(), 4096u);
  KS_EXPECT_OK(Parse(fits));
  std::string text = fits + " ";
  ExpectError(text, absl::StrCat("Invalid ConditionExpression: Expression "
                                 "size has exceeded the maximum allowed size; "
                                 "expression size: ",
                                 text.size()));
}

std::string NestedOr(int depth) {
  std::string text = "a<b ";
  for (int i = 0; i < depth; ++i) text += "or (a<b ";
  return text + std::string(depth, ')');
}

TEST(ConditionParserTest, AtMost300Operators) {
  KS_EXPECT_OK(Parse(NestedOr(149)));  // 299 operators
  std::string too_many = NestedOr(454);
  ASSERT_LT(too_many.size(), 4096u);
  ExpectError(too_many,
              "Invalid ConditionExpression: The expression contains too many "
              "operators; operator count: 301");
  std::string nots;
  for (int i = 0; i < 1000; ++i) nots += "not ";
  ExpectErrorContaining(nots + "a<b",
                        "too many operators; operator count: "
                        "301");
}

TEST(ConditionParserTest, DeepNestingFailsCleanly) {
  ExpectErrorContaining(std::string(4096, '('), "Invalid ConditionExpression");
  ExpectErrorContaining(std::string(2046, '(') + "a<b" + std::string(2046, ')'),
                        "Invalid ConditionExpression");
  std::string f = "a < ";
  for (int i = 0; i < 1355; ++i) f += "f(";
  ExpectErrorContaining(f + "b" + std::string(1355, ')'),
                        "Invalid ConditionExpression");
  std::string s = "a < ";
  for (int i = 0; i < 680; ++i) s += "size(";
  ExpectErrorContaining(s + "b" + std::string(680, ')'),
                        "Invalid ConditionExpression");
}

TEST(ConditionParserTest, PathDepthLimit) {
  std::string path = "a";
  for (int i = 1; i < 32; ++i) path += (i % 2) ? ".b" : "[0]";
  KS_EXPECT_OK(Parse(path + " = :v"));  // 32 levels
  ExpectError(path + ".c = :v",
              "Invalid ConditionExpression: The document path has too many "
              "nesting levels; nesting levels: 33");
  ExpectErrorContaining("a[99999999999] = :v",
                        "List index is not within the allowable range");
}

TEST(ConditionParserTest, ReservedWords) {
  ExpectError("year = :v",
              "Invalid ConditionExpression: Attribute name is a reserved "
              "keyword; reserved keyword: year");
  ExpectErrorContaining("a.Status = :v", "reserved keyword: Status");
  KS_EXPECT_OK(Parse("#year = :v"));
}

TEST(ConditionParserTest, FunctionMisuse) {
  ExpectError("size(a)",
              "Invalid ConditionExpression: The function is not allowed to be "
              "used this way in an expression; function: size");
  ExpectErrorContaining("attribute_exists(a) < :v",
                        "not allowed to be used this way in an expression; "
                        "function: attribute_exists");
  ExpectErrorContaining("if_not_exists(a, :v) = :v", "function: if_not_exists");
  ExpectErrorContaining("list_append(a, :v)", "function: list_append");
  ExpectErrorContaining("contains(begins_with(a, :x), :y)",
                        "function: begins_with");
  ExpectError("dog(a)",
              "Invalid ConditionExpression: Invalid function name; function: "
              "dog");
  ExpectErrorContaining("BEGINS_WITH(a, :v)",
                        "Invalid function name; function: BEGINS_WITH");
  ExpectError("size(a, b) = :v",
              "Invalid ConditionExpression: Incorrect number of operands for "
              "operator or function; operator or function: size, number of "
              "operands: 2");
  ExpectErrorContaining("begins_with(a)", "number of operands: 1");
  ExpectError("size(size(a)) > :v",
              "Invalid ConditionExpression: Incorrect operand type for "
              "operator or function; operator or function: size, operand "
              "type: N");
  ExpectError("attribute_exists(:v)",
              "Invalid ConditionExpression: Operator or function requires a "
              "document path; operator or function: attribute_exists");
  ExpectErrorContaining("attribute_not_exists(size(a))",
                        "requires a document path");
  ExpectErrorContaining("attribute_type(a, b)",
                        "operator or function: attribute_type");
  ExpectError("contains(a, a)",
              "Invalid ConditionExpression: The first operand must be "
              "distinct from the remaining operands for this operator or "
              "function; operator: contains, first operand: [a]");
  KS_EXPECT_OK(Parse("p <> p"));
}

TEST(ConditionParserTest, SyntaxErrorsWinOverSemanticErrors) {
  ExpectErrorContaining("dog(a) = = :v", "Syntax error");
  ExpectErrorContaining("((year = :v)) AND", "Syntax error");
}

TEST(ConditionParserTest, ErrorKindNamesTheExpression) {
  EXPECT_THAT(ParseCondition(ExpressionKind::kFilter, "a !"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Invalid FilterExpression: Syntax error")));
}

}  // namespace
}  // namespace kstone::core::expr
