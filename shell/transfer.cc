#include "shell/transfer.h"

#include <errno.h>
#include <string.h>

#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kstone/errors.h"
#include "kstone/query.h"
#include "shell/interrupt.h"

namespace kstone::shell {
namespace {

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status Interrupted() { return absl::CancelledError("interrupted"); }

}  // namespace

absl::StatusOr<TransferFormat> TransferFormatForFile(std::string_view path) {
  const absl::string_view p = A(path);
  if (absl::EndsWith(p, ".ddbjson") || absl::EndsWith(p, ".ddb.json")) {
    return TransferFormat::kDdbJson;
  }
  if (absl::EndsWith(p, ".jsonl") || absl::EndsWith(p, ".ndjson") ||
      absl::EndsWith(p, ".json")) {
    return TransferFormat::kJsonl;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot tell the format of ", p,
      " from its extension: use .jsonl (plain JSON per line) or .ddbjson "
      "(DynamoDB JSON per line)"));
}

absl::StatusOr<TransferFormat> ParseTransferFormat(std::string_view name) {
  if (name == "jsonl") return TransferFormat::kJsonl;
  if (name == "ddbjson") return TransferFormat::kDdbJson;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format \"", A(name), "\" (valid: jsonl, ddbjson)"));
}

absl::Status ForEachItem(const Database& db,
                         const std::function<absl::Status(const Item&)>& fn) {
  kstone::Scan scan;
  while (true) {
    if (InterruptPending()) return Interrupted();
    absl::StatusOr<ScanResult> page = db.Scan(scan);
    if (!page.ok()) return page.status();
    for (const Item& item : page->items) {
      if (absl::Status s = fn(item); !s.ok()) return s;
    }
    if (!page->last_key.has_value()) return absl::OkStatus();
    scan.StartAfter(std::move(page->last_key));
  }
}

absl::StatusOr<int64_t> CountItems(const Database& db) {
  kstone::Scan scan;
  scan.SelectCount();
  int64_t count = 0;
  while (true) {
    if (InterruptPending()) return Interrupted();
    absl::StatusOr<ScanResult> page = db.Scan(scan);
    if (!page.ok()) return page.status();
    count += page->count;
    if (!page->last_key.has_value()) return count;
    scan.StartAfter(std::move(page->last_key));
  }
}

absl::StatusOr<int64_t> ExportItems(const Database& db, const std::string& path,
                                    TransferFormat format) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    return MakeError(ErrorCode::kIoError, absl::StrCat("cannot write ", path,
                                                       ": ", strerror(errno)));
  }
  int64_t n = 0;
  absl::Status s = ForEachItem(db, [&](const Item& item) {
    file << (format == TransferFormat::kJsonl ? item.ToJson()
                                              : item.ToDynamoJson())
         << '\n';
    ++n;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  file.flush();
  if (!file) {
    return MakeError(ErrorCode::kIoError, absl::StrCat("cannot write ", path,
                                                       ": ", strerror(errno)));
  }
  return n;
}

absl::StatusOr<int64_t> ImportItems(Database& db, const std::string& path,
                                    TransferFormat format) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return MakeError(ErrorCode::kNotFound,
                     absl::StrCat("cannot read ", path, ": ", strerror(errno)));
  }
  int64_t n = 0;
  int64_t line_number = 0;
  for (std::string line; std::getline(file, line);) {
    ++line_number;
    if (InterruptPending()) return Interrupted();
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    absl::StatusOr<Item> item = format == TransferFormat::kJsonl
                                    ? Item::FromJson(line)
                                    : Item::FromDynamoJson(line);
    absl::Status s = item.ok() ? db.Put(*item) : item.status();
    if (!s.ok()) {
      return MakeError(
          ErrorCodeOf(s),
          absl::StrCat(path, " line ", line_number, ": ", s.message(), " (", n,
                       " items stored before it)"));
    }
    ++n;
  }
  if (file.bad()) {
    return MakeError(ErrorCode::kIoError,
                     absl::StrCat("cannot read ", path, ": ", strerror(errno)));
  }
  return n;
}

absl::StatusOr<int64_t> SaveDatabase(const Database& db,
                                     const std::string& path) {
  absl::StatusOr<Database> target =
      Database::CreateWithSchema(path, db.schema());
  if (!target.ok()) return target.status();
  int64_t n = 0;
  absl::Status s = ForEachItem(db, [&](const Item& item) {
    ++n;
    return target->Put(item);
  });
  if (!s.ok()) return s;
  if (absl::Status f = target->Flush(); !f.ok()) return f;
  return n;
}

}  // namespace kstone::shell
