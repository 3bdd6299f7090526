#ifndef KSTONE_SHELL_CLI_H_
#define KSTONE_SHELL_CLI_H_

// The `kstone` command line (SHELL.md): subcommands create, put, get,
// delete, stats, compact, shell, version and --help.
//
// Exit status: 0 on success, 1 when an operation failed (or `get` found no
// item), 2 on bad usage. Errors go to `err` as "Error: <CODE>: <message>".
//
// Thread safety: not thread-safe (one per process).

#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "kstone/schema.h"

namespace kstone::shell {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// Runs `kstone args...` (args excludes the program name). `in` is the
// shell's input; `stdin_is_terminal` chooses between the interactive shell
// (banner, prompts, libedit) and plain piped input.
int RunCli(const std::vector<std::string>& args, std::istream* in,
           std::ostream* out, std::ostream* err, bool stdin_is_terminal);

// A schema from the JSON of `kstone create --schema FILE`:
//   {"partition_key": {"name": "id", "type": "N"},
//    "sort_key": {"name": "ts", "type": "S"}}       (or "sort_key": null)
// Missing members keep the defaults (pk/sk, S). VALIDATION naming the bad
// member.
absl::StatusOr<TableSchema> ParseSchemaJson(std::string_view json);

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_CLI_H_
