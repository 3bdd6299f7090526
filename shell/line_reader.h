#ifndef KSTONE_SHELL_LINE_READER_H_
#define KSTONE_SHELL_LINE_READER_H_

// LineReader: where the shell's input lines come from. On a terminal,
// EditLineReader uses libedit (line editing, history in ~/.kstone_history,
// tab completion of dot-commands and keywords); otherwise StreamLineReader
// reads plain lines and shows no prompt, so piped output can be diffed.
//
// Thread safety: not thread-safe (one per shell).

#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kstone::shell {

class LineReader {
 public:
  virtual ~LineReader() = default;
  // The next line without its newline, or nullopt at end of input.
  virtual std::optional<std::string> ReadLine(const std::string& prompt) = 0;
};

// Reads `in` line by line; ignores the prompt.
std::unique_ptr<LineReader> NewStreamLineReader(std::istream* in);

// libedit on the terminal; loads and appends to `history_path` (empty: no
// history).
std::unique_ptr<LineReader> NewEditLineReader(const std::string& history_path);

// $HOME/.kstone_history, or "" if HOME is not set.
std::string DefaultHistoryPath();

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_LINE_READER_H_
