#include "kstone/errors.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "api/absl_compat.h"

namespace kstone {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  absl::StatusCode absl_code;
};

// The one table of codes: name and the absl code MakeError uses.
constexpr CodeInfo kCodes[] = {
    {ErrorCode::kOk, "OK", absl::StatusCode::kOk},
    {ErrorCode::kValidation, "VALIDATION", absl::StatusCode::kInvalidArgument},
    {ErrorCode::kConditionalCheckFailed, "CONDITIONAL_CHECK_FAILED",
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kTransactionCanceled, "TRANSACTION_CANCELED",
     absl::StatusCode::kAborted},
    {ErrorCode::kDuplicateItem, "DUPLICATE_ITEM",
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kNotFound, "NOT_FOUND", absl::StatusCode::kNotFound},
    {ErrorCode::kAlreadyExists, "ALREADY_EXISTS",
     absl::StatusCode::kAlreadyExists},
    {ErrorCode::kCorruption, "CORRUPTION", absl::StatusCode::kDataLoss},
    {ErrorCode::kIoError, "IO_ERROR", absl::StatusCode::kUnavailable},
    {ErrorCode::kLocked, "LOCKED", absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kNotADatabase, "NOT_A_DATABASE",
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kResourceExhausted, "RESOURCE_EXHAUSTED",
     absl::StatusCode::kResourceExhausted},
    {ErrorCode::kUnimplemented, "UNIMPLEMENTED",
     absl::StatusCode::kUnimplemented},
    {ErrorCode::kInternal, "INTERNAL", absl::StatusCode::kInternal},
    {ErrorCode::kIdempotentParameterMismatch, "IDEMPOTENT_PARAMETER_MISMATCH",
     absl::StatusCode::kInvalidArgument},
};

const CodeInfo* InfoOf(ErrorCode code) {
  for (const CodeInfo& info : kCodes) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

std::optional<ErrorCode> CodeNamed(std::string_view name) {
  for (const CodeInfo& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

// The code an absl status maps to when it carries no payload.
ErrorCode FromAbslCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return ErrorCode::kOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return ErrorCode::kValidation;
    case absl::StatusCode::kFailedPrecondition:
      return ErrorCode::kConditionalCheckFailed;
    case absl::StatusCode::kAborted:
      return ErrorCode::kTransactionCanceled;
    case absl::StatusCode::kNotFound:
      return ErrorCode::kNotFound;
    case absl::StatusCode::kAlreadyExists:
      return ErrorCode::kAlreadyExists;
    case absl::StatusCode::kDataLoss:
      return ErrorCode::kCorruption;
    case absl::StatusCode::kResourceExhausted:
      return ErrorCode::kResourceExhausted;
    case absl::StatusCode::kUnimplemented:
      return ErrorCode::kUnimplemented;
    case absl::StatusCode::kInternal:
      return ErrorCode::kInternal;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnauthenticated:
    default:
      return ErrorCode::kIoError;
  }
}

}  // namespace

ErrorCode ErrorCodeOf(const absl::Status& status) {
  if (status.ok()) return ErrorCode::kOk;
  absl::optional<absl::Cord> payload =
      status.GetPayload(ToAbsl(kErrorCodePayloadUrl));
  if (payload.has_value()) {
    std::optional<ErrorCode> code = CodeNamed(std::string(*payload));
    if (code.has_value() && *code != ErrorCode::kOk) return *code;
  }
  return FromAbslCode(status.code());
}

std::string_view ErrorCodeName(ErrorCode code) {
  const CodeInfo* info = InfoOf(code);
  return info == nullptr ? std::string_view("UNKNOWN") : info->name;
}

absl::Status WithErrorCode(absl::Status status, ErrorCode code) {
  if (status.ok() || code == ErrorCode::kOk) return status;
  if (FromAbslCode(status.code()) == code) {
    status.ErasePayload(ToAbsl(kErrorCodePayloadUrl));
    return status;
  }
  std::string_view name = ErrorCodeName(code);
  status.SetPayload(ToAbsl(kErrorCodePayloadUrl), absl::Cord(ToAbsl(name)));
  return status;
}

absl::Status MakeError(ErrorCode code, std::string_view message) {
  const CodeInfo* info = InfoOf(code);
  absl::StatusCode absl_code =
      info == nullptr ? absl::StatusCode::kInternal : info->absl_code;
  if (absl_code == absl::StatusCode::kOk) return absl::OkStatus();
  return WithErrorCode(absl::Status(absl_code, ToAbsl(message)), code);
}

}  // namespace kstone
