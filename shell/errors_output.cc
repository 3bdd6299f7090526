#include "shell/errors_output.h"

#include "absl/strings/str_cat.h"
#include "kstone/errors.h"

namespace kstone::shell {

std::string FormatError(const absl::Status& status) {
  std::string_view code = ErrorCodeName(ErrorCodeOf(status));
  return absl::StrCat("Error: ", absl::string_view(code.data(), code.size()),
                      ": ", status.message());
}

void PrintError(std::ostream& err, const absl::Status& status) {
  err << FormatError(status) << "\n";
  err.flush();
}

}  // namespace kstone::shell
