#include "shell/repl.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kstone/version.h"
#include "shell/errors_output.h"
#include "shell/key_args.h"

namespace kstone::shell {
namespace {

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

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

Repl::Repl(Database db, std::ostream* out, std::ostream* err,
           ReplOptions options)
    : db_(std::move(db)), out_(out), err_(err), options_(options) {
  ctx_.db = &db_;
  ctx_.out = out_;
  ctx_.err = err_;
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
  while (true) {
    std::optional<std::string> line = reader->ReadLine(Prompt());
    if (!line.has_value()) break;
    if (!ProcessLine(*line)) return any_failed_ ? 1 : 0;
  }
  Finish();
  if (options_.interactive) *out_ << "\n";
  return any_failed_ ? 1 : 0;
}

bool Repl::ProcessLine(std::string_view raw) {
  std::string_view line = Trim(raw);
  if (pending_.empty()) {
    if (line.empty() || absl::StartsWith(A(line), "--")) return true;
    if (line[0] == '.') {
      absl::Status s = RunDotCommand(ctx_, line);
      out_->flush();
      if (!s.ok()) return Report(s);
      return !ctx_.exit_requested;
    }
    if (IsItemCommand(line)) {
      absl::Status s = RunItemCommand(line);
      out_->flush();
      return s.ok() || Report(s);
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
  any_failed_ = true;
  PrintError(*err_, status);
  return !options_.bail;
}

absl::Status Repl::RunItemCommand(std::string_view line) {
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
    if (s.ok()) *out_ << "Item stored\n";
    return s;
  }
  if (command == "delete") {
    absl::Status s = db_.Delete(*key);
    if (s.ok()) *out_ << "Item deleted\n";
    return s;
  }
  absl::StatusOr<std::optional<Item>> item = db_.Get(*key);
  if (!item.ok()) return item.status();
  if (!item->has_value()) {
    *out_ << "Item not found\n";
  } else {
    *out_ << (*item)->ToJson(JsonStyle::kPretty) << "\n";
  }
  return absl::OkStatus();
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
