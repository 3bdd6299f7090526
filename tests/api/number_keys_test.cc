// Number keys: one value written in different ways is one key, through
// every operation with a key, on both backends, as partition and as sort
// key. (Value::Number keeps a number's canonical text, a plain decimal,
// which the api encodes into the key straight from the text: this checks
// the whole way from a caller's spelling to the stored key.)

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "kstone/kstone.h"
#include "tests/api/api_test_util.h"

namespace kstone {
namespace {

class NumberKeysTest : public testing::BackendTest {};

// Pairs of texts of one value: a plain decimal and another form.
const std::vector<std::pair<std::string, std::string>>& SameValues() {
  static const auto* const kPairs =
      new std::vector<std::pair<std::string, std::string>>{
          {"7", "7e0"},
          {"7", "+7"},
          {"7.5", "75e-1"},
          {"-0.5", "-5E-1"},
          {"-0.5", "-.5"},
          {"100", "1e2"},
          {"0", "-0e10"},
          {"0.001", "1e-3"},
          {"1764200000123", "1.764200000123e12"},
          {"12345678901234567890123456789012345678",
           "1.2345678901234567890123456789012345678E37"},
          {"-007.250", "-7.25"},
      };
  return *kPairs;
}

TEST_P(NumberKeysTest, OneValueWrittenTwoWaysIsOneKey) {
  absl::StatusOr<Database> db =
      CreateDb(TableSchema()
                   .PartitionKey("id", KeyType::kNumber)
                   .SortKey("at", KeyType::kNumber));
  ASSERT_TRUE(db.ok()) << db.status();
  int i = 0;
  for (const auto& [plain, other] : SameValues()) {
    SCOPED_TRACE(plain + " / " + other);
    // Put with one form, read, update, query and delete with the other;
    // then the same the other way round.
    for (int way = 0; way < 2; ++way) {
      const std::string& put_as = way == 0 ? plain : other;
      const std::string& read_as = way == 0 ? other : plain;
      const Value at = Value::Number(std::to_string(i++));
      ASSERT_TRUE(db->Put(Key(Value::Number(put_as), at),
                          ItemBuilder().Number("n", 1).Build())
                      .ok());
      absl::StatusOr<std::optional<Item>> got =
          db->Get(Key(Value::Number(read_as), at));
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_TRUE(got->has_value())
          << "put as " << put_as << ", read as " << read_as;
      // The sort key written the other way too.
      got = db->Get(Key(Value::Number(read_as), at));
      ASSERT_TRUE(got.ok());
      absl::StatusOr<Item> updated = db->Update(
          Key(Value::Number(read_as), at),
          kstone::Update("SET n = n + :one").Value(":one", Value::Number(1)));
      ASSERT_TRUE(updated.ok()) << updated.status();
      absl::StatusOr<QueryResult> q =
          db->Query(kstone::Query(Value::Number(read_as)).SortKeyEquals(at));
      ASSERT_TRUE(q.ok()) << q.status();
      ASSERT_EQ(q->items.size(), 1u);
      EXPECT_EQ(q->items[0].Get("n")->AsNumber(), "2");
      ASSERT_TRUE(db->Delete(Key(Value::Number(read_as), at)).ok());
      got = db->Get(Key(Value::Number(put_as), at));
      ASSERT_TRUE(got.ok());
      EXPECT_FALSE(got->has_value()) << "deleted as " << read_as;
    }
  }
  // Sort keys: the plain form in the item's key, the other in the query.
  for (const auto& [plain, other] : SameValues()) {
    SCOPED_TRACE(plain + " / " + other);
    ASSERT_TRUE(db->Put(Key(Value::Number(1), Value::Number(plain)),
                        ItemBuilder().Build())
                    .ok());
    absl::StatusOr<std::optional<Item>> got =
        db->Get(Key(Value::Number(1), Value::Number(other)));
    ASSERT_TRUE(got.ok());
    EXPECT_TRUE(got->has_value());
  }
}

KSTONE_INSTANTIATE_BACKENDS(NumberKeysTest);

}  // namespace
}  // namespace kstone
