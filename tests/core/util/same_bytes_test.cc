#include "core/util/same_bytes.h"

#include <string>

#include "gtest/gtest.h"

namespace kstone::core {
namespace {

// Every length up to past five words, equal and differing at each single
// position (so the word loop, the overlapping last word and the byte loop
// each see a difference), against operator==.
TEST(SameBytesTest, AgreesWithEqualityAtEveryLengthAndPosition) {
  for (size_t n = 0; n <= 41; ++n) {
    std::string a(n, '\0');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    const std::string b = a;
    EXPECT_TRUE(SameBytes(a, b)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string c = a;
      c[i] = static_cast<char>(c[i] ^ 0x80);
      EXPECT_FALSE(SameBytes(a, c)) << n << " at " << i;
      EXPECT_FALSE(SameBytes(c, a)) << n << " at " << i;
    }
    EXPECT_FALSE(SameBytes(a, a + "x")) << n;
    if (n > 0) {
      EXPECT_FALSE(SameBytes(a, a.substr(0, n - 1))) << n;
    }
  }
}

}  // namespace
}  // namespace kstone::core
