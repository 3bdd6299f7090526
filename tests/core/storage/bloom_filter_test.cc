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

TEST(BloomFilterTest, PrefetchReadsNothingItShouldNot) {
  // Prefetch only hints at lines inside the filter: on any filter, even a
  // malformed one, it neither faults nor changes an answer.
  BloomFilterBuilder builder(10);
  for (int i = 0; i < 100; ++i) builder.AddKey(absl::StrCat("key", i));
  const std::string filter = builder.Build();
  for (const std::string& f :
       {filter, std::string(), std::string(1, '\x05'),
        std::string(8, '\0') + '\x7f', std::string(8, '\0') + '\x00'}) {
    for (int i = 0; i < 100; ++i) {
      const std::string key = absl::StrCat("key", i);
      const bool before = BloomFilterMayContain(f, key);
      BloomFilterPrefetch(f, key);
      EXPECT_EQ(BloomFilterMayContain(f, key), before);
    }
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(BloomFilterMayContain(filter, absl::StrCat("key", i)));
  }
}

}  // namespace
}  // namespace kstone::core
