#include "core/expr/update_expression.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/expr/expr_test_util.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core::expr {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::HasSubstr;
using namespace ::kstone::core::expr::testing;  // NOLINT
using Type = UpdateAction::Type;

class UpdateExpressionTest : public ::testing::Test {
 protected:
  UpdateExpressionTest() {
    schema_.partition = {"pk", ValueType::kString};
    schema_.sort = KeyAttribute{"sk", ValueType::kString};
    values_[":one"] = N("1");
    values_[":two"] = N("2");
    values_[":zero"] = N("0");
    values_[":s"] = S("str");
    values_[":x"] = S("x");
    values_[":y"] = S("y");
    values_[":17"] = N("17");
    values_[":l"] = L({N("9")});
    values_[":empty"] = L({});
    values_[":ss"] = SS({"c", "a"});
    values_[":big"] = N("1e22");
    values_[":huge"] = N("9.9e125");
    values_[":e50"] = N("1e50");
    names_["#n"] = "n";
    names_["#pk"] = "pk";
  }

  absl::StatusOr<UpdateExpression> Prepare(absl::string_view text) {
    absl::StatusOr<UpdateExpression> u = UpdateExpression::Parse(text);
    if (!u.ok()) return u.status();
    absl::Status s = u->Resolve({&names_, &values_}, &schema_);
    if (!s.ok()) return s;
    return u;
  }
  // Applies `text` to `item` (null: no item).
  absl::StatusOr<Item> Apply(absl::string_view text, const Item* item) {
    absl::StatusOr<UpdateExpression> u = Prepare(text);
    if (!u.ok()) return u.status();
    return u->Apply(item);
  }
  Item MustApply(absl::string_view text, const Item& item) {
    absl::StatusOr<Item> r = Apply(text, &item);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    return r.ok() ? *r : Item();
  }
  void ExpectPrepareError(absl::string_view text, absl::string_view message) {
    EXPECT_THAT(Prepare(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr(std::string(message))))
        << text;
  }
  void ExpectApplyError(absl::string_view text, const Item* item,
                        absl::string_view message) {
    EXPECT_THAT(Apply(text, item), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr(std::string(message))))
        << text;
  }

  KeySchema schema_;
  AttributeNames names_;
  AttributeValues values_;
};

TEST_F(UpdateExpressionTest, ParsesAllClausesInAnyOrderAndCase) {
  KS_ASSERT_OK_AND_ASSIGN(
      UpdateExpression u,
      UpdateExpression::Parse("delete d :ss Add c :one REMOVE b, b2[1] "
                              "sEt a = :x, a2 = a3 + :one"));
  ASSERT_EQ(u.actions().size(), 6u);
  EXPECT_EQ(u.actions()[0].type, Type::kDelete);
  EXPECT_EQ(u.actions()[1].type, Type::kAdd);
  EXPECT_EQ(u.actions()[2].type, Type::kRemove);
  EXPECT_EQ(u.actions()[3].type, Type::kRemove);
  EXPECT_EQ(u.actions()[4].type, Type::kSet);
  EXPECT_EQ(u.actions()[5].set.arithmetic, '+');
  KS_EXPECT_OK(UpdateExpression::Parse("SET a = (b + :c)"));
  KS_EXPECT_OK(UpdateExpression::Parse("SET a = (b) - (:c)"));
  KS_EXPECT_OK(UpdateExpression::Parse(
      "SET a = if_not_exists(a, :z) + :v, b = list_append(if_not_exists(b, "
      ":e), :l), c = if_not_exists(c, if_not_exists(d, :v))"));
  KS_EXPECT_OK(
      UpdateExpression::Parse("SET a = list_append(b, c) + if_not_exists(d, "
                              ":e)"));
}

TEST_F(UpdateExpressionTest, SyntaxErrors) {
  EXPECT_THAT(UpdateExpression::Parse("SET _123 = :val1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Invalid UpdateExpression: Syntax error; token: \"_\", "
                       "near: \"SET _123\", position: 4"));
  const char* bad[] = {
      "SET a = :a + :b + :c",
      "SET a = list_append(b + :c, :d)",
      "SET :v = a",
      "SET a :v",
      "ADD a b",
      "DELETE a",
      "REMOVE",
      "SET a = :v FOO b = :v",
      "SET a = :v,",
      "UPSERT a = :v",
      "SET a = ((b + :c))",
      "SET a = :v REMOVE b SET",
  };
  for (const char* text : bad) {
    EXPECT_THAT(UpdateExpression::Parse(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("Invalid UpdateExpression: Syntax error")))
        << text;
  }
  EXPECT_THAT(UpdateExpression::Parse(""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Invalid UpdateExpression: The expression can not be "
                       "empty;"));
}

