// libFuzzer target: the JSON parser and both conversions on arbitrary text.
// Nothing may crash; accepted documents must print to text that parses to
// the same document, and converted values must survive a round trip.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/types/json.h"
#include "core/types/value_json.h"

namespace {

using kstone::core::Item;
using kstone::core::JsonValue;

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<JsonValue> json = kstone::core::ParseJson(text);
  if (!json.ok()) {
    Check(json.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  for (bool pretty : {false, true}) {
    absl::StatusOr<JsonValue> again =
        kstone::core::ParseJson(kstone::core::PrintJson(*json, pretty));
    Check(again.ok() && *again == *json);
  }

  // Plain JSON: an item prints to JSON that converts back to the same item.
  absl::StatusOr<Item> plain = kstone::core::ItemFromPlainJson(*json);
  if (plain.ok()) {
    absl::StatusOr<Item> back =
        kstone::core::ItemFromJson(kstone::core::ItemToJson(*plain));
    Check(back.ok() && *back == *plain);
  }
  // DynamoDB JSON: the same, and it keeps every type exactly.
  absl::StatusOr<Item> dynamo = kstone::core::ItemFromDynamoJson(*json);
  if (dynamo.ok()) {
    absl::StatusOr<Item> back = kstone::core::ItemFromDynamoJson(
        std::string_view(kstone::core::ItemToDynamoJson(*dynamo)));
    Check(back.ok() && *back == *dynamo);
  }
  return 0;
}
