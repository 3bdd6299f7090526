#ifndef KSTONE_SHELL_REPL_H_
#define KSTONE_SHELL_REPL_H_

// Repl: the interactive shell's loop (SHELL.md), independent of where lines
// come from and where output goes, so it runs the same under a terminal, a
// pipe and a test.
//
// Input, line by line:
//   - "--" at the start of a line or after a blank, outside quotes, starts a
//     comment to the end of the line; blank lines are skipped;
//   - a line starting with '.' is a dot-command (dot_commands.h);
//   - `put <pk> [<sk>] <json>`, `get <pk> [<sk>]`, `delete <pk> [<sk>]` are
//     complete on one line (a trailing ';' is optional);
//   - anything else that starts a PartiQL statement (SELECT, INSERT, UPDATE,
//     DELETE FROM, ...) accumulates until a line ends with ';' and then runs
//     as one statement. Until PartiQL lands it fails with UNIMPLEMENTED.
// Each failure prints "Error: <CODE>: <message>" on the error stream and the
// loop goes on (or stops, with bail). A read that the user interrupted
// (Ctrl-C, see line_reader.h) cancels the current input: a half-typed line
// or a multi-line statement so far is dropped, and it is not a failure.
//
// Thread safety: not thread-safe.

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kstone/database.h"
#include "shell/dot_commands.h"
#include "shell/line_reader.h"

namespace kstone::shell {

// `line` without its comment: "--" at the start or after a blank, outside
// 'single' and "double" quotes (JSON escapes honoured), to the end of the
// line. `put a--b {}` keeps its key; `get a -- note` loses the note.
std::string_view StripComment(std::string_view line);

struct ReplOptions {
  bool interactive = false;         // print the banner and prompts
  bool bail = false;                // stop at the first error
  bool stdout_is_terminal = false;  // .clear, the default output format
};

class Repl {
 public:
  // `out` and `err` must outlive the Repl.
  Repl(Database db, std::ostream* out, std::ostream* err, ReplOptions options);

  Repl(const Repl&) = delete;
  Repl& operator=(const Repl&) = delete;

  // Reads and runs lines until end of input, .exit, or (with bail) an error.
  // Returns the process exit status: 1 if any statement failed, else 0.
  int Run(LineReader* reader);

  // Runs one input line. Returns false when the loop should stop.
  bool ProcessLine(std::string_view line);
  // Ctrl-C: drops the statement being typed.
  void CancelInput() { pending_.clear(); }
  // End of input: an unterminated statement is an error.
  void Finish();
  // Runs the lines of `in` (named `name` in messages) as if typed, with
  // their own statement buffer (.read). OK unless the file could not be
  // run at all; failures inside it are reported as they happen.
  absl::Status RunScript(std::istream& in, std::string_view name);

  bool any_failed() const { return any_failed_; }
  // "kstone> ", or "   ...> " inside a multi-line statement.
  std::string Prompt() const;
  void PrintBanner();

 private:
  // put/get/delete; returns the number of items read or written.
  absl::StatusOr<int64_t> RunItemCommand(std::string_view line);
  absl::Status RunStatement(std::string_view statement);
  // Prints a failure; returns false when the loop should stop (bail).
  bool Report(const absl::Status& status);

  Database db_;
  ShellContext ctx_;
  std::ostream* const out_;
  std::ostream* const err_;
  const ReplOptions options_;
  std::string pending_;  // a statement spanning lines, so far
  bool any_failed_ = false;
  bool stopped_ = false;  // bail after a failure
  int script_depth_ = 0;  // nested .read
};

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_REPL_H_
