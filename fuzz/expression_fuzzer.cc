// libFuzzer target: arbitrary bytes as each kind of expression. Parsing,
// resolving against fixed placeholder maps, and evaluating/applying against a
// fixed item must never crash, whatever the input; errors are fine.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "core/expr/condition_expression.h"
#include "core/expr/key_condition.h"
#include "core/expr/placeholders.h"
#include "core/expr/projection_expression.h"
#include "core/expr/update_expression.h"
#include "core/types/item.h"
#include "core/types/key.h"
#include "core/types/number.h"
#include "core/types/value.h"

namespace {

using kstone::core::Item;
using kstone::core::KeyAttribute;
using kstone::core::KeySchema;
using kstone::core::Number;
using kstone::core::Value;
using kstone::core::ValueType;
namespace expr = kstone::core::expr;

struct Fixture {
  Fixture() {
    names["#a"] = "a";
    names["#b"] = "b";
    names["#l"] = "l";
    names["#dot"] = "a.b";
    values[":n"] = Value::Num(Number::FromInt64(7));
    values[":big"] = Value::Num(Number::FromInt64(9223372036854775807LL));
    values[":s"] = Value::String("ab");
    values[":b"] = Value::Binary(std::string("\x80\x00", 2));
    values[":l"] = Value::List({Value::String("x"), Value::Null()});
    values[":m"] = Value::Map({{"a", Value::Bool(true)}});
    values[":ss"] = Value::StringSet({"a", "b"});
    values[":ns"] = Value::NumberSet({Number::FromInt64(1)});
    values[":t"] = Value::String("S");
    item = Item({{"a", Value::Map({{"b", Value::List({Value::String("q")})}})},
                 {"l", Value::List({Value::Num(Number::FromInt64(1)),
                                    Value::List({})})},
                 {"n", Value::Num(Number::FromInt64(3))},
                 {"s", Value::String("abc")},
                 {"ss", Value::StringSet({"a"})},
                 {"pk", Value::String("k")}});
    schema.partition = KeyAttribute{"pk", ValueType::kString};
    schema.sort = KeyAttribute{"n", ValueType::kNumber};
  }

  expr::AttributeNames names;
  expr::AttributeValues values;
  Item item;
  KeySchema schema;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* fixture = new Fixture();
  if (size == 0) return 0;
  const int mode = data[0] % 5;
  absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const expr::ExpressionAttributes attrs{&fixture->names, &fixture->values};
  expr::PlaceholderUse use;
  switch (mode) {
    case 0:
    case 1: {
      auto cond = expr::ConditionExpression::Parse(
          text, mode == 0 ? expr::ExpressionKind::kCondition
                          : expr::ExpressionKind::kFilter);
      if (cond.ok() && cond->Resolve(attrs).ok()) {
        cond->CollectPlaceholders(&use);
        (void)cond->Evaluate(&fixture->item);
        (void)cond->Evaluate(nullptr);
      }
      break;
    }
    case 2: {
      auto key = expr::KeyConditionExpression::Parse(text);
      if (key.ok()) {
        auto resolved = key->Resolve(attrs, fixture->schema);
        if (resolved.ok()) {
          (void)resolved->MatchesSort(fixture->item.Get("n"));
        }
      }
      break;
    }
    case 3: {
      auto update = expr::UpdateExpression::Parse(text);
      if (update.ok() && update->Resolve(attrs, &fixture->schema).ok()) {
        update->CollectPlaceholders(&use);
        (void)update->Apply(&fixture->item);
        (void)update->Apply(nullptr);
      }
      break;
    }
    case 4: {
      auto projection = expr::ProjectionExpression::Parse(text);
      if (projection.ok() && projection->Resolve(attrs).ok()) {
        (void)projection->Apply(fixture->item);
      }
      break;
    }
  }
  (void)expr::CheckAllPlaceholdersUsed(attrs, use);
  return 0;
}
