#include "shell/dot_commands.h"

#include <errno.h>
#include <string.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "kstone/errors.h"
#include "kstone/schema.h"
#include "shell/transfer.h"

namespace kstone::shell {
namespace {

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status Help(ShellContext& ctx, const std::vector<std::string>&) {
  std::ostream& out = *ctx.out;
  out << "Commands:\n";
  out << "  put <pk> [<sk>] <json>   store an item (a plain JSON object)\n";
  out << "  get <pk> [<sk>]          print an item as JSON\n";
  out << "  delete <pk> [<sk>]       delete an item\n";
  out << "  Keys are bare words or 'quoted strings'; numbers for N keys,\n";
  out << "  base64 for B keys. A trailing ';' is optional.\n\n";
  out << "Dot-commands:\n";
  size_t width = 0;
  for (const DotCommand& c : DotCommands())
    width = std::max(width, c.usage.size());
  for (const DotCommand& c : DotCommands()) {
    out << absl::StrFormat("  %-*s  %s\n", static_cast<int>(width), A(c.usage),
                           A(c.help));
  }
  return absl::OkStatus();
}

absl::Status Exit(ShellContext& ctx, const std::vector<std::string>&) {
  ctx.exit_requested = true;
  return absl::OkStatus();
}

absl::Status Schema(ShellContext& ctx, const std::vector<std::string>&) {
  const TableSchema& schema = ctx.db->schema();
  *ctx.out << "partition key: " << schema.partition_key_name() << " ("
           << KeyTypeName(schema.partition_key_type()) << ")\n";
  if (schema.has_sort_key()) {
    *ctx.out << "sort key:      " << schema.sort_key_name() << " ("
             << KeyTypeName(schema.sort_key_type()) << "), optional per item\n";
  } else {
    *ctx.out << "sort key:      none\n";
  }
  // kstone has no secondary indexes, TTL or streams yet.
  *ctx.out << "indexes:       none\n";
  *ctx.out << "TTL attribute: none\n";
  *ctx.out << "stream:        off\n";
  return absl::OkStatus();
}

absl::Status Indexes(ShellContext& ctx, const std::vector<std::string>&) {
  *ctx.out << "No indexes.\n";
  return absl::OkStatus();
}

absl::Status Stats(ShellContext& ctx, const std::vector<std::string>&) {
  DatabaseStats s = ctx.db->Stats();
  std::ostream& out = *ctx.out;
  out << "database:         " << ctx.db->path() << "\n";
  // Exact, by a full Scan with SelectCount: its cost grows with the table.
  absl::StatusOr<int64_t> items = CountItems(*ctx.db);
  if (items.ok()) {
    out << "items:            " << *items
        << " (exact, counted by a full scan)\n";
  } else if (absl::IsCancelled(items.status())) {
    out << "items:            not counted (interrupted)\n";
  } else {
    return items.status();
  }
  out << "last sequence:    " << s.last_sequence << "\n";
  out << "stripes in use:   " << s.stripes_in_use << "\n";
  out << "memtable records: " << s.memtable_records << "\n";
  out << "memtable bytes:   " << s.memtable_bytes << "\n";
  out << "SST count:        " << s.tables << "\n";
  out << "SST bytes:        " << s.table_bytes << "\n";
  out << "SST records:      " << s.table_entries << "\n";
  out << "SST filter bytes: " << s.table_filter_bytes << "\n";
  out << "WAL bytes:        " << s.wal_bytes << "\n";
  out << "WAL segments:     " << s.wal_segments << "\n";
  out << "flushes:          " << s.flushes << "\n";
  out << "compactions:      " << s.compactions << "\n";
  return absl::OkStatus();
}

absl::Status Flush(ShellContext& ctx, const std::vector<std::string>&) {
  absl::Status s = ctx.db->Flush();
  if (s.ok()) *ctx.out << "Flushed\n";
  return s;
}

absl::Status Compact(ShellContext& ctx, const std::vector<std::string>&) {
  absl::Status s = ctx.db->Compact();
  if (s.ok()) *ctx.out << "Compacted\n";
  return s;
}

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  for (OutputFormat f :
       {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kJsonl,
        OutputFormat::kCompact, OutputFormat::kCsv, OutputFormat::kDdbJson}) {
    if (OutputFormatName(f) == name) return f;
  }
  return std::nullopt;
}

absl::Status Format(ShellContext& ctx, const std::vector<std::string>& args) {
  if (args.empty()) {
    *ctx.out << OutputFormatName(ctx.format) << "\n";
    return absl::OkStatus();
  }
  std::optional<OutputFormat> f = ParseOutputFormat(args[0]);
  if (!f.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(".format: unknown format \"", args[0],
                     "\" (valid: table, json, jsonl, compact, csv, ddbjson)"));
  }
  ctx.format = *f;
  return absl::OkStatus();
}

absl::Status Timer(ShellContext& ctx, const std::vector<std::string>& args) {
  if (args[0] != "on" && args[0] != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat(".timer: expected on or off, got \"", args[0], "\""));
  }
  ctx.timer = args[0] == "on";
  return absl::OkStatus();
}

absl::Status Export(ShellContext& ctx, const std::vector<std::string>& args) {
  absl::StatusOr<TransferFormat> format = TransferFormatForFile(args[0]);
  if (!format.ok()) return format.status();
  absl::StatusOr<int64_t> n = ExportItems(*ctx.db, args[0], *format);
  if (!n.ok()) return n.status();
  *ctx.out << "Exported " << *n << " item(s) to " << args[0] << "\n";
  return absl::OkStatus();
}

