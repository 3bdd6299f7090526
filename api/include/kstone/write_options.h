#ifndef KSTONE_WRITE_OPTIONS_H_
#define KSTONE_WRITE_OPTIONS_H_

// Options of conditional single-item writes: a condition expression with its
// #name / :value placeholders, and what the write returns.
//
//   absl::StatusOr<kstone::WriteResult> r = db.Put(
//       kstone::Key("user#1"), item,
//       kstone::PutOptions().Condition("attribute_not_exists(pk)"));
//   if (kstone::ErrorCodeOf(r.status()) ==
//       kstone::ErrorCode::kConditionalCheckFailed) { /* already there */ }
//
// The condition is evaluated against the item as stored (key attributes
// included; a missing item makes attribute_exists false, comparisons false)
// under the same stripe lock as the write, so the read-check-write is
// atomic. A false condition is CONDITIONAL_CHECK_FAILED and writes nothing.
// Every placeholder defined must be used, every one used defined
// (VALIDATION otherwise).
//
// Thread safety: value types; const methods are safe for concurrent use.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "kstone/item.h"
#include "kstone/value.h"

namespace kstone {

// What a write returns (DynamoDB's ReturnValues). Put and Delete accept
// kNone and kAllOld; Update accepts all five.
enum class ReturnValues {
  kNone,        // nothing
  kAllOld,      // the whole item before the write (if there was one)
  kAllNew,      // the whole item after the write
  kUpdatedOld,  // the old values of the attributes the update targets
  kUpdatedNew,  // the new values of the attributes the update sets
};

// DynamoDB's spelling: "NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD",
// "UPDATED_NEW".
std::string_view ReturnValuesName(ReturnValues rv);

// A condition expression with its placeholders. Shared by PutOptions,
// DeleteOptions, Update and the actions of a transaction.
struct WriteCondition {
  std::string expression;                    // "" = unconditional
  std::map<std::string, std::string> names;  // "#n" -> attribute name
  std::map<std::string, Value> values;       // ":v" -> value
};

// Options of Database::Put.
class PutOptions {
 public:
  PutOptions() = default;
  PutOptions& Condition(std::string expression) {
    condition_.expression = std::move(expression);
    return *this;
  }
  PutOptions& Name(std::string placeholder, std::string name) {
    condition_.names[std::move(placeholder)] = std::move(name);
    return *this;
  }
  PutOptions& Value(std::string placeholder, kstone::Value value) {
    condition_.values.insert_or_assign(std::move(placeholder),
                                       std::move(value));
    return *this;
  }
  PutOptions& ReturnValues(kstone::ReturnValues rv) {
    return_values_ = rv;
    return *this;
  }
  const WriteCondition& condition() const { return condition_; }
  kstone::ReturnValues return_values() const { return return_values_; }

 private:
  WriteCondition condition_;
  kstone::ReturnValues return_values_ = kstone::ReturnValues::kNone;
};

// Options of Database::Delete (the same fields as PutOptions).
class DeleteOptions {
 public:
  DeleteOptions() = default;
  DeleteOptions& Condition(std::string expression) {
    condition_.expression = std::move(expression);
    return *this;
  }
  DeleteOptions& Name(std::string placeholder, std::string name) {
    condition_.names[std::move(placeholder)] = std::move(name);
    return *this;
  }
  DeleteOptions& Value(std::string placeholder, kstone::Value value) {
    condition_.values.insert_or_assign(std::move(placeholder),
                                       std::move(value));
    return *this;
  }
  DeleteOptions& ReturnValues(kstone::ReturnValues rv) {
    return_values_ = rv;
    return *this;
  }
  const WriteCondition& condition() const { return condition_; }
  kstone::ReturnValues return_values() const { return return_values_; }

 private:
  WriteCondition condition_;
  kstone::ReturnValues return_values_ = kstone::ReturnValues::kNone;
};

// What a conditional Put or Delete returns: with kAllOld, the item it
// replaced or deleted (with its key attributes), nullopt if there was none
// or for kNone.
struct WriteResult {
  std::optional<Item> attributes;
};

}  // namespace kstone

#endif  // KSTONE_WRITE_OPTIONS_H_
