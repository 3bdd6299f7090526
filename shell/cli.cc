#include "shell/cli.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kstone/database.h"
#include "kstone/errors.h"
#include "kstone/item.h"
#include "kstone/version.h"
#include "shell/errors_output.h"
#include "shell/interrupt.h"
#include "shell/key_args.h"
#include "shell/line_reader.h"
#include "shell/repl.h"
#include "shell/transfer.h"

namespace kstone::shell {
namespace {

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

constexpr char kUsage[] =
    "Usage: kstone <command> [arguments]\n"
    "\n"
    "Commands:\n"
    "  shell [PATH | :memory:] [--create] [--bail]\n"
    "                                  interactive shell; no PATH = :memory:\n"
    "  create PATH [--schema FILE]     create a database directory\n"
    "  put PATH PK [--sk SK] JSON      store an item (a plain JSON object)\n"
    "  get PATH PK [--sk SK]           print an item as JSON\n"
    "  delete PATH PK [--sk SK]        delete an item\n"
    "  stats PATH                      show storage counters\n"
    "  compact PATH                    compact the database\n"
    "  import PATH FILE [--format jsonl|ddbjson]\n"
    "                                  store the items of a file (one per "
    "line)\n"
    "  export PATH FILE [--format jsonl|ddbjson]\n"
    "                                  write every item to a file\n"
    "  version, --version              print the version\n"
    "  --help                          print this help\n"
    "\n"
    "Exit status: 0 success, 1 failed operation (or item not found), 2 bad "
    "usage.\n";

// Parsed arguments: positionals and --flags (with or without a value).
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;  // --sk X, --schema F
  std::map<std::string, bool> switches;       // --create, --bail
};

// A usage error: printed with the VALIDATION code, exit status 2.
struct UsageError {
  std::string message;
};

std::optional<UsageError> ParseArgs(
    const std::vector<std::string>& args, size_t first,
    const std::vector<std::string>& value_flags,
    const std::vector<std::string>& switch_flags, Args* out) {
  for (size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 2 && a.compare(0, 2, "--") == 0) {
      std::string name = a.substr(2);
      if (std::find(value_flags.begin(), value_flags.end(), name) !=
          value_flags.end()) {
        if (i + 1 >= args.size()) {
          return UsageError{absl::StrCat(a, " needs a value")};
        }
        out->values[name] = args[++i];
        continue;
      }
      if (std::find(switch_flags.begin(), switch_flags.end(), name) !=
          switch_flags.end()) {
        out->switches[name] = true;
        continue;
      }
      return UsageError{absl::StrCat("unknown option ", a)};
    }
    out->positional.push_back(a);
  }
  return std::nullopt;
}

class Cli {
 public:
  Cli(std::istream* in, std::ostream* out, std::ostream* err, bool tty)
      : in_(in), out_(out), err_(err), tty_(tty) {}

  int Run(const std::vector<std::string>& args) {
    if (args.empty()) {
      *err_ << kUsage;
      return kExitUsage;
    }
    const std::string& command = args[0];
    if (command == "--help" || command == "-h" || command == "help") {
      *out_ << kUsage;
      return kExitOk;
    }
    if (command == "--version" || command == "version") {
      *out_ << "kstone " << Version() << "\n";
      return kExitOk;
    }
    if (command == "shell") return Shell(args);
    if (command == "create") return Create(args);
    if (command == "put" || command == "get" || command == "delete") {
      return ItemCommand(args);
    }
    if (command == "stats" || command == "compact") return Maintenance(args);
    if (command == "import" || command == "export") return Transfer(args);
    return Usage(
        absl::StrCat("unknown command \"", command, "\" (run kstone --help)"));
  }

 private:
  int Usage(std::string_view message) {
    PrintError(*err_, absl::InvalidArgumentError(A(message)));
    return kExitUsage;
  }
  int Failed(const absl::Status& status) {
    PrintError(*err_, status);
    return kExitFailed;
  }

