#ifndef KSTONE_SHELL_ERRORS_OUTPUT_H_
#define KSTONE_SHELL_ERRORS_OUTPUT_H_

// How the command line and the shell report a failed status: one line,
// "Error: <CODE>: <message>", with CODE from kstone::ErrorCodeName (see
// docs/errors.md). The message is the status's own, never replaced by a
// generic one.

#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace kstone::shell {

std::string FormatError(const absl::Status& status);

// Writes FormatError(status) and a newline to `err`.
void PrintError(std::ostream& err, const absl::Status& status);

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_ERRORS_OUTPUT_H_