TEST_F(UpdateExpressionTest, EachClauseOnce) {
  EXPECT_THAT(UpdateExpression::Parse("SET a = :v SET b = :v"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Invalid UpdateExpression: The \"SET\" section can "
                       "only be used once in an update expression;"));
  EXPECT_THAT(UpdateExpression::Parse("REMOVE a ADD b :v remove c"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("The \"REMOVE\" section")));
}

TEST_F(UpdateExpressionTest, FunctionErrors) {
  auto expect = [](absl::string_view text, absl::string_view message) {
    EXPECT_THAT(UpdateExpression::Parse(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(std::string(message))))
        << text;
  };
  expect("SET a = size(b)", "Invalid function name; function: size");
  expect("SET a = dog(b)", "Invalid function name; function: dog");
  expect("SET a = LIST_APPEND(a, :l)", "function: LIST_APPEND");
  expect("SET a = if_not_exists(:v, b)",
         "Operator or function requires a document path; operator or "
         "function: if_not_exists");
  expect("SET a = if_not_exists(b)",
         "Incorrect number of operands for operator or function; operator or "
         "function: if_not_exists, number of operands: 1");
  expect("SET a = list_append(list_append(a, :l), :l)",
         "The function is not allowed to be used this way in an expression; "
         "function: list_append");
  expect("SET year = :v",
         "Attribute name is a reserved keyword; reserved keyword: year");
}

TEST_F(UpdateExpressionTest, OverlappingAndConflictingPaths) {
  ExpectPrepareError("SET a = :one REMOVE a",
                     "Invalid UpdateExpression: Two document paths overlap "
                     "with each other; must remove or rewrite one of these "
                     "paths; path one: [a], path two: [a]");
  ExpectPrepareError("SET a.b = :one, a = :two",
                     "path one: [a, b], path two: [a]");
  ExpectPrepareError("SET a[1] = :one REMOVE a[1][1]",
                     "path one: [a, [1]], path two: [a, [1], [1]]");
  ExpectPrepareError("SET a.b = :one REMOVE a[1]",
                     "Invalid UpdateExpression: Two document paths conflict "
                     "with each other; must remove or rewrite one of these "
                     "paths; path one: [a, b], path two: [a, [1]]");
  ExpectPrepareError("SET #n = :one REMOVE n", "overlap");  // after #n -> n
  KS_EXPECT_OK(Prepare("SET a.b = :one, a.c.d = :two REMOVE a.e, a.c.f"));
  KS_EXPECT_OK(Prepare("SET a[1] = :one, a[2] = :two"));
}

TEST_F(UpdateExpressionTest, KeyAttributesCannotBeUpdated) {
  ExpectPrepareError("SET pk = :s",
                     "One or more parameter values were invalid: Cannot "
                     "update attribute pk. This attribute is part of the key");
  ExpectPrepareError("REMOVE sk", "Cannot update attribute sk");
  ExpectPrepareError("ADD #pk :one", "Cannot update attribute pk");
  KS_EXPECT_OK(Prepare("SET a = pk"));  // reading a key is fine
}

TEST_F(UpdateExpressionTest, ConstantTypes) {
  ExpectPrepareError("ADD a :s",
                     "Invalid UpdateExpression: Incorrect operand type for "
                     "operator or function; operator: ADD, operand type: "
                     "STRING");
  ExpectPrepareError("ADD a :l", "operator: ADD, operand type: LIST");
  ExpectPrepareError("DELETE a :one", "operator: DELETE, operand type: NUMBER");
  ExpectPrepareError("SET a = :s + :one",
                     "Incorrect operand type for operator or function; "
                     "operator or function: +, operand type: S");
  ExpectPrepareError("SET a = b - :l", "operator or function: -");
  ExpectPrepareError("SET a = list_append(a, :s)",
                     "operator or function: list_append, operand type: S");
  KS_EXPECT_OK(Prepare("ADD a :one, b :ss DELETE c :ss"));
}

