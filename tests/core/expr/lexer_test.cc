#include "core/expr/lexer.h"

#include <vector>

#include "core/expr/reserved_words.h"
#include "gtest/gtest.h"

namespace kstone::core::expr {
namespace {

std::vector<TokenKind> Kinds(absl::string_view text) {
  std::vector<TokenKind> kinds;
  for (const Token& t : Tokenize(text)) kinds.push_back(t.kind);
  return kinds;
}

TEST(LexerTest, NamesPlaceholdersNumbersAndPunctuation) {
  std::vector<Token> t = Tokenize(" a.b[12] = #n_1 AND :v ");
  ASSERT_EQ(t.size(), 11u);
  EXPECT_EQ(t[0].kind, TokenKind::kName);
  EXPECT_EQ(t[0].text, "a");
  EXPECT_EQ(t[0].begin, 1u);
  EXPECT_EQ(t[1].kind, TokenKind::kDot);
  EXPECT_EQ(t[3].kind, TokenKind::kLBracket);
  EXPECT_EQ(t[4].kind, TokenKind::kNumber);
  EXPECT_EQ(t[4].text, "12");
  EXPECT_EQ(t[6].kind, TokenKind::kEq);
  EXPECT_EQ(t[7].kind, TokenKind::kNamePlaceholder);
  EXPECT_EQ(t[7].text, "#n_1");
  EXPECT_EQ(t[8].kind, TokenKind::kName);
  EXPECT_EQ(t[9].kind, TokenKind::kValuePlaceholder);
  EXPECT_EQ(t[10].kind, TokenKind::kEnd);
  EXPECT_EQ(t[10].begin, 23u);
}

TEST(LexerTest, Comparators) {
  EXPECT_EQ(Kinds("<><=>=<>="),
            (std::vector<TokenKind>{TokenKind::kNe, TokenKind::kLe,
                                    TokenKind::kGe, TokenKind::kNe,
                                    TokenKind::kEq, TokenKind::kEnd}));
  EXPECT_EQ(Kinds("+-,"),
            (std::vector<TokenKind>{TokenKind::kPlus, TokenKind::kMinus,
                                    TokenKind::kComma, TokenKind::kEnd}));
}

TEST(LexerTest, BadCharactersAreInvalidTokens) {
  std::vector<Token> t = Tokenize("a != _x # : é");
  EXPECT_EQ(t[1].kind, TokenKind::kInvalid);
  EXPECT_EQ(t[1].text, "!");
  EXPECT_EQ(t[3].kind, TokenKind::kInvalid);
  EXPECT_EQ(t[3].text, "_");
  EXPECT_EQ(t[4].kind, TokenKind::kName);  // "x"
  EXPECT_EQ(t[5].kind, TokenKind::kInvalid);
  EXPECT_EQ(t[5].text, "#");
  EXPECT_EQ(t[6].kind, TokenKind::kInvalid);
  EXPECT_EQ(t[7].kind, TokenKind::kInvalid);
  EXPECT_EQ(t[7].text, "é");  // a whole UTF-8 character
}

TEST(LexerTest, NamesStartWithALetterAndMayContainUnderscores) {
  std::vector<Token> t = Tokenize("A123_ 1x");
  EXPECT_EQ(t[0].text, "A123_");
  EXPECT_EQ(t[1].kind, TokenKind::kNumber);
  EXPECT_EQ(t[2].kind, TokenKind::kName);
}

TEST(LexerTest, ParenthesesAreMatched) {
  std::vector<Token> t = Tokenize("((a)) (");
  EXPECT_EQ(t[0].match, 4);
  EXPECT_EQ(t[1].match, 3);
  EXPECT_EQ(t[3].match, 1);
  EXPECT_EQ(t[5].match, -1);
  std::vector<Token> u = Tokenize(")(");
  EXPECT_EQ(u[0].match, -1);
}

TEST(LexerTest, EmptyInputIsJustEnd) {
  EXPECT_EQ(Kinds(""), std::vector<TokenKind>{TokenKind::kEnd});
  EXPECT_EQ(Kinds(" \t\r\n"), std::vector<TokenKind>{TokenKind::kEnd});
}

TEST(ReservedWordsTest, CaseInsensitiveMembership) {
  EXPECT_EQ(ReservedWordCount(), 573u);
  EXPECT_TRUE(IsReservedWord("year"));
  EXPECT_TRUE(IsReservedWord("Status"));
  EXPECT_TRUE(IsReservedWord("ZONE"));
  EXPECT_TRUE(IsReservedWord("abort"));
  EXPECT_TRUE(IsReservedWord("size"));
  EXPECT_FALSE(IsReservedWord("age"));
  EXPECT_FALSE(IsReservedWord("pk"));
  EXPECT_FALSE(IsReservedWord(""));
  EXPECT_FALSE(IsReservedWord("localtimestampx"));
}

}  // namespace
}  // namespace kstone::core::expr
