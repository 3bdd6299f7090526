// Conditional writes and Updates convert the request's key first (to start
// loading the stored item early, Engine::Prefetch) but report a bad key only
// after the expressions' errors, as before: a request with a bad key and a
// bad expression gets the expression's error, one with a bad key alone the
// key's error (the one a Get of that key gets), and good requests after a
// prefetch of a missing key still write.

#include <string>

#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

class WriteErrorOrderTest : public testing::BackendTest {};

TEST_P(WriteErrorOrderTest, ExpressionErrorsComeBeforeKeyErrors) {
  absl::StatusOr<Database> db = CreateDb();  // partition key "pk", a string
  ASSERT_TRUE(db.ok()) << db.status();
  const Key good("k");
  const Key bad(Value::Number(7));  // the wrong type
  const absl::Status key_error = db->Get(bad).status();
  ASSERT_EQ(key_error.code(), absl::StatusCode::kInvalidArgument);

  // Update: a syntax error, an unused placeholder.
  for (const kstone::Update& update :
       {kstone::Update("SET = :one").Value(":one", Value::Number(1)),
        kstone::Update("SET n = :one")
            .Value(":one", Value::Number(1))
            .Value(":two", Value::Number(2))}) {
    const absl::Status want = db->Update(good, update).status();
    ASSERT_EQ(want.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(db->Update(bad, update).status(), want);
  }
  EXPECT_EQ(
      db->Update(bad,
                 kstone::Update("SET n = :one").Value(":one", Value::Number(1)))
          .status(),
      key_error);

  // Conditional Delete and Put: a condition that does not parse.
  const DeleteOptions bad_condition =
      DeleteOptions().Condition("attribute_exists(");
  const absl::Status want = db->Delete(good, bad_condition).status();
  ASSERT_EQ(want.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Delete(bad, bad_condition).status(), want);
  EXPECT_EQ(db->Delete(bad, DeleteOptions().Condition("attribute_exists(pk)"))
                .status(),
            key_error);
  const Item item = ItemBuilder().Number("n", 1).Build();
  EXPECT_EQ(db->Put(good, item, PutOptions().Condition("attribute_not_exists("))
                .status(),
            db->Put(bad, item, PutOptions().Condition("attribute_not_exists("))
                .status());

  // Nothing was written by any of them; good requests still are.
  absl::StatusOr<std::optional<Item>> got = db->Get(good);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
  ASSERT_TRUE(
      db->Put(good, item, PutOptions().Condition("attribute_not_exists(pk)"))
          .ok());
  absl::StatusOr<Item> updated = db->Update(
      good, kstone::Update("SET n = n + :one").Value(":one", Value::Number(1)));
  ASSERT_TRUE(updated.ok()) << updated.status();
  const Value* n = updated->Get("n");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(*n, Value::Number(2));
}

KSTONE_INSTANTIATE_BACKENDS(WriteErrorOrderTest);

}  // namespace
}  // namespace kstone