TEST_F(UpdateExpressionTest, UndefinedAndUnusedPlaceholders) {
  ExpectPrepareError("SET a = :nope",
                     "Invalid UpdateExpression: An expression attribute value "
                     "used in expression is not defined; attribute value: "
                     ":nope");
  ExpectPrepareError("REMOVE #nope", "attribute name: #nope");
  KS_ASSERT_OK_AND_ASSIGN(UpdateExpression u, Prepare("SET #n = :one"));
  PlaceholderUse use;
  u.CollectPlaceholders(&use);
  EXPECT_THAT(CheckAllPlaceholdersUsed({&names_, &values_}, use),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Value provided in ExpressionAttributeNames "
                                 "unused in expressions: keys: {#pk}")));
}

TEST_F(UpdateExpressionTest, UsesAllPlaceholdersCountsDistinctOnes) {
  KS_ASSERT_OK_AND_ASSIGN(UpdateExpression u,
                          UpdateExpression::Parse("SET #n = :one + :one, "
                                                  "#m = #n REMOVE x"));
  AttributeNames names = {{"#n", "n"}, {"#m", "m"}};
  AttributeValues values = {{":one", N("1")}};
  EXPECT_FALSE(u.UsesAllPlaceholders({&names, &values}));  // not resolved
  KS_ASSERT_OK(u.Resolve({&names, &values}, "pk", ""));
  EXPECT_TRUE(u.UsesAllPlaceholders({&names, &values}));
  PlaceholderUse use;
  u.CollectPlaceholders(&use);
  KS_EXPECT_OK(CheckAllPlaceholdersUsed({&names, &values}, use));
  // One more of either kind defined: not all used.
  AttributeValues more_values = values;
  more_values[":two"] = N("2");
  KS_ASSERT_OK(u.Resolve({&names, &more_values}, "pk", ""));
  EXPECT_FALSE(u.UsesAllPlaceholders({&names, &more_values}));
  AttributeNames more_names = names;
  more_names["#o"] = "o";
  KS_ASSERT_OK(u.Resolve({&more_names, &values}, "pk", ""));
  EXPECT_FALSE(u.UsesAllPlaceholders({&more_names, &values}));
  // A failed Resolve: false.
  EXPECT_FALSE(u.Resolve({nullptr, &values}, "pk", "").ok());
  EXPECT_FALSE(u.UsesAllPlaceholders({&names, &values}));
  // No placeholders at all.
  KS_ASSERT_OK_AND_ASSIGN(UpdateExpression plain,
                          UpdateExpression::Parse("REMOVE a"));
  KS_ASSERT_OK(plain.Resolve({nullptr, nullptr}, "pk", "sk"));
  EXPECT_TRUE(plain.UsesAllPlaceholders({nullptr, nullptr}));
}

TEST_F(UpdateExpressionTest, KeyAttributesByName) {
  AttributeValues values = {{":v", N("1")}};
  for (const char* text : {"SET pk = :v", "SET sk = :v", "REMOVE sk"}) {
    SCOPED_TRACE(text);
    KS_ASSERT_OK_AND_ASSIGN(UpdateExpression u, UpdateExpression::Parse(text));
    absl::Status s = u.Resolve({nullptr, &values}, "pk", "sk");
    if (std::string(text) == "REMOVE sk") s = u.Resolve({}, "pk", "sk");
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                            HasSubstr("This attribute is part of the key")));
  }
  // Without a sort key, "sk" is an ordinary attribute.
  KS_ASSERT_OK_AND_ASSIGN(UpdateExpression u,
                          UpdateExpression::Parse("SET sk = :v"));
  KS_EXPECT_OK(u.Resolve({nullptr, &values}, "pk", ""));
}

TEST_F(UpdateExpressionTest, SetReplacesAndCreates) {
  Item item = MakeItem({{"pk", S("k")}, {"a", N("5")}});
  Item out = MustApply("SET a = :s, b = :l, #n = a", item);
  EXPECT_EQ(out, MakeItem({{"pk", S("k")},
                           {"a", S("str")},
                           {"b", L({N("9")})},
                           {"n", N("5")}}));
  KS_ASSERT_OK_AND_ASSIGN(Item created, Apply("SET a = :one", nullptr));
  EXPECT_EQ(created, MakeItem({{"a", N("1")}}));
}

