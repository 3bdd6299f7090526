#include "kstone/key.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace kstone {

std::string Key::ToString() const {
  std::string out = absl::StrCat("pk=", pk_.ToJson());
  if (sk_.has_value()) absl::StrAppend(&out, ", sk=", sk_->ToJson());
  return out;
}

}  // namespace kstone
