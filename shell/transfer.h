#ifndef KSTONE_SHELL_TRANSFER_H_
#define KSTONE_SHELL_TRANSFER_H_

// Moving whole tables through the public api (kstone/query.h Scan): the
// exact item count of .stats, .export/.import of jsonl and DynamoDB-JSON
// files, and .save to a new directory database. Every function that reads
// the table is a full scan, page by page (1 MB pages), so its cost grows
// with the table; each one stops early when Ctrl-C is pressed in the
// interactive shell (interrupt.h).
//
// Thread safety: the functions may run concurrently with other users of the
// database; each page sees a consistent state per stripe (query.h).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kstone/database.h"
#include "kstone/item.h"

namespace kstone::shell {

// One item per line: plain JSON ("jsonl") or DynamoDB JSON ("ddbjson").
enum class TransferFormat { kJsonl, kDdbJson };

// By extension: .jsonl, .ndjson and .json are jsonl; .ddbjson (also
// .ddb.json) is ddbjson. VALIDATION naming the file and the valid
// extensions otherwise.
absl::StatusOr<TransferFormat> TransferFormatForFile(std::string_view path);
// "jsonl" or "ddbjson" (the --format value); VALIDATION otherwise.
absl::StatusOr<TransferFormat> ParseTransferFormat(std::string_view name);

// Calls `fn` for every item, in scan order. Stops at fn's first error and
// returns it. CANCELLED ("interrupted") on Ctrl-C.
absl::Status ForEachItem(const Database& db,
                         const std::function<absl::Status(const Item&)>& fn);

// The exact number of items: a Scan with SelectCount, page by page.
// CANCELLED ("interrupted") on Ctrl-C.
absl::StatusOr<int64_t> CountItems(const Database& db);

// Writes every item to `path` (created or truncated), one per line.
// Returns the number written. IO_ERROR naming the file if it cannot be
// written.
absl::StatusOr<int64_t> ExportItems(const Database& db, const std::string& path,
                                    TransferFormat format);

// Puts every line of `path` (blank lines skipped) as an item, keyed by its
// key attributes. Stops at the first bad line: VALIDATION naming the file,
// the line and how many items were stored before it (those stay stored).
// NOT_FOUND if the file cannot be read. Returns the number stored.
absl::StatusOr<int64_t> ImportItems(Database& db, const std::string& path,
                                    TransferFormat format);

// Creates a directory database at `path` with db's schema and copies every
// item into it (flushed to disk before returning). ALREADY_EXISTS if a
// database is there. Returns the number of items copied.
absl::StatusOr<int64_t> SaveDatabase(const Database& db,
                                     const std::string& path);

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_TRANSFER_H_
