#include "core/expr/document_path.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/expr/expr_test_util.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::expr {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;
using namespace ::kstone::core::expr::testing;  // NOLINT

DocumentPath Path(std::vector<PathElement> elements) {
  DocumentPath p;
  p.elements = std::move(elements);
  return p;
}
PathElement Name(std::string n) {
  PathElement e;
  e.name = std::move(n);
  return e;
}
PathElement Index(int32_t i) {
  PathElement e;
  e.index = i;
  return e;
}

TEST(DocumentPathTest, Strings) {
  DocumentPath p = Path({Name("a"), Name("b"), Index(1), Name("c")});
  EXPECT_EQ(p.ToString(), "[a, b, [1], c]");
  EXPECT_EQ(p.ToExpressionString(), "a.b[1].c");
  PathElement placeholder;
  placeholder.placeholder = "#n";
  EXPECT_EQ(Path({placeholder, Index(0)}).ToString(), "[#n, [0]]");
}

TEST(DocumentPathTest, DisjointOverlapAndConflict) {
  DocumentPath a = Path({Name("a")});
  DocumentPath ab = Path({Name("a"), Name("b")});
  DocumentPath ac = Path({Name("a"), Name("c")});
  DocumentPath a1 = Path({Name("a"), Index(1)});
  DocumentPath a2 = Path({Name("a"), Index(2)});
  KS_EXPECT_OK(CheckPathsDisjoint(ExpressionKind::kUpdate, {&ab, &ac}));
  KS_EXPECT_OK(CheckPathsDisjoint(ExpressionKind::kUpdate, {&a1, &a2}));
  EXPECT_THAT(CheckPathsDisjoint(ExpressionKind::kUpdate, {&ab, &a}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("overlap with each other; must remove or "
                                 "rewrite one of these paths; path one: [a, "
                                 "b], path two: [a]")));
  EXPECT_THAT(CheckPathsDisjoint(ExpressionKind::kProjection, {&ab, &a1}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Invalid ProjectionExpression: Two document "
                                 "paths conflict")));
}

TEST(DocumentPathTest, FindPath) {
  Item item = MakeItem(
      {{"a", M({{"b", L({N("0"), M({{"c", S("x")}})})}})}, {"s", S("str")}});
  EXPECT_EQ(*FindPath(item, Path({Name("a"), Name("b"), Index(1), Name("c")})),
            S("x"));
  EXPECT_EQ(FindPath(item, Path({Name("zz")})), nullptr);
  EXPECT_EQ(FindPath(item, Path({Name("a"), Name("b"), Index(2)})), nullptr);
  EXPECT_EQ(FindPath(item, Path({Name("a"), Index(0)})), nullptr);
  EXPECT_EQ(FindPath(item, Path({Name("s"), Name("x")})), nullptr);
  EXPECT_EQ(FindPath(item, DocumentPath()), nullptr);
}

}  // namespace
}  // namespace kstone::core::expr
