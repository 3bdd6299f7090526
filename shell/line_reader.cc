#include "shell/line_reader.h"

#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>
#include <vector>

// libedit's readline emulation.
#include <editline/readline.h>

#include "shell/dot_commands.h"
#include "shell/interrupt.h"

namespace kstone::shell {
namespace {

class StreamLineReader : public LineReader {
 public:
  explicit StreamLineReader(std::istream* in) : in_(in) {}

  ReadResult Read(const std::string&, std::string* line) override {
    if (!std::getline(*in_, *line)) return ReadResult::kEndOfInput;
    if (!line->empty() && line->back() == '\r') line->pop_back();
    return ReadResult::kLine;
  }

 private:
  std::istream* const in_;  // not owned; outlives the reader
};

// The words tab completion offers: the item commands, PartiQL keywords and
// the dot-commands (from their table).
const std::vector<std::string>& CompletionWords() {
  static const std::vector<std::string>* const kWords = [] {
    auto* words = new std::vector<std::string>{
        "put",    "get",   "delete", "SELECT", "FROM",  "WHERE",
        "INSERT", "INTO",  "VALUE",  "UPDATE", "SET",   "REMOVE",
        "DELETE", "AND",   "OR",     "NOT",    "LIMIT", "BETWEEN",
        "IN",     "ORDER", "BY",     "ASC",    "DESC"};
    for (const DotCommand& c : DotCommands()) words->emplace_back(c.name);
    return words;
  }();
  return *kWords;
}

char* CompletionGenerator(const char* text, int state) {
  static size_t index;
  if (state == 0) index = 0;
  const size_t len = strlen(text);
  const std::vector<std::string>& words = CompletionWords();
  while (index < words.size()) {
    const std::string& word = words[index++];
    if (word.compare(0, len, text) == 0) return strdup(word.c_str());
  }
  return nullptr;
}

char** Complete(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // no file-name completion
  return rl_completion_matches(text, CompletionGenerator);
}

// Reads one key for libedit (rl_getc_function): a byte, or in a UTF-8
// locale a whole UTF-8 sequence decoded to its code point (libedit's
// readline emulation takes the returned int as one wide character).
// Returns -1 (end of input for libedit) on end of file, on an error, and
// when Ctrl-C was pressed.
//
// Ctrl-C is never missed: the reader polls the terminal together with the
// interrupt wake-up pipe (interrupt.h), which the SIGINT handler writes on
// whatever thread it runs, and checks the flag before every wait. (libedit's
// builtin reader only notices a signal that interrupts its own read(): one
// delivered to another thread, or just before the read starts, is lost and
// the shell sits waiting.) libedit's own handlers (rl_catch_signals) stay
// on for window size changes, Ctrl-Z and fatal signals; on SIGINT libedit's
// handler passes the signal on to ours.
int ReadByte(int fd) {
  while (true) {
    if (InterruptPending()) return -1;
    struct pollfd fds[2] = {{fd, POLLIN, 0}, {InterruptWakeFd(), POLLIN, 0}};
    const nfds_t n = fds[1].fd >= 0 ? 2 : 1;
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 2 && fds[1].revents != 0) continue;  // the flag is set
    unsigned char c;
    const ssize_t got = read(fd, &c, 1);
    if (got == 1) return c;
    if (got == 0) return -1;
    if (errno != EINTR && errno != EAGAIN) return -1;
  }
}

int ReadKey(FILE* in) {
  const int fd = fileno(in);
  const int lead = ReadByte(fd);
  if (lead < 0xC0 || MB_CUR_MAX == 1) return lead;
  // A UTF-8 lead byte: 110xxxxx, 1110xxxx or 11110xxx.
  const int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  int code = lead & (0x3F >> extra);
  for (int i = 0; i < extra; ++i) {
    const int next = ReadByte(fd);
    if (next < 0 || (next & 0xC0) != 0x80) return -1;
    code = (code << 6) | (next & 0x3F);
  }
  return code;
}

class EditLineReader : public LineReader {
 public:
  explicit EditLineReader(std::string history_path)
      : history_path_(std::move(history_path)) {
    // Multi-byte (UTF-8) editing follows the user's locale; only the
    // character classification changes, never number formatting.
    setlocale(LC_CTYPE, "");
    rl_catch_signals = 1;
    rl_getc_function = ReadKey;
    rl_readline_name = const_cast<char*>("kstone");
    // Dot-commands are words too.
    rl_basic_word_break_characters = const_cast<char*>(" \t\n;");
    rl_attempted_completion_function = Complete;
    using_history();
    if (!history_path_.empty()) read_history(history_path_.c_str());
  }

  ~EditLineReader() override {
    if (!history_path_.empty()) write_history(history_path_.c_str());
  }

  ReadResult Read(const std::string& prompt, std::string* line) override {
    // A Ctrl-C that arrived while a command ran is not meant for this line.
    ClearInterrupt();
    char* raw = readline(prompt.c_str());
    if (TakeInterrupt()) {
      free(raw);
      // libedit left the cursor on the cancelled line.
      fputs("^C\n", stdout);
      fflush(stdout);
      return ReadResult::kInterrupted;
    }
    if (raw == nullptr) return ReadResult::kEndOfInput;
    line->assign(raw);
    free(raw);
    if (line->find_first_not_of(" \t") != std::string::npos) {
      add_history(line->c_str());
    }
    return ReadResult::kLine;
  }

 private:
  const std::string history_path_;
};

}  // namespace

std::unique_ptr<LineReader> NewStreamLineReader(std::istream* in) {
  return std::make_unique<StreamLineReader>(in);
}

std::unique_ptr<LineReader> NewEditLineReader(const std::string& history_path) {
  return std::make_unique<EditLineReader>(history_path);
}

std::string DefaultHistoryPath() {
  const char* home = getenv("HOME");
  if (home == nullptr || *home == '\0') return "";
  return std::string(home) + "/.kstone_history";
}

}  // namespace kstone::shell
