#include "core/storage/bloom_filter.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

TEST(BloomFilterTest, NoFalseNegatives) {
  BloomFilterBuilder builder(10);
  for (int i = 0; i < 10000; ++i) builder.AddKey(absl::StrCat("key", i));
  std::string filter = builder.Build();
  for (int i = 0; i < 10000; ++i) {
    EXPECT_TRUE(BloomFilterMayContain(filter, absl::StrCat("key", i))) << i;
  }
}

TEST(BloomFilterTest, FalsePositiveRateNearOnePercent) {
  BloomFilterBuilder builder(10);
  for (int i = 0; i < 10000; ++i) builder.AddKey(absl::StrCat("key", i));
  std::string filter = builder.Build();
  int false_positives = 0;
  for (int i = 0; i < 10000; ++i) {
    false_positives += BloomFilterMayContain(filter, absl::StrCat("miss", i));
  }
  // 10 bits per key gives about 1%; allow noise.
  EXPECT_LT(false_positives, 300);
}

TEST(BloomFilterTest, MalformedFilterFiltersNothing) {
  EXPECT_TRUE(BloomFilterMayContain("", "x"));
  EXPECT_TRUE(BloomFilterMayContain(std::string(8, '\0') + '\x7f', "x"));
}

}  // namespace
}  // namespace kstone::core
