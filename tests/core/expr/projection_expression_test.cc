#include "core/expr/projection_expression.h"

#include <string>
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

class ProjectionExpressionTest : public ::testing::Test {
 protected:
  ProjectionExpressionTest() {
    item_ = MakeItem({
        {"pk", S("k")},
        {"a", M({{"b", L({N("0"), N("1"), N("2")})}, {"c", N("1")}})},
        {"x", N("5")},
        {"l", L({M({{"q", S("q0")}, {"r", S("r0")}}), M({{"q", S("q1")}})})},
        {"a.b", S("dotted")},
    });
    names_["#ab"] = "a.b";
    names_["#a"] = "a";
  }

  absl::StatusOr<Item> Project(absl::string_view text) {
    absl::StatusOr<ProjectionExpression> p = ProjectionExpression::Parse(text);
    if (!p.ok()) return p.status();
    absl::Status s = p->Resolve({&names_, nullptr});
    if (!s.ok()) return s;
    return p->Apply(item_);
  }
  Item MustProject(absl::string_view text) {
    absl::StatusOr<Item> r = Project(text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    return r.ok() ? *r : Item();
  }
  void ExpectError(absl::string_view text, absl::string_view message) {
    EXPECT_THAT(Project(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr(std::string(message))))
        << text;
  }

  Item item_;
  AttributeNames names_;
};

TEST_F(ProjectionExpressionTest, TopLevelAttributes) {
  EXPECT_EQ(MustProject("x, pk"), MakeItem({{"pk", S("k")}, {"x", N("5")}}));
  EXPECT_EQ(MustProject("x"), MakeItem({{"x", N("5")}}));  // keys only if named
}

TEST_F(ProjectionExpressionTest, NestedPathsKeepTheStructure) {
  EXPECT_EQ(MustProject("a.b[0]"), MakeItem({{"a", M({{"b", L({N("0")})}})}}));
  EXPECT_EQ(MustProject("a.b[2], a.b[0], a.c"),
            MakeItem({{"a", M({{"b", L({N("0"), N("2")})}, {"c", N("1")}})}}));
  EXPECT_EQ(MustProject("l[1].q, l[0].r"),
            MakeItem({{"l", L({M({{"r", S("r0")}}), M({{"q", S("q1")}})})}}));
}

TEST_F(ProjectionExpressionTest, MissingPathsAreOmitted) {
  EXPECT_EQ(MustProject("zz, a.zz, a.b[9], x.y, l[5], pk[0]"), Item());
  EXPECT_EQ(MustProject("zz, x"), MakeItem({{"x", N("5")}}));
}

TEST_F(ProjectionExpressionTest, PlaceholderIsOneComponent) {
  EXPECT_EQ(MustProject("#ab"), MakeItem({{"a.b", S("dotted")}}));
  EXPECT_EQ(MustProject("#a.c"), MakeItem({{"a", M({{"c", N("1")}})}}));
}

TEST_F(ProjectionExpressionTest, OverlapAndConflict) {
  ExpectError("a, a",
              "Invalid ProjectionExpression: Two document paths overlap with "
              "each other; must remove or rewrite one of these paths; path "
              "one: [a], path two: [a]");
  ExpectError("a, a.b[0]", "path one: [a], path two: [a, b, [0]]");
  ExpectError("#a.c, a", "overlap");
  ExpectError("a.b, a[1]",
              "Invalid ProjectionExpression: Two document paths conflict with "
              "each other; must remove or rewrite one of these paths; path "
              "one: [a, b], path two: [a, [1]]");
  KS_EXPECT_OK(Project("a.b, a.c"));
}

TEST_F(ProjectionExpressionTest, Errors) {
  ExpectError("",
              "Invalid ProjectionExpression: The expression can not be "
              "empty;");
  ExpectError("a,", "Syntax error; token: \"<EOF>\"");
  ExpectError(",a", "Syntax error; token: \",\"");
  ExpectError("a b", "Syntax error; token: \"b\"");
  ExpectError(":v", "Syntax error");
  ExpectError("size(a)", "Syntax error");
  ExpectError("name", "reserved keyword: name");
  ExpectError("#zz",
              "An expression attribute name used in the document path "
              "is not defined; attribute name: #zz");
  std::string deep = "a";
  for (int i = 0; i < 32; ++i) deep += ".b";
  ExpectError(deep,
              "Invalid ProjectionExpression: The document path has too many "
              "nesting levels; nesting levels: 33");
}

TEST_F(ProjectionExpressionTest, FromPaths) {
  KS_ASSERT_OK_AND_ASSIGN(ProjectionExpression p,
                          ProjectionExpression::Parse("a.c, x"));
  KS_ASSERT_OK(p.Resolve({}));
  KS_ASSERT_OK_AND_ASSIGN(ProjectionExpression q,
                          ProjectionExpression::FromPaths(p.paths()));
  EXPECT_EQ(q.Apply(item_), p.Apply(item_));
  std::vector<DocumentPath> overlapping = {p.paths()[0], p.paths()[0]};
  EXPECT_FALSE(ProjectionExpression::FromPaths(overlapping).ok());
}

TEST_F(ProjectionExpressionTest, FromPathsWrittenWithNamePlaceholders) {
  // Paths resolved elsewhere (an update's targets, `SET #n.c = :v`) keep
  // their names; FromPaths has no names map and must not need one.
  KS_ASSERT_OK_AND_ASSIGN(ProjectionExpression p,
                          ProjectionExpression::Parse("#n.c, x"));
  AttributeNames names = {{"#n", "a"}};
  KS_ASSERT_OK(p.Resolve({&names, nullptr}));
  KS_ASSERT_OK_AND_ASSIGN(ProjectionExpression q,
                          ProjectionExpression::FromPaths(p.paths()));
  EXPECT_EQ(q.Apply(item_), p.Apply(item_));
}

TEST_F(ProjectionExpressionTest, CollectsPlaceholders) {
  KS_ASSERT_OK_AND_ASSIGN(ProjectionExpression p,
                          ProjectionExpression::Parse("#a.c, x"));
  PlaceholderUse use;
  p.CollectPlaceholders(&use);
  EXPECT_EQ(use.expressions(), 1);
  EXPECT_TRUE(use.UsesName("#a"));
  EXPECT_FALSE(use.UsesName("#ab"));
}

}  // namespace
}  // namespace kstone::core::expr
