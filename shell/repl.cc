#include "shell/repl.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "kstone/version.h"
#include "shell/errors_output.h"
#include "shell/key_args.h"

namespace kstone::shell {
namespace {

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

constexpr int kMaxScriptDepth = 16;

std::string_view Trim(std::string_view s) {
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  size_t e = s.size();
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// The first word of `s`, lower-cased.
std::string FirstWord(std::string_view s, std::string_view* rest) {
  size_t end = 0;
  while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end])) &&
         s[end] != ';') {
    ++end;
  }
  if (rest != nullptr) *rest = s.substr(end);
  return absl::AsciiStrToLower(A(s.substr(0, end)));
}

bool IsItemCommand(std::string_view line) {
  std::string_view rest;
  std::string word = FirstWord(line, &rest);
  if (word == "put" || word == "get") return true;
  if (word != "delete") return false;
  // `DELETE FROM ...` is PartiQL, `delete <pk>` is the item command.
  return FirstWord(Trim(rest), nullptr) != "from";
}

bool StartsStatement(std::string_view line) {
  static const char* const kKeywords[] = {"select", "insert", "update",
                                          "delete", "exists", "with"};
  std::string word = FirstWord(line, nullptr);
  return std::find(std::begin(kKeywords), std::end(kKeywords), word) !=
         std::end(kKeywords);
}

}  // namespace

std::string_view StripComment(std::string_view line) {
  char quote = 0;  // the open quote, if any
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (quote == '"' && c == '\\') {
        ++i;  // a JSON escape: the next character is literal
      } else if (c == quote) {
        quote = 0;  // '' and "" reopen at once, so they need no case
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '-' && i + 1 < line.size() && line[i + 1] == '-' &&
               (i == 0 ||
                std::isspace(static_cast<unsigned char>(line[i - 1])))) {
      return line.substr(0, i);
    }
  }
  return line;
}

Repl::Repl(Database db, std::ostream* out, std::ostream* err,
           ReplOptions options)
    : db_(std::move(db)), out_(out), err_(err), options_(options) {
  ctx_.db = &db_;
  ctx_.out = out_;
  ctx_.err = err_;
  ctx_.stdout_is_terminal = options_.stdout_is_terminal;
  ctx_.format =
      options_.stdout_is_terminal ? OutputFormat::kTable : OutputFormat::kJson;
  ctx_.run_script = [this](std::istream& in, std::string_view name) {
    return RunScript(in, name);
  };
}

std::string Repl::Prompt() const {
  return pending_.empty() ? "kstone> " : "   ...> ";
}

void Repl::PrintBanner() {
  std::ostream& out = *out_;
  out << "kstone " << Version() << " interactive shell\n";
  out << "Database: " << db_.path() << "\n";
  out << "Quick start:\n";
  out << "  put user#1 {\"name\": \"Ann\"}   store an item\n";
  out << "  get user#1                    read it back\n";
  out << "  .help                         all commands (.exit to leave)\n";
  if (db_.in_memory()) {
    out << "Note: in-memory database - data is temporary and will be lost on "
           "exit.\n";
  }
  out << "\n";
  out.flush();
}

int Repl::Run(LineReader* reader) {
  if (options_.interactive) PrintBanner();
  std::string line;
  while (true) {
    const ReadResult r = reader->Read(Prompt(), &line);
    if (r == ReadResult::kEndOfInput) break;
    if (r == ReadResult::kInterrupted) {
      CancelInput();
      continue;
    }
    if (!ProcessLine(line)) return any_failed_ ? 1 : 0;
  }
  Finish();
  if (options_.interactive) *out_ << "\n";
  return any_failed_ ? 1 : 0;
}

