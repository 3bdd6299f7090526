#ifndef KSTONE_TESTS_CORE_TYPES_NUMBER_TESTING_H_
#define KSTONE_TESTS_CORE_TYPES_NUMBER_TESTING_H_

// Helpers for tests of the code that reads or writes numbers without a
// core::Number (SmallDecimal sums, numbers encoded from their text), which
// must agree with Number exactly.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "core/types/number.h"
#include "gtest/gtest.h"

namespace kstone::core::testing {

// A random text of 1 to `max_length` characters near the plain decimal
// grammar: mostly digits, with runs of zeros, and now and then a '.', '-',
// '+' or 'e' anywhere. Many are valid numbers, many plain decimals, many
// neither.
inline std::string RandomNumberText(std::mt19937& rng, int max_length) {
  static constexpr std::string_view kOdd = ".-+e";
  std::string text;
  const int length = 1 + static_cast<int>(rng() % max_length);
  for (int j = 0; j < length; ++j) {
    const uint32_t r = rng() % 16;
    text += r == 0  ? kOdd[rng() % kOdd.size()]
            : r < 6 ? '0'
                    : static_cast<char>('0' + rng() % 10);
  }
  return text;
}

// Expects `ordered` and `num_digits` to be exact's EncodeOrdered bytes and
// digit count.
inline void ExpectOrderedBytesOf(const Number& exact, std::string_view ordered,
                                 int num_digits) {
  std::string want;
  exact.EncodeOrdered(&want);
  EXPECT_EQ(
      absl::BytesToHexString(absl::string_view(ordered.data(), ordered.size())),
      absl::BytesToHexString(want))
      << "Number gives " << exact.ToString();
  EXPECT_EQ(num_digits, exact.num_digits());
}

}  // namespace kstone::core::testing

#endif  // KSTONE_TESTS_CORE_TYPES_NUMBER_TESTING_H_
