#ifndef KSTONE_VERSION_H_
#define KSTONE_VERSION_H_

#include <string_view>

namespace kstone {

// The library's version, "MAJOR.MINOR.PATCH".
std::string_view Version();

}  // namespace kstone

#endif  // KSTONE_VERSION_H_
