#ifndef KSTONE_SHELL_DOT_COMMANDS_H_
#define KSTONE_SHELL_DOT_COMMANDS_H_

// The shell's dot-commands, from ONE table: {name, argument counts, handler,
// usage, help}. The same table generates .help, tab completion and the
// "Unknown command: .x" message with its did-you-mean suggestion, so a new
// command is one row here and one handler in dot_commands.cc.

#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "kstone/database.h"

namespace kstone::shell {

// The output formats of SHELL.md (.format).
enum class OutputFormat { kTable, kJson, kJsonl, kCompact, kCsv, kDdbJson };

// "table", "json", ...
std::string_view OutputFormatName(OutputFormat format);

// What a dot-command handler may touch. Not thread-safe (one shell, one
// thread).
struct ShellContext {
  Database* db = nullptr;  // the open database; never null (.open swaps it)
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  bool exit_requested = false;                // set by .exit / .quit
  bool stdout_is_terminal = false;            // .clear writes escapes only then
  OutputFormat format = OutputFormat::kJson;  // for SELECT results
  bool timer = false;                         // .timer on
  // Runs the lines of a file as if typed (.read); set by the Repl. Null
  // outside a shell (kstone stats).
  std::function<absl::Status(std::istream& in, std::string_view name)>
      run_script;
};

struct DotCommand {
  std::string_view name;  // with the dot: ".help"
  int min_args;
  int max_args;
  absl::Status (*handler)(ShellContext& ctx,
                          const std::vector<std::string>& args);
  std::string_view usage;  // ".format [table|json]"
  std::string_view help;   // one line
};

// The table, in the order .help lists it.
const std::vector<DotCommand>& DotCommands();

// The command named `name` (with its dot), or nullptr.
const DotCommand* FindDotCommand(std::string_view name);

// The closest command name to `name` (edit distance at most 2), if any.
std::optional<std::string_view> SuggestDotCommand(std::string_view name);

// Runs one dot-command line (".stats", ".format json"). VALIDATION for an
// unknown command ("Unknown command: .x" plus a suggestion) or a wrong
// number of arguments (with the usage); otherwise the handler's status.
absl::Status RunDotCommand(ShellContext& ctx, std::string_view line);

// Levenshtein distance, for suggestions.
int EditDistance(std::string_view a, std::string_view b);

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_DOT_COMMANDS_H_
