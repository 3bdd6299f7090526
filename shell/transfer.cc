#include "shell/transfer.h"

#include <errno.h>
#include <string.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kstone/batch.h"
#include "kstone/errors.h"
#include "kstone/query.h"
#include "shell/interrupt.h"

namespace kstone::shell {
namespace {

absl::string_view A(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status Interrupted() { return absl::CancelledError("interrupted"); }

// Stores items in atomic BatchWrites of up to kMaxBatchWriteRequests: one
// WAL group commit (and sync) per batch instead of one per item. A batch
// never holds the same key twice (a second one starts a new batch, so the
// later item wins, as with one Put per item). If a batch fails, nothing of
// it was written; its items are then put one at a time, in order, to store
// those before the bad one and find it.
class BatchedPuts {
 public:
  explicit BatchedPuts(Database& db) : db_(db) {}

  // Adds the item from input line `line`; may write a batch.
  absl::Status Add(Key key, Item item, int64_t line) {
    for (const Entry& e : batch_) {
      if (e.key == key) {
        if (absl::Status s = Flush(); !s.ok()) return s;
        break;
      }
    }
    batch_.push_back(Entry{std::move(key), std::move(item), line});
    if (batch_.size() >= kMaxBatchWriteRequests) return Flush();
    return absl::OkStatus();
  }

  // Writes what is pending. On failure, failed_line() names the bad item.
  absl::Status Flush() {
    if (batch_.empty()) return absl::OkStatus();
    kstone::BatchWrite write;
    for (const Entry& e : batch_) write.Put(e.key, e.item);
    absl::Status s = db_.BatchWrite(write);
    if (s.ok()) {
      stored_ += static_cast<int64_t>(batch_.size());
    } else {
      for (const Entry& e : batch_) {
        if (absl::Status one = db_.Put(e.key, e.item); !one.ok()) {
          failed_line_ = e.line;
          batch_.clear();
          return one;
        }
        ++stored_;
      }
    }
    batch_.clear();
    return absl::OkStatus();
  }

  int64_t stored() const { return stored_; }
  int64_t failed_line() const { return failed_line_; }

 private:
  struct Entry {
    Key key;
    Item item;
    int64_t line;
  };
  Database& db_;
  std::vector<Entry> batch_;
  int64_t stored_ = 0;
  int64_t failed_line_ = 0;
};

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
  BatchedPuts puts(db);
  auto fail = [&](const absl::Status& s, int64_t line) {
    return MakeError(ErrorCodeOf(s),
                     absl::StrCat(path, " line ", line, ": ", s.message(), " (",
                                  puts.stored(), " items stored before it)"));
  };
  int64_t line_number = 0;
  for (std::string line; std::getline(file, line);) {
    ++line_number;
    if (InterruptPending()) {
      if (absl::Status s = puts.Flush(); !s.ok()) {
        return fail(s, puts.failed_line());
      }
      return Interrupted();
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    absl::StatusOr<Item> item = format == TransferFormat::kJsonl
                                    ? Item::FromJson(line)
                                    : Item::FromDynamoJson(line);
    absl::StatusOr<Key> key =
        item.ok() ? db.KeyOf(*item) : absl::StatusOr<Key>(item.status());
    if (!key.ok()) {
      // Store the lines before this one first, as the message says.
      if (absl::Status s = puts.Flush(); !s.ok()) {
        return fail(s, puts.failed_line());
      }
      return fail(key.status(), line_number);
    }
    if (absl::Status s =
            puts.Add(std::move(*key), std::move(*item), line_number);
        !s.ok()) {
      return fail(s, puts.failed_line());
    }
  }
  if (absl::Status s = puts.Flush(); !s.ok()) {
    return fail(s, puts.failed_line());
  }
  if (file.bad()) {
    return MakeError(ErrorCode::kIoError,
                     absl::StrCat("cannot read ", path, ": ", strerror(errno)));
  }
  return puts.stored();
}

absl::StatusOr<int64_t> SaveDatabase(const Database& db,
                                     const std::string& path) {
  absl::StatusOr<Database> target =
      Database::CreateWithSchema(path, db.schema());
  if (!target.ok()) return target.status();
  BatchedPuts puts(*target);
  absl::Status s = ForEachItem(db, [&](const Item& item) {
    absl::StatusOr<Key> key = target->KeyOf(item);
    if (!key.ok()) return key.status();
    return puts.Add(std::move(*key), item, 0);
  });
  if (s.ok()) s = puts.Flush();
  if (!s.ok()) return s;
  if (absl::Status f = target->Flush(); !f.ok()) return f;
  return puts.stored();
}

}  // namespace kstone::shell
