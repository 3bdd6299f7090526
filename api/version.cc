#include "kstone/version.h"

namespace kstone {

std::string_view Version() { return KSTONE_VERSION_STRING; }

}  // namespace kstone
