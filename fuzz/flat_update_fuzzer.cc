// libFuzzer target: ApplyFlatUpdate (core/expr/flat_update.h) on arbitrary
// stored bytes must never crash and must decline bytes that are not an
// encoded item. For a stored item the database could have written (one that
// passes ValidateItemAttributes), whenever it accepts, its output must be
// exactly what the general path (decode, ApplyInPlace,
// ValidateItemAttributes, EncodeItem) stores for the same update, byte for
// byte (bytes that decode are the one encoding of their item:
// item_codec_fuzzer checks that). (An item
// that breaks a limit, e.g. a string that is not UTF-8, can only come from
// bytes forged past the checksums; the fast path copies such an attribute
// as it is, where the general path refuses the update.) The update covers
// each shape the fast path takes: a + with a placeholder, a value
// placeholder, a copy, a -.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "core/expr/flat_update.h"
#include "core/expr/placeholders.h"
#include "core/expr/update_expression.h"
#include "core/types/item_codec.h"
#include "core/types/key.h"
#include "core/types/validation.h"

namespace {

using kstone::core::Item;
using kstone::core::Number;
using kstone::core::Value;
using kstone::core::expr::AttributeNames;
using kstone::core::expr::AttributeValues;
using kstone::core::expr::ExpressionAttributes;
using kstone::core::expr::UpdateExpression;

// The resolved update, built once (its operands point into the maps).
struct Fixture {
  AttributeNames names;
  AttributeValues values;
  std::optional<UpdateExpression> update;

  Fixture() {
    absl::StatusOr<Number> one = Number::Parse("1");
    if (!one.ok()) std::abort();
    values.emplace(":one", Value::Num(*one));
    values.emplace(":v", Value::String("x"));
    absl::StatusOr<UpdateExpression> parsed =
        UpdateExpression::Parse("SET a = a + :one, b = :v, c = d, e = e - a");
    if (!parsed.ok()) std::abort();
    update.emplace(std::move(*parsed));
    const kstone::core::KeySchema schema;  // "pk", S
    if (!update->Resolve(ExpressionAttributes{&names, &values}, &schema).ok()) {
      std::abort();
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* const fixture = new Fixture();
  const std::string_view stored(reinterpret_cast<const char*>(data), size);
  std::string fast;
  const bool accepted = kstone::core::expr::ApplyFlatUpdate(
      *fixture->update, stored, 2 + kstone::core::kMaxPartitionKeyBytes, &fast);
  absl::StatusOr<Item> item = kstone::core::DecodeItem(stored);
  if (!item.ok()) {
    if (accepted) std::abort();  // took bytes that are not an item
    return 0;
  }
  if (!accepted) return 0;
  // The general path, as the api runs it for the item under key "pk" = "k".
  // (Puts never store a key attribute; with one, the paths may differ.)
  if (item->Has("pk")) return 0;
  item->Set("pk", Value::String("k"));
  if (!kstone::core::ValidateItemAttributes(*item).ok()) return 0;
  if (!fixture->update->ApplyInPlace(&*item, /*existed=*/true).ok()) {
    std::abort();  // accepted what the general path rejects
  }
  if (!kstone::core::ValidateItemAttributes(*item).ok()) std::abort();
  const std::string_view skip[1] = {"pk"};
  const std::string general = kstone::core::EncodeItem(*item, skip);
  if (general != fast) std::abort();
  return 0;
}
