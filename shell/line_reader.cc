#include "shell/line_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

// libedit's readline emulation.
#include <editline/readline.h>

#include "shell/dot_commands.h"

namespace kstone::shell {
namespace {

class StreamLineReader : public LineReader {
 public:
  explicit StreamLineReader(std::istream* in) : in_(in) {}

  std::optional<std::string> ReadLine(const std::string&) override {
    std::string line;
    if (!std::getline(*in_, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
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

class EditLineReader : public LineReader {
 public:
  explicit EditLineReader(std::string history_path)
      : history_path_(std::move(history_path)) {
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

  std::optional<std::string> ReadLine(const std::string& prompt) override {
    char* raw = readline(prompt.c_str());
    if (raw == nullptr) return std::nullopt;
    std::string line(raw);
    free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) {
      add_history(line.c_str());
    }
    return line;
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