TEST_F(UpdateExpressionTest, RightHandSidesReadTheOldItem) {
  Item item = MakeItem({{"a", N("1")}, {"x", N("3")}});
  EXPECT_EQ(MustApply("REMOVE a SET b = a", item),
            MakeItem({{"b", N("1")}, {"x", N("3")}}));
  EXPECT_EQ(MustApply("SET a = x, x = a", item),
            MakeItem({{"a", N("3")}, {"x", N("1")}}));
  Item empty;
  ExpectApplyError("SET x = :one, y = x", &empty,
                   "The provided expression refers to an attribute that does "
                   "not exist in the item");
  ExpectApplyError("SET b = b + :one", &item, "does not exist in the item");
  EXPECT_EQ(MustApply("SET b = if_not_exists(b, :zero) + :one", item),
            MakeItem({{"a", N("1")}, {"b", N("1")}, {"x", N("3")}}));
  EXPECT_EQ(MustApply("SET a = if_not_exists(a, :zero) + :one", item),
            MakeItem({{"a", N("2")}, {"x", N("3")}}));
}

TEST_F(UpdateExpressionTest, ExactArithmetic) {
  Item item = MakeItem({{"big", N("1e22")},
                        {"huge", N("9.9e125")},
                        {"e50", N("1e50")},
                        {"s", S("x")}});
  EXPECT_EQ(*MustApply("SET r = big + :one", item).Get("r"),
            N("10000000000000000000001"));
  EXPECT_EQ(*MustApply("SET r = :one - big", item).Get("r"),
            N("-9999999999999999999999"));
  ExpectApplyError("SET r = huge + :huge", &item, "Number overflow");
  ExpectApplyError("SET r = e50 + :one", &item, "");
  ExpectApplyError("SET r = s + :one", &item,
                   "An operand in the update expression has an incorrect data "
                   "type");
}

TEST_F(UpdateExpressionTest, NestedSet) {
  Item item = MakeItem(
      {{"m", M({{"x", N("1")}})}, {"l", L({N("0"), N("1")})}, {"s", S("str")}});
  EXPECT_EQ(*MustApply("SET m.y = :two, m.x = :zero", item).Get("m"),
            M({{"x", N("0")}, {"y", N("2")}}));
  EXPECT_EQ(*MustApply("SET l[1] = :s", item).Get("l"), L({N("0"), S("str")}));
  const char* invalid =
      "The document path provided in the update expression "
      "is invalid for update";
  ExpectApplyError("SET zz.y = :one", &item, invalid);
  ExpectApplyError("SET s.y = :one", &item, invalid);
  ExpectApplyError("SET m[0] = :one", &item, invalid);
  ExpectApplyError("SET l.a = :one", &item, invalid);
  ExpectApplyError("SET m.zz.y = :one", &item, invalid);
  ExpectApplyError("SET a.b = :one", nullptr, invalid);
}

TEST_F(UpdateExpressionTest, SetPastTheEndAppendsInIndexOrder) {
  Item item = MakeItem({{"a", L({N("1"), N("2")})}});
  EXPECT_EQ(*MustApply("SET a[10] = :x, a[7] = :y", item).Get("a"),
            L({N("1"), N("2"), S("y"), S("x")}));
}

TEST_F(UpdateExpressionTest, ListIndexesReferToTheListBeforeTheUpdate) {
  Item item =
      MakeItem({{"a", L({N("2"), N("3"), N("4"), N("5"), N("6"), N("7")})}});
  EXPECT_EQ(*MustApply("REMOVE a[1] SET a[3] = :17", item).Get("a"),
            L({N("2"), N("4"), N("17"), N("6"), N("7")}));
  EXPECT_EQ(*MustApply("REMOVE a[1], a[2], a[17]", item).Get("a"),
            L({N("2"), N("5"), N("6"), N("7")}));
}