  int Shell(const std::vector<std::string>& args) {
    Args a;
    if (auto e = ParseArgs(args, 1, {}, {"create", "bail"}, &a)) {
      return Usage(e->message);
    }
    if (a.positional.size() > 1) {
      return Usage("usage: kstone shell [PATH | :memory:] [--create] [--bail]");
    }
    std::string path =
        a.positional.empty() ? std::string(kMemoryPath) : a.positional[0];
    absl::StatusOr<Database> db = a.switches["create"] && path != kMemoryPath
                                      ? Database::Create(path)
                                      : Database::Open(path);
    if (!db.ok()) return Failed(db.status());
    if (!db->recovery_message().empty()) {
      *err_ << "Note: " << db->recovery_message() << "\n";
    }
    ReplOptions options;
    options.interactive = tty_;
    options.bail = a.switches["bail"];
    options.stdout_is_terminal =
        out_ == &std::cout && isatty(STDOUT_FILENO) != 0;
    Repl repl(std::move(*db), out_, err_, options);
    if (!tty_) {
      // Piped or scripted: Ctrl-C keeps its default effect (ends kstone).
      std::unique_ptr<LineReader> reader = NewStreamLineReader(in_);
      return repl.Run(reader.get());
    }
    // Interactive: Ctrl-C cancels the line being typed (or stops a long
    // command), as in sqlite3 and psql; Ctrl-D or .exit leaves.
    ScopedInterruptHandler on_ctrl_c;
    std::unique_ptr<LineReader> reader =
        NewEditLineReader(DefaultHistoryPath());
    return repl.Run(reader.get());
  }

  int Create(const std::vector<std::string>& args) {
    Args a;
    if (auto e = ParseArgs(args, 1, {"schema"}, {}, &a)) {
      return Usage(e->message);
    }
    if (a.positional.size() != 1) {
      return Usage("usage: kstone create PATH [--schema FILE]");
    }
    TableSchema schema;
    if (auto it = a.values.find("schema"); it != a.values.end()) {
      std::ifstream file(it->second);
      if (!file) {
        return Failed(
            MakeError(ErrorCode::kNotFound,
                      absl::StrCat("cannot read schema file ", it->second)));
      }
      std::stringstream text;
      text << file.rdbuf();
      absl::StatusOr<TableSchema> parsed = ParseSchemaJson(text.str());
      if (!parsed.ok()) {
        return Failed(absl::Status(
            parsed.status().code(),
            absl::StrCat(it->second, ": ", parsed.status().message())));
      }
      schema = std::move(*parsed);
    }
    absl::StatusOr<Database> db =
        Database::CreateWithSchema(a.positional[0], schema);
    if (!db.ok()) return Failed(db.status());
    *out_ << "Database created: " << a.positional[0] << "\n";
    return kExitOk;
  }

  int ItemCommand(const std::vector<std::string>& args) {
    const std::string& command = args[0];
    const bool is_put = command == "put";
    Args a;
    if (auto e = ParseArgs(args, 1, {"sk"}, {}, &a)) return Usage(e->message);
    const size_t want = is_put ? 3 : 2;
    if (a.positional.size() != want) {
      return Usage(absl::StrCat("usage: kstone ", command, " PATH PK [--sk SK]",
                                is_put ? " JSON" : ""));
    }
    absl::StatusOr<Database> db = Database::Open(a.positional[0]);
    if (!db.ok()) return Failed(db.status());
    std::optional<std::string> sk;
    if (auto it = a.values.find("sk"); it != a.values.end()) sk = it->second;
    absl::StatusOr<Key> key = ParseKey(db->schema(), a.positional[1], sk);
    if (!key.ok()) return Failed(key.status());

    if (is_put) {
      absl::StatusOr<Item> item = ParseItemJson(a.positional[2]);
      if (!item.ok()) return Failed(item.status());
      if (absl::Status s = db->Put(*key, *item); !s.ok()) return Failed(s);
      *out_ << "Item stored\n";
      return kExitOk;
    }
    if (command == "delete") {
      if (absl::Status s = db->Delete(*key); !s.ok()) return Failed(s);
      *out_ << "Item deleted\n";
      return kExitOk;
    }
    absl::StatusOr<std::optional<Item>> item = db->Get(*key);
    if (!item.ok()) return Failed(item.status());
    if (!item->has_value()) {
      *out_ << "Item not found\n";
      return kExitFailed;
    }
    *out_ << (*item)->ToJson(JsonStyle::kPretty) << "\n";
    return kExitOk;
  }

  int Maintenance(const std::vector<std::string>& args) {
    Args a;
    if (auto e = ParseArgs(args, 1, {}, {}, &a)) return Usage(e->message);
    if (a.positional.size() != 1) {
      return Usage(absl::StrCat("usage: kstone ", args[0], " PATH"));
    }
    absl::StatusOr<Database> db = Database::Open(a.positional[0]);
    if (!db.ok()) return Failed(db.status());
    if (args[0] == "compact") {
      if (absl::Status s = db->Compact(); !s.ok()) return Failed(s);
      *out_ << "Compaction complete\n";
      return kExitOk;
    }
    ShellContext ctx;
    ctx.db = &*db;
    ctx.out = out_;
    ctx.err = err_;
    absl::Status s = RunDotCommand(ctx, ".stats");
    return s.ok() ? kExitOk : Failed(s);
  }