bool Repl::ProcessLine(std::string_view raw) {
  if (stopped_ || ctx_.exit_requested) return false;
  std::string_view line = Trim(StripComment(raw));
  if (pending_.empty()) {
    if (line.empty()) return true;
    if (line[0] == '.') {
      absl::Status s = RunDotCommand(ctx_, line);
      out_->flush();
      if (!s.ok()) return Report(s);
      return !ctx_.exit_requested && !stopped_;
    }
    if (IsItemCommand(line)) {
      const auto start = std::chrono::steady_clock::now();
      absl::StatusOr<int64_t> rows = RunItemCommand(line);
      if (rows.ok() && ctx_.timer) {
        const std::chrono::duration<double, std::milli> elapsed =
            std::chrono::steady_clock::now() - start;
        *out_ << absl::StrFormat("%d row(s) (%.2f ms)\n", *rows,
                                 elapsed.count());
      }
      out_->flush();
      return rows.ok() || Report(rows.status());
    }
    if (!StartsStatement(line)) {
      std::string word = FirstWord(line, nullptr);
      return Report(absl::InvalidArgumentError(
          absl::StrCat("Unknown command: ", word,
                       ". Expected put, get, delete, a PartiQL statement or a "
                       "dot-command (.help)")));
    }
  }
  if (line.empty() && pending_.empty()) return true;
  if (!pending_.empty()) pending_.push_back('\n');
  pending_.append(line);
  if (pending_.back() != ';') return true;
  std::string statement = std::move(pending_);
  pending_.clear();
  absl::Status s = RunStatement(statement);
  out_->flush();
  return s.ok() || Report(s);
}

void Repl::Finish() {
  if (pending_.empty()) return;
  std::string statement = std::move(pending_);
  pending_.clear();
  std::string snippet = statement.substr(0, 60);
  std::replace(snippet.begin(), snippet.end(), '\n', ' ');
  Report(absl::InvalidArgumentError(absl::StrCat(
      "incomplete statement at end of input (missing ';'): ", snippet)));
}

bool Repl::Report(const absl::Status& status) {
  if (absl::IsCancelled(status)) {
    // Ctrl-C stopped a long command: what the user asked for, no failure.
    *err_ << "Interrupted\n";
    err_->flush();
    return true;
  }
  any_failed_ = true;
  PrintError(*err_, status);
  if (options_.bail) stopped_ = true;
  return !options_.bail;
}

absl::Status Repl::RunScript(std::istream& in, std::string_view name) {
  if (script_depth_ >= kMaxScriptDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat(".read ", A(name), ": files nested more than ",
                     kMaxScriptDepth, " deep (does a file read itself?)"));
  }
  ++script_depth_;
  std::string saved = std::move(pending_);
  pending_.clear();
  bool go_on = true;
  for (std::string line; go_on && std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    go_on = ProcessLine(line);
  }
  if (go_on) Finish();
  pending_ = std::move(saved);
  --script_depth_;
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Repl::RunItemCommand(std::string_view line) {
  std::string_view rest;
  std::string command = FirstWord(line, &rest);
  // An optional trailing ';' ends the command.
  rest = Trim(rest);
  if (!rest.empty() && rest.back() == ';')
    rest = Trim(rest.substr(0, rest.size() - 1));
  size_t json_start;
  absl::StatusOr<std::vector<std::string>> words =
      SplitWords(rest, &json_start);
  if (!words.ok()) return words.status();
  const bool is_put = command == "put";
  std::string usage =
      is_put ? "put <pk> [<sk>] <json>" : absl::StrCat(command, " <pk> [<sk>]");
  if (words->empty() || words->size() > 2 ||
      (is_put != (json_start != std::string_view::npos))) {
    return absl::InvalidArgumentError(
        absl::StrCat(command, ": expected ", usage));
  }
  std::optional<std::string> sk;
  if (words->size() == 2) sk = (*words)[1];
  absl::StatusOr<Key> key = ParseKey(db_.schema(), (*words)[0], sk);
  if (!key.ok()) return key.status();

  if (is_put) {
    absl::StatusOr<Item> item = ParseItemJson(rest.substr(json_start));
    if (!item.ok()) return item.status();
    absl::Status s = db_.Put(*key, *item);
    if (!s.ok()) return s;
    *out_ << "Item stored\n";
    return 1;
  }
  if (command == "delete") {
    absl::Status s = db_.Delete(*key);
    if (!s.ok()) return s;
    *out_ << "Item deleted\n";
    return 1;
  }
  absl::StatusOr<std::optional<Item>> item = db_.Get(*key);
  if (!item.ok()) return item.status();
  if (!item->has_value()) {
    *out_ << "Item not found\n";
    return 0;
  }
  *out_ << (*item)->ToJson(JsonStyle::kPretty) << "\n";
  return 1;
}

absl::Status Repl::RunStatement(std::string_view statement) {
  // TODO(api): run PartiQL here once the partiql layer exists (#3).
  std::string snippet(statement.substr(0, 60));
  std::replace(snippet.begin(), snippet.end(), '\n', ' ');
  return absl::UnimplementedError(
      absl::StrCat("PartiQL statements are not available yet: ", snippet,
                   " (use put, get, delete and the dot-commands)"));
}

}  // namespace kstone::shell
