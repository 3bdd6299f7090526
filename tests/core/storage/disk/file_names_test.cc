#include "core/storage/disk/file_names.h"

#include "gtest/gtest.h"

namespace kstone::core {
namespace {

TEST(FileNamesTest, NamesRoundTrip) {
  EXPECT_EQ(WalSegmentName(12), "000012.log");
  EXPECT_EQ(WalSegmentName(12345678), "12345678.log");
  EXPECT_EQ(ManifestName(3), "MANIFEST-000003");
  uint64_t n = 0;
  ASSERT_TRUE(ParseWalSegmentName("000012.log", &n));
  EXPECT_EQ(n, 12u);
  ASSERT_TRUE(ParseManifestName("MANIFEST-000003", &n));
  EXPECT_EQ(n, 3u);
}

TEST(FileNamesTest, OtherNamesDoNotParse) {
  uint64_t n = 0;
  for (const char* name : {".log", "x.log", "12.log.tmp", "000012.sst",
                           "-1.log", "99999999999999999999.log", "LOG"}) {
    EXPECT_FALSE(ParseWalSegmentName(name, &n)) << name;
  }
  for (const char* name : {"MANIFEST-", "MANIFEST-x", "MANIFEST-1a", "CURRENT",
                           "manifest-000001"}) {
    EXPECT_FALSE(ParseManifestName(name, &n)) << name;
  }
}

TEST(FileNamesTest, Paths) {
  EXPECT_EQ(JoinPath("/db", "CURRENT"), "/db/CURRENT");
  EXPECT_EQ(JoinPath("/db/", "CURRENT"), "/db/CURRENT");
  EXPECT_EQ(JoinPath("", "CURRENT"), "CURRENT");
  EXPECT_EQ(ParentDir("/a/b/c"), "/a/b");
  EXPECT_EQ(ParentDir("/a"), "/");
  EXPECT_EQ(ParentDir("a"), "");
}

}  // namespace
}  // namespace kstone::core
