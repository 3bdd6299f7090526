#include "core/types/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace kstone::core {
namespace {

TEST(Utf8Test, Valid) {
  for (std::string s :
       {std::string(""), std::string("plain ascii text, longer than 8"),
        std::string("\0", 1), std::string("h\xc3\xa9llo"),
        std::string("\xe2\x82\xac"), std::string("\xf0\x9d\x84\x9e"),
        std::string("\xef\xbf\xbf"), std::string("\xf4\x8f\xbf\xbf"),
        std::string("\xed\x9f\xbf")}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
  }
}

TEST(Utf8Test, Invalid) {
  for (std::string s :
       {std::string("\xff"), std::string("\x80"), std::string("\xc3"),
        std::string("\xc0\xaf"),          // overlong '/'
        std::string("\xe0\x80\xaf"),      // overlong
        std::string("\xed\xa0\x80"),      // surrogate D800
        std::string("\xf4\x90\x80\x80"),  // above U+10FFFF
        std::string("\xf5\x80\x80\x80"), std::string("\xe2\x82"),
        std::string("abcdefgh\xe2\x28\xa1")}) {
    EXPECT_FALSE(IsValidUtf8(s)) << s;
  }
  EXPECT_EQ(FirstInvalidUtf8Offset("abcdefghij\xff"), 10u);
}

TEST(Utf8Test, Utf16Length) {
  EXPECT_EQ(Utf16Length(""), 0u);
  EXPECT_EQ(Utf16Length("abc"), 3u);
  // "é𝄞": one BMP character and one supplementary (a surrogate pair).
  EXPECT_EQ(Utf16Length("\xc3\xa9\xf0\x9d\x84\x9e"), 3u);
}

}  // namespace
}  // namespace kstone::core
