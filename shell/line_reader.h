#ifndef KSTONE_SHELL_LINE_READER_H_
#define KSTONE_SHELL_LINE_READER_H_

// LineReader: where the shell's input lines come from. On a terminal,
// EditLineReader uses libedit (line editing, history in ~/.kstone_history,
// tab completion of dot-commands and keywords, Ctrl-C cancels the line);
// otherwise StreamLineReader reads plain lines and shows no prompt, so piped
// output can be diffed.
//
// Thread safety: not thread-safe (one per shell).

#include <istream>
#include <memory>
#include <string>

namespace kstone::shell {

// What one Read produced.
enum class ReadResult {
  kLine,         // a line (possibly empty)
  kEndOfInput,   // EOF: end of the file or pipe, or Ctrl-D on an empty line
  kInterrupted,  // Ctrl-C: the input line was cancelled
};

class LineReader {
 public:
  virtual ~LineReader() = default;
  // Reads the next line, without its newline, into *line (set only for
  // kLine).
  virtual ReadResult Read(const std::string& prompt, std::string* line) = 0;
};

// Reads `in` line by line; ignores the prompt; never interrupted.
std::unique_ptr<LineReader> NewStreamLineReader(std::istream* in);

// libedit on the terminal; loads and appends to `history_path` (empty: no
// history). Ctrl-C is seen only while a ScopedInterruptHandler
// (interrupt.h) is installed: the reader then returns kInterrupted and the
// half-typed line is dropped (not added to history).
std::unique_ptr<LineReader> NewEditLineReader(const std::string& history_path);

// $HOME/.kstone_history, or "" if HOME is not set.
std::string DefaultHistoryPath();

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_LINE_READER_H_
