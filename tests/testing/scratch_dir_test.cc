#include "tests/testing/scratch_dir.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kstone::testing {
namespace {

using ::testing::StartsWith;

namespace fs = std::filesystem;

TEST(ScratchDirTest, MakesAnEmptyDirectoryNamedAfterTheTest) {
  ScratchDir dir;
  EXPECT_TRUE(fs::is_directory(dir.path()));
  EXPECT_TRUE(fs::is_empty(dir.path()));
  EXPECT_EQ(fs::path(dir.path()).parent_path(), fs::temp_directory_path());
  EXPECT_THAT(fs::path(dir.path()).filename().string(),
              StartsWith("kstone_ScratchDirTest_"
                         "MakesAnEmptyDirectoryNamedAfterTheTest_"));
  EXPECT_EQ(dir.Sub("db"), dir.path() + "/db");
  EXPECT_FALSE(fs::exists(dir.Sub("db")));
}

TEST(ScratchDirTest, EachIsFresh) {
  ScratchDir a;
  ScratchDir b;
  EXPECT_NE(a.path(), b.path());
}

TEST(ScratchDirTest, RemovesItselfAndItsContents) {
  std::string path;
  {
    ScratchDir dir;
    path = dir.path();
    fs::create_directories(dir.Sub("db/nested"));
    std::ofstream(dir.Sub("db/nested/file")) << "data";
    ASSERT_TRUE(fs::exists(dir.Sub("db/nested/file")));
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(ScratchDirDeathTest, AbortsWhenItCannotBeMade) {
  EXPECT_DEATH(
      {
        setenv("TMPDIR", "/nonexistent/kstone-scratch", 1);
        ScratchDir dir;
      },
      "ScratchDir: cannot create");
}

class ScratchDirParamTest : public ::testing::TestWithParam<int> {};

TEST_P(ScratchDirParamTest, ParameterisedNamesBecomeOneFileName) {
  ScratchDir dir;
  const std::string name = fs::path(dir.path()).filename().string();
  EXPECT_THAT(name, StartsWith("kstone_Values_ScratchDirParamTest_"));
  // "Values/ScratchDirParamTest.Parameterised…/0" is one name, directly in
  // the temp dir.
  EXPECT_EQ(fs::path(dir.path()).parent_path(), fs::temp_directory_path());
  EXPECT_TRUE(fs::is_directory(dir.path()));
}

INSTANTIATE_TEST_SUITE_P(Values, ScratchDirParamTest, ::testing::Values(7));

}  // namespace
}  // namespace kstone::testing
