#include "shell/dot_commands.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "kstone/schema.h"

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
  return absl::OkStatus();
}

absl::Status Stats(ShellContext& ctx, const std::vector<std::string>&) {
  DatabaseStats s = ctx.db->Stats();
  std::ostream& out = *ctx.out;
  out << "database:         " << ctx.db->path() << "\n";
  out << "last sequence:    " << s.last_sequence << "\n";
  out << "stripes in use:   " << s.stripes_in_use << "\n";
  out << "memtable records: " << s.memtable_records << "\n";
  out << "memtable bytes:   " << s.memtable_bytes << "\n";
  out << "SST count:        " << s.tables << "\n";
  out << "SST bytes:        " << s.table_bytes << "\n";
  out << "SST records:      " << s.table_entries << "\n";
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

}  // namespace

const std::vector<DotCommand>& DotCommands() {
  static const std::vector<DotCommand>* const kCommands =
      new std::vector<DotCommand>{
          {".help", 0, 0, Help, ".help", "list the commands"},
          {".exit", 0, 0, Exit, ".exit", "leave the shell (also Ctrl-D)"},
          {".quit", 0, 0, Exit, ".quit", "leave the shell"},
          {".schema", 0, 0, Schema, ".schema",
           "show the key attributes and their types"},
          {".stats", 0, 0, Stats, ".stats",
           "show storage counters (memtables, SSTs, WAL)"},
          {".flush", 0, 0, Flush, ".flush", "write the memtables to SSTs now"},
          {".compact", 0, 0, Compact, ".compact",
           "compact every stripe to at most one SST now"},
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
