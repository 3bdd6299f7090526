#ifndef KSTONE_CORE_UTIL_STATUS_MACROS_H_
#define KSTONE_CORE_UTIL_STATUS_MACROS_H_

// Debian 12's Abseil (20220623) ships no status macros; these are ours.
//
//   KS_RETURN_IF_ERROR(file->Sync());
//   KS_ASSIGN_OR_RETURN(std::unique_ptr<Table> table, store->OpenTable(7));

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KS_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status ks_status_ = (expr);      \
    if (!ks_status_.ok()) return ks_status_; \
  } while (false)

#define KS_STATUS_CONCAT_INNER_(a, b) a##b
#define KS_STATUS_CONCAT_(a, b) KS_STATUS_CONCAT_INNER_(a, b)

#define KS_ASSIGN_OR_RETURN(lhs, expr)                                      \
  KS_ASSIGN_OR_RETURN_IMPL_(KS_STATUS_CONCAT_(ks_statusor_, __LINE__), lhs, \
                            expr)

#define KS_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return statusor.status();        \
  lhs = std::move(*statusor)

#endif  // KSTONE_CORE_UTIL_STATUS_MACROS_H_