absl::Status Import(ShellContext& ctx, const std::vector<std::string>& args) {
  absl::StatusOr<TransferFormat> format = TransferFormatForFile(args[0]);
  if (!format.ok()) return format.status();
  absl::StatusOr<int64_t> n = ImportItems(*ctx.db, args[0], *format);
  if (!n.ok()) return n.status();
  *ctx.out << "Imported " << *n << " item(s) from " << args[0] << "\n";
  return absl::OkStatus();
}

absl::Status Save(ShellContext& ctx, const std::vector<std::string>& args) {
  absl::StatusOr<int64_t> n = SaveDatabase(*ctx.db, args[0]);
  if (!n.ok()) return n.status();
  *ctx.out << "Saved " << *n << " item(s) to " << args[0] << "\n";
  return absl::OkStatus();
}

absl::Status Open(ShellContext& ctx, const std::vector<std::string>& args) {
  const std::string& path = args[0];
  if (path != kMemoryPath && path == ctx.db->path()) {
    return MakeError(ErrorCode::kLocked,
                     absl::StrCat(path, " is already the open database"));
  }
  absl::StatusOr<Database> db = Database::Open(path);
  if (!db.ok()) return db.status();
  if (!db->recovery_message().empty()) {
    *ctx.err << "Note: " << db->recovery_message() << "\n";
  }
  *ctx.db = std::move(*db);  // the old database closes here
  *ctx.out << "Opened " << ctx.db->path() << "\n";
  if (ctx.db->in_memory()) {
    *ctx.out << "Note: in-memory database - data is temporary.\n";
  }
  return absl::OkStatus();
}

absl::Status Read(ShellContext& ctx, const std::vector<std::string>& args) {
  if (!ctx.run_script) {
    return absl::FailedPreconditionError(".read works only in the shell");
  }
  std::ifstream file(args[0], std::ios::binary);
  if (!file) {
    return MakeError(ErrorCode::kNotFound, absl::StrCat("cannot read ", args[0],
                                                        ": ", strerror(errno)));
  }
  return ctx.run_script(file, args[0]);
}

absl::Status Clear(ShellContext& ctx, const std::vector<std::string>&) {
  // Home the cursor and erase the screen; nothing when output is not a
  // terminal, so piped output stays clean.
  if (ctx.stdout_is_terminal) *ctx.out << "\x1b[H\x1b[2J";
  return absl::OkStatus();
}

}  // namespace

std::string_view OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kTable:
      return "table";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kJsonl:
      return "jsonl";
    case OutputFormat::kCompact:
      return "compact";
    case OutputFormat::kCsv:
      return "csv";
    case OutputFormat::kDdbJson:
      return "ddbjson";
  }
  return "json";
}

const std::vector<DotCommand>& DotCommands() {
  static const std::vector<DotCommand>* const kCommands =
      new std::vector<DotCommand>{
          {".help", 0, 0, Help, ".help", "list the commands"},
          {".exit", 0, 0, Exit, ".exit", "leave the shell (also Ctrl-D)"},
          {".quit", 0, 0, Exit, ".quit", "leave the shell"},
          {".format", 0, 1, Format,
           ".format [table|json|jsonl|compact|csv|ddbjson]",
           "output format of SELECT results; no argument: show it"},
          {".timer", 1, 1, Timer, ".timer on|off",
           "print \"N row(s) (x.xx ms)\" after each statement"},
          {".schema", 0, 0, Schema, ".schema",
           "show the key attributes and their types"},
          {".indexes", 0, 0, Indexes, ".indexes", "list the secondary indexes"},
          {".stats", 0, 0, Stats, ".stats",
           "item count (a full scan) and storage counters"},
          {".import", 1, 1, Import, ".import FILE",
           "store the items of a .jsonl or .ddbjson file"},
          {".export", 1, 1, Export, ".export FILE",
           "write every item to a .jsonl or .ddbjson file"},
          {".save", 1, 1, Save, ".save PATH",
           "copy this database to a new directory database"},
          {".open", 1, 1, Open, ".open PATH|:memory:", "switch database"},
          {".read", 1, 1, Read, ".read FILE", "run the lines of a file"},
          {".flush", 0, 0, Flush, ".flush", "write the memtables to SSTs now"},
          {".compact", 0, 0, Compact, ".compact",
           "compact every stripe to at most one SST now"},
          {".clear", 0, 0, Clear, ".clear", "clear the screen"},
      };
  return *kCommands;
}

const DotCommand* FindDotCommand(std::string_view name) {
  for (const DotCommand& c : DotCommands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string_view> SuggestDotCommand(std::string_view name) {
  std::optional<std::string_view> best;
  int best_distance = 3;
  for (const DotCommand& c : DotCommands()) {
    int d = EditDistance(name, c.name);
    if (d < best_distance) {
      best_distance = d;
      best = c.name;
    }
  }
  return best;
}

absl::Status RunDotCommand(ShellContext& ctx, std::string_view line) {
  std::vector<std::string> words =
      absl::StrSplit(A(line), absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (words.empty()) return absl::OkStatus();
  std::string name = words[0];
  while (!name.empty() && name.back() == ';') name.pop_back();
  const DotCommand* command = FindDotCommand(name);
  if (command == nullptr) {
    std::string message = absl::StrCat("Unknown command: ", name);
    if (std::optional<std::string_view> s = SuggestDotCommand(name)) {
      absl::StrAppend(&message, ". Did you mean ", A(*s), "?");
    } else {
      absl::StrAppend(&message, ". Type .help for available commands");
    }
    return absl::InvalidArgumentError(message);
  }
  std::vector<std::string> args(words.begin() + 1, words.end());
  const int n = static_cast<int>(args.size());
  if (n < command->min_args || n > command->max_args) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": wrong number of arguments (", n,
                     "); usage: ", A(command->usage)));
  }
  return command->handler(ctx, args);
}

}  // namespace kstone::shell
