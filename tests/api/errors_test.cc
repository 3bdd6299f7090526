#include "kstone/errors.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace kstone {
namespace {

TEST(ErrorsTest, NamesAreStable) {
  // These strings are a contract (docs/errors.md); never change them.
  EXPECT_EQ(ErrorCodeName(ErrorCode::kOk), "OK");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kValidation), "VALIDATION");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kConditionalCheckFailed),
            "CONDITIONAL_CHECK_FAILED");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kTransactionCanceled),
            "TRANSACTION_CANCELED");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kDuplicateItem), "DUPLICATE_ITEM");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotFound), "NOT_FOUND");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kAlreadyExists), "ALREADY_EXISTS");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kCorruption), "CORRUPTION");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kIoError), "IO_ERROR");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kLocked), "LOCKED");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotADatabase), "NOT_A_DATABASE");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnimplemented), "UNIMPLEMENTED");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kInternal), "INTERNAL");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kIdempotentParameterMismatch),
            "IDEMPOTENT_PARAMETER_MISMATCH");
}

TEST(ErrorsTest, DerivedFromAbslCodes) {
  EXPECT_EQ(ErrorCodeOf(absl::OkStatus()), ErrorCode::kOk);
  EXPECT_EQ(ErrorCodeOf(absl::InvalidArgumentError("x")),
            ErrorCode::kValidation);
  EXPECT_EQ(ErrorCodeOf(absl::FailedPreconditionError("x")),
            ErrorCode::kConditionalCheckFailed);
  EXPECT_EQ(ErrorCodeOf(absl::NotFoundError("x")), ErrorCode::kNotFound);
  EXPECT_EQ(ErrorCodeOf(absl::AlreadyExistsError("x")),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(ErrorCodeOf(absl::DataLossError("x")), ErrorCode::kCorruption);
  EXPECT_EQ(ErrorCodeOf(absl::InternalError("x")), ErrorCode::kInternal);
  EXPECT_EQ(ErrorCodeOf(absl::UnimplementedError("x")),
            ErrorCode::kUnimplemented);
  EXPECT_EQ(ErrorCodeOf(absl::ErrnoToStatus(EIO, "write f")),
            ErrorCode::kIoError);
  EXPECT_EQ(ErrorCodeOf(absl::ErrnoToStatus(EACCES, "open f")),
            ErrorCode::kIoError);
}

TEST(ErrorsTest, MakeErrorRoundTripsEveryCode) {
  for (ErrorCode code :
       {ErrorCode::kValidation, ErrorCode::kConditionalCheckFailed,
        ErrorCode::kTransactionCanceled, ErrorCode::kDuplicateItem,
        ErrorCode::kNotFound, ErrorCode::kAlreadyExists, ErrorCode::kCorruption,
        ErrorCode::kIoError, ErrorCode::kLocked, ErrorCode::kNotADatabase,
        ErrorCode::kResourceExhausted, ErrorCode::kUnimplemented,
        ErrorCode::kInternal, ErrorCode::kIdempotentParameterMismatch}) {
    absl::Status s = MakeError(code, "the message");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(ErrorCodeOf(s), code) << ErrorCodeName(code);
    EXPECT_EQ(s.message(), "the message");
  }
  EXPECT_TRUE(MakeError(ErrorCode::kOk, "x").ok());
}

TEST(ErrorsTest, PayloadDisambiguatesFailedPrecondition) {
  absl::Status locked = MakeError(ErrorCode::kLocked, "db is locked");
  EXPECT_EQ(locked.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorCodeOf(locked), ErrorCode::kLocked);
  absl::Status check = MakeError(ErrorCode::kConditionalCheckFailed, "no");
  EXPECT_EQ(ErrorCodeOf(check), ErrorCode::kConditionalCheckFailed);
  absl::Status dup = WithErrorCode(absl::InvalidArgumentError("twice"),
                                   ErrorCode::kDuplicateItem);
  EXPECT_EQ(dup.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorCodeOf(dup), ErrorCode::kDuplicateItem);
  EXPECT_TRUE(WithErrorCode(absl::OkStatus(), ErrorCode::kLocked).ok());
}

}  // namespace
}  // namespace kstone
