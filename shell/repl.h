#ifndef KSTONE_SHELL_REPL_H_
#define KSTONE_SHELL_REPL_H_

// Repl: the interactive shell's loop (SHELL.md), independent of where lines
// come from and where output goes, so it runs the same under a terminal, a
// pipe and a test.
//
// Input, line by line:
//   - blank lines and lines starting with "--" are skipped;
//   - a line starting with '.' is a dot-command (dot_commands.h);
//   - `put <pk> [<sk>] <json>`, `get <pk> [<sk>]`, `delete <pk> [<sk>]` are
//     complete on one line (a trailing ';' is optional);
//   - anything else that starts a PartiQL statement (SELECT, INSERT, UPDATE,
//     DELETE FROM, ...) accumulates until a line ends with ';' and then runs
//     as one statement. Until PartiQL lands it fails with UNIMPLEMENTED.
// Each failure prints "Error: <CODE>: <message>" on the error stream and the
// loop goes on (or stops, with bail).
//
// Thread safety: not thread-safe.

#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "kstone/database.h"
#include "shell/dot_commands.h"
#include "shell/line_reader.h"

namespace kstone::shell {

struct ReplOptions {
  bool interactive = false;  // print the banner and prompts
  bool bail = false;         // stop at the first error
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
  // End of input: an unterminated statement is an error.
  void Finish();

  bool any_failed() const { return any_failed_; }
  // "kstone> ", or "   ...> " inside a multi-line statement.
  std::string Prompt() const;
  void PrintBanner();

 private:
  // put/get/delete; `words` are the line's words, `json` the object text.
  absl::Status RunItemCommand(std::string_view line);
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
};

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_REPL_H_
