#ifndef KSTONE_TESTS_TESTING_STATUS_MATCHERS_H_
#define KSTONE_TESTS_TESTING_STATUS_MATCHERS_H_

// Test helpers for absl::Status and absl::StatusOr:
//
//   KS_ASSERT_OK(db.Put(key, item));
//   KS_EXPECT_OK(wal->Sync());
//   KS_ASSERT_OK_AND_ASSIGN(auto table, store->OpenTable(1));
//   EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss, HasSubstr("x")));

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kstone::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER_P2(StatusIs, code, message_matcher, "") {
  const absl::Status& status = ::kstone::testing::GetStatus(arg);
  if (status.code() != code) {
    *result_listener << "whose status is " << status;
    return false;
  }
  return ::testing::ExplainMatchResult(
      message_matcher, std::string(status.message()), result_listener);
}

}  // namespace kstone::testing

#define KS_EXPECT_OK(expr)                                             \
  do {                                                                 \
    const ::absl::Status ks_s_ = ::kstone::testing::GetStatus((expr)); \
    EXPECT_TRUE(ks_s_.ok()) << ks_s_;                                  \
  } while (false)

#define KS_ASSERT_OK(expr)                                             \
  do {                                                                 \
    const ::absl::Status ks_s_ = ::kstone::testing::GetStatus((expr)); \
    ASSERT_TRUE(ks_s_.ok()) << ks_s_;                                  \
  } while (false)

#define KS_TESTING_CONCAT_INNER_(a, b) a##b
#define KS_TESTING_CONCAT_(a, b) KS_TESTING_CONCAT_INNER_(a, b)

#define KS_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  KS_ASSERT_OK_AND_ASSIGN_IMPL_(KS_TESTING_CONCAT_(ks_so_, __LINE__), lhs, expr)

#define KS_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  ASSERT_TRUE(statusor.ok()) << statusor.status();         \
  lhs = std::move(*statusor)

#endif  // KSTONE_TESTS_TESTING_STATUS_MATCHERS_H_