  // kstone import|export PATH FILE [--format jsonl|ddbjson]
  int Transfer(const std::vector<std::string>& args) {
    const bool is_import = args[0] == "import";
    Args a;
    if (auto e = ParseArgs(args, 1, {"format"}, {}, &a)) {
      return Usage(e->message);
    }
    if (a.positional.size() != 2) {
      return Usage(absl::StrCat("usage: kstone ", args[0],
                                " PATH FILE [--format jsonl|ddbjson]"));
    }
    const std::string& file = a.positional[1];
    absl::StatusOr<TransferFormat> format =
        a.values.count("format") != 0 ? ParseTransferFormat(a.values["format"])
                                      : TransferFormatForFile(file);
    if (!format.ok()) return Usage(std::string(format.status().message()));
    absl::StatusOr<Database> db = Database::Open(a.positional[0]);
    if (!db.ok()) return Failed(db.status());
    absl::StatusOr<int64_t> n = is_import ? ImportItems(*db, file, *format)
                                          : ExportItems(*db, file, *format);
    if (!n.ok()) return Failed(n.status());
    *out_ << (is_import ? "Imported " : "Exported ") << *n << " item(s)"
          << (is_import ? " from " : " to ") << file << "\n";
    return kExitOk;
  }

  std::istream* const in_;
  std::ostream* const out_;
  std::ostream* const err_;
  const bool tty_;
};

absl::StatusOr<KeyType> ParseKeyType(const Value& v, std::string_view where) {
  if (v.type() == ValueType::kString) {
    if (v.AsString() == "S") return KeyType::kString;
    if (v.AsString() == "N") return KeyType::kNumber;
    if (v.AsString() == "B") return KeyType::kBinary;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      A(where), ".type must be \"S\", \"N\" or \"B\", got ", v.ToJson()));
}

// Reads {"name": ..., "type": ...} into *name and *type.
absl::Status ParseKeyAttribute(const Value& v, std::string_view where,
                               std::string* name, KeyType* type) {
  if (v.type() != ValueType::kMap) {
    return absl::InvalidArgumentError(absl::StrCat(
        A(where), " must be an object {\"name\": ..., \"type\": ...}"));
  }
  for (const auto& [member, value] : v.AsMap()) {
    if (member == "name") {
      if (value.type() != ValueType::kString) {
        return absl::InvalidArgumentError(
            absl::StrCat(A(where), ".name must be a string"));
      }
      *name = std::string(value.AsString());
    } else if (member == "type") {
      absl::StatusOr<KeyType> t = ParseKeyType(value, where);
      if (!t.ok()) return t.status();
      *type = *t;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown member ", A(where), ".", member, " (expected name, type)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TableSchema> ParseSchemaJson(std::string_view json) {
  absl::StatusOr<Item> doc = Item::FromJson(json);
  if (!doc.ok()) return doc.status();
  TableSchema schema;
  for (const auto& [member, value] : *doc) {
    if (member == "partition_key") {
      std::string name = schema.partition_key_name();
      KeyType type = schema.partition_key_type();
      absl::Status s = ParseKeyAttribute(value, member, &name, &type);
      if (!s.ok()) return s;
      schema.PartitionKey(name, type);
    } else if (member == "sort_key") {
      if (value.is_null()) {
        schema.WithoutSortKey();
        continue;
      }
      std::string name = schema.has_sort_key() ? schema.sort_key_name() : "sk";
      KeyType type = schema.sort_key_type();
      absl::Status s = ParseKeyAttribute(value, member, &name, &type);
      if (!s.ok()) return s;
      schema.SortKey(name, type);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown schema member \"", member,
                       "\" (expected partition_key, sort_key)"));
    }
  }
  absl::Status s = schema.Validate();
  if (!s.ok()) return s;
  return schema;
}

int RunCli(const std::vector<std::string>& args, std::istream* in,
           std::ostream* out, std::ostream* err, bool stdin_is_terminal) {
  Cli cli(in, out, err, stdin_is_terminal);
  int status = cli.Run(args);
  out->flush();
  err->flush();
  return status;
}

}  // namespace kstone::shell
