// libFuzzer target: EncodeDecimalTextOrdered (core/types/decimal_text.h) on
// arbitrary text must never crash or write past its buffer, and whatever
// it encodes must be a number Number::Parse reads, with the same ordered
// bytes, digit count and canonical text length (the item encoder and the
// key encoder rely on that to skip Number::Parse for plain decimals).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/types/decimal_text.h"
#include "core/types/number.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  char buf[kstone::core::Number::kMaxOrderedLength];
  int digits = -1;
  const size_t n = kstone::core::EncodeDecimalTextOrdered(text, buf, &digits);
  if (n == 0) return 0;
  if (n > sizeof(buf)) std::abort();
  const absl::StatusOr<kstone::core::Number> exact =
      kstone::core::Number::Parse(text);
  if (!exact.ok()) std::abort();  // encoded what Number rejects
  std::string want;
  exact->EncodeOrdered(&want);
  if (std::string_view(buf, n) != want) std::abort();
  if (digits != exact->num_digits()) std::abort();
  if (kstone::core::OrderedNumberTextLength(want, digits) !=
      exact->TextLength()) {
    std::abort();
  }
  return 0;
}