TEST_F(UpdateExpressionTest, Remove) {
  Item item = MakeItem({{"a", N("1")},
                        {"m", M({{"x", N("1")}})},
                        {"l", L({N("1")})},
                        {"s", S("str")}});
  EXPECT_EQ(MustApply("REMOVE zz, m.zz, l[5]", item), item);
  Item out = MustApply("REMOVE a, m.x, l[0]", item);
  EXPECT_EQ(out, MakeItem({{"m", M({})}, {"l", L({})}, {"s", S("str")}}));
  ExpectApplyError("REMOVE zz.y", &item, "invalid for update");
  ExpectApplyError("REMOVE s.y", &item, "invalid for update");
  // On a missing item a REMOVE below a missing attribute is ignored.
  KS_ASSERT_OK_AND_ASSIGN(Item none, Apply("REMOVE zz.y, a", nullptr));
  EXPECT_TRUE(none.empty());
}

TEST_F(UpdateExpressionTest, AddNumbersAndSets) {
  Item item = MakeItem({{"n", N("5")},
                        {"ns", NS({"1", "2", "3"})},
                        {"ss", SS({"b"})},
                        {"m", M({{"c", N("1")}})}});
  values_[":ns"] = NS({"1.0", "2.00"});
  Item out = MustApply("ADD n :two, zz :one, ns :ns, ss :ss, yy :ss", item);
  EXPECT_EQ(*out.Get("n"), N("7"));
  EXPECT_EQ(*out.Get("zz"), N("1"));               // absent counts as 0
  EXPECT_EQ(*out.Get("ns"), NS({"1", "2", "3"}));  // normalised numbers
  EXPECT_EQ(*out.Get("ss"), SS({"a", "b", "c"}));
  EXPECT_EQ(*out.Get("yy"), SS({"a", "c"}));  // absent counts as empty
  EXPECT_EQ(*MustApply("ADD m.c :one", item).Get("m"), M({{"c", N("2")}}));
  ExpectApplyError("ADD n :ss", &item,
                   "An operand in the update expression has an incorrect data "
                   "type");
  ExpectApplyError("ADD ss :one", &item, "incorrect data type");
  KS_ASSERT_OK_AND_ASSIGN(Item created, Apply("ADD c :one", nullptr));
  EXPECT_EQ(created, MakeItem({{"c", N("1")}}));
}

TEST_F(UpdateExpressionTest, DeleteFromSets) {
  Item item = MakeItem({{"ns", NS({"10.0", "20", "30"})},
                        {"ss", SS({"a", "c"})},
                        {"n", N("1")}});
  values_[":del"] = NS({"10", "2e1"});
  Item out = MustApply("DELETE ns :del, ss :ss, zz :ss", item);
  EXPECT_EQ(*out.Get("ns"), NS({"30"}));
  EXPECT_EQ(out.Get("ss"), nullptr);  // became empty: removed
  EXPECT_EQ(out.Get("zz"), nullptr);
  values_[":other"] = SS({"q"});
  EXPECT_EQ(*MustApply("DELETE ss :other", item).Get("ss"), SS({"a", "c"}));
  ExpectApplyError("DELETE n :ss", &item, "incorrect data type");
  ExpectApplyError("DELETE ns :ss", &item, "incorrect data type");
}

TEST_F(UpdateExpressionTest, ListAppend) {
  Item item = MakeItem({{"l", L({N("1")})}, {"s", S("x")}});
  EXPECT_EQ(*MustApply("SET l = list_append(l, :l)", item).Get("l"),
            L({N("1"), N("9")}));
  EXPECT_EQ(*MustApply("SET l = list_append(:l, l)", item).Get("l"),
            L({N("9"), N("1")}));
  EXPECT_EQ(
      *MustApply("SET n = list_append(if_not_exists(n, :empty), :l)", item)
           .Get("n"),
      L({N("9")}));
  ExpectApplyError("SET l = list_append(s, :l)", &item, "incorrect data type");
}

TEST_F(UpdateExpressionTest, OnlyRemovesOrDeletesAndTargets) {
  KS_ASSERT_OK_AND_ASSIGN(UpdateExpression u, Prepare("REMOVE a DELETE b :ss"));
  EXPECT_TRUE(u.OnlyRemovesOrDeletes());
  KS_ASSERT_OK_AND_ASSIGN(UpdateExpression v, Prepare("REMOVE a SET b.c = :x"));
  EXPECT_FALSE(v.OnlyRemovesOrDeletes());
  ASSERT_EQ(v.TargetPaths().size(), 2u);
  EXPECT_EQ(v.TargetPaths()[1]->ToString(), "[b, c]");
}

}  // namespace
}  // namespace kstone::core::expr
