#ifndef KSTONE_TESTS_TESTING_SOAK_H_
#define KSTONE_TESTS_TESTING_SOAK_H_

// Long soak runs: randomized tests multiply their rounds by SoakFactor(),
// which is 1 normally and 50 when the environment sets KSTONE_SOAK=1
// (README: "Tests"). The default suite stays fast; a soak run digs deeper.

#include <cstdlib>
#include <string_view>

namespace kstone::testing {

inline int SoakFactor() {
  const char* soak = std::getenv("KSTONE_SOAK");
  return soak != nullptr && std::string_view(soak) == "1" ? 50 : 1;
}

}  // namespace kstone::testing

#endif  // KSTONE_TESTS_TESTING_SOAK_H_
