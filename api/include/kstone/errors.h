#ifndef KSTONE_ERRORS_H_
#define KSTONE_ERRORS_H_

// Stable error codes for kstone statuses.
//
// Every fallible kstone call returns an absl::Status (or absl::StatusOr). The
// absl code says what kind of failure it was; ErrorCodeOf() refines it into a
// stable kstone code that the CLI, the shell, the docs (docs/errors.md) and
// programs that want to branch on errors use. Codes never change meaning and
// their names (ErrorCodeName) never change spelling.
//
// Where the absl code alone is ambiguous (FailedPrecondition is used both for
// a false condition expression and for a database locked by another open),
// kstone attaches the code as a payload under kErrorCodePayloadUrl.
//
// Example:
//
//   absl::Status s = db.Put(item);
//   if (kstone::ErrorCodeOf(s) == kstone::ErrorCode::kValidation) {
//     std::cerr << "bad item: " << s.message() << "\n";
//   }
//
// Thread safety: all functions are pure and safe for concurrent use.

#include <string_view>

#include "absl/status/status.h"

namespace kstone {

enum class ErrorCode {
  kOk = 0,
  // Bad input: an item, key, value, option, JSON text or argument that breaks
  // a rule (DynamoDB's ValidationException). absl: InvalidArgument.
  kValidation,
  // A condition expression evaluated to false. absl: FailedPrecondition.
  kConditionalCheckFailed,
  // A transaction was cancelled; the message holds a reason per action.
  kTransactionCanceled,
  // A transaction or batch names the same item twice.
  kDuplicateItem,
  // A database, file or index that must exist does not. absl: NotFound.
  kNotFound,
  // A database is already there. absl: AlreadyExists.
  kAlreadyExists,
  // Stored bytes failed a checksum, length or format check. absl: DataLoss.
  kCorruption,
  // The operating system reported an error (open, read, write, sync, ...).
  kIoError,
  // The database directory is held by another open handle or process.
  kLocked,
  // A directory that exists but is not a kstone database.
  kNotADatabase,
  // A configured limit was reached (disk full, too many items in a request).
  kResourceExhausted,
  // The operation is not supported (yet). absl: Unimplemented.
  kUnimplemented,
  // kstone broke one of its own invariants; please report it.
  kInternal,
  // A TransactWrite's client request token was used by a different request
  // (DynamoDB's IdempotentParameterMismatchException). absl: InvalidArgument
  // with the payload.
  kIdempotentParameterMismatch,
};

// The payload type URL under which kstone stores an ErrorCode's name when the
// absl code is ambiguous.
inline constexpr std::string_view kErrorCodePayloadUrl =
    "type.kstone.dev/kstone.ErrorCode";

// The stable code of `status`: kOk for an OK status; the code in the payload
// if there is one; otherwise derived from status.code() (see each code).
ErrorCode ErrorCodeOf(const absl::Status& status);

// The code's stable upper-case name, e.g. "CONDITIONAL_CHECK_FAILED", "OK".
std::string_view ErrorCodeName(ErrorCode code);

// A status carrying `code`: the matching absl code, `message`, and the
// payload when the absl code alone would not give `code` back.
absl::Status MakeError(ErrorCode code, std::string_view message);

// `status` with `code` attached as its payload (unchanged if it is OK).
absl::Status WithErrorCode(absl::Status status, ErrorCode code);

}  // namespace kstone

#endif  // KSTONE_ERRORS_H_
