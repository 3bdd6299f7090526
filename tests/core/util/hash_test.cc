#include "core/util/hash.h"

#include "gtest/gtest.h"

namespace kstone::core {
namespace {

// Reference values of xxHash 0.8.x; a change here would move every key to
// another stripe and invalidate every checksum on disk.
TEST(HashTest, Xxh3ReferenceValues) {
  EXPECT_EQ(Hash64("abc"), 0x78af5f94892f3950ULL);
  EXPECT_EQ(Checksum32("abc"), 0x892f3950u);
}

TEST(HashTest, SeedChangesHash) {
  EXPECT_NE(Hash64("abc", 1), Hash64("abc", 2));
}

}  // namespace
}  // namespace kstone::core
