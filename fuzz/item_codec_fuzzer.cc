// libFuzzer target: DecodeItem on arbitrary bytes must never crash; whatever
// it accepts must re-encode to exactly the bytes it was given (the format
// has one encoding per item: shortest varints, canonical numbers, names in
// order), and those decode to the same item.
// Measuring without building (ValidateEncodedItem) must give the same
// verdict, and the size decoding computes must be the item's DynamoSize.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/types/item_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<kstone::core::Item> item = kstone::core::DecodeItem(bytes);
  size_t measured = 0;
  const absl::Status validated =
      kstone::core::ValidateEncodedItem(bytes, &measured);
  if (validated != item.status()) std::abort();
  if (!item.ok()) {
    if (item.status().code() != absl::StatusCode::kDataLoss) std::abort();
    return 0;
  }
  if (measured != item->DynamoSize()) std::abort();
  const std::string encoded = kstone::core::EncodeItem(*item);
  if (encoded != bytes) std::abort();
  absl::StatusOr<kstone::core::Item> again = kstone::core::DecodeItem(encoded);
  if (!again.ok() || !(*again == *item)) std::abort();
  return 0;
}
