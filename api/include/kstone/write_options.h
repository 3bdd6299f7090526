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
// (VALIDATION otherwise). With
// ReturnValuesOnConditionCheckFailure(kAllOld), the error of a false
// condition carries the item as it was (ConditionCheckFailureItem()).
//
// Thread safety: value types; const methods are safe for concurrent use.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
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

// What a write whose condition is false returns with its error (DynamoDB's
// ReturnValuesOnConditionCheckFailure): nothing, or the item as it was (if
// there was one). See ConditionCheckFailureItem() and
// CancellationReason::item.
enum class ReturnValuesOnConditionCheckFailure {
  kNone,
  kAllOld,
};

// DynamoDB's spelling: "NONE", "ALL_OLD".
std::string_view ReturnValuesOnConditionCheckFailureName(
    ReturnValuesOnConditionCheckFailure rv);

// A condition expression with its placeholders. Shared by PutOptions,
// DeleteOptions, Update and the actions of a transaction.
struct WriteCondition {
  std::string expression;                    // "" = unconditional
  std::map<std::string, std::string> names;  // "#n" -> attribute name
  std::map<std::string, Value> values;       // ":v" -> value
  // What the error carries when the condition is false.
  kstone::ReturnValuesOnConditionCheckFailure on_failure =
      kstone::ReturnValuesOnConditionCheckFailure::kNone;
};

namespace internal {
// A number this process has not handed out before, never 0: the stamps of
// ConditionalWrite. Safe for concurrent use.
uint64_t NewRequestStamp();
}  // namespace internal

// The condition builder shared by PutOptions, DeleteOptions, Update and
// ConditionCheck (CRTP: each setter returns the derived builder).
template <typename Self>
class ConditionalWrite {
 public:
  ConditionalWrite() = default;
  ConditionalWrite(const ConditionalWrite&) = default;
  ConditionalWrite& operator=(const ConditionalWrite&) = default;
  // A moved-from builder's contents are gone: it gets a stamp of its own.
  ConditionalWrite(ConditionalWrite&& other) noexcept
      : condition_(std::move(other.condition_)), stamp_(other.stamp_) {
    other.Changed();
  }
  ConditionalWrite& operator=(ConditionalWrite&& other) noexcept {
    if (this != &other) {
      condition_ = std::move(other.condition_);
      stamp_ = other.stamp_;
      other.Changed();
    }
    return *this;
  }
  ~ConditionalWrite() = default;

  Self& Condition(std::string expression) {
    condition_.expression = std::move(expression);
    Changed();
    return self();
  }
  // Defines the #placeholder `placeholder` as the attribute `name`.
  Self& Name(std::string placeholder, std::string name) {
    condition_.names[std::move(placeholder)] = std::move(name);
    Changed();
    return self();
  }
  // Defines the :placeholder `placeholder`.
  Self& Value(std::string placeholder, kstone::Value value) {
    condition_.values.insert_or_assign(std::move(placeholder),
                                       std::move(value));
    Changed();
    return self();
  }
  // With kAllOld, a false condition's error carries the item as it was.
  Self& ReturnValuesOnConditionCheckFailure(
      kstone::ReturnValuesOnConditionCheckFailure rv) {
    condition_.on_failure = rv;
    Changed();
    return self();
  }
  const WriteCondition& condition() const { return condition_; }

  // Names what this builder holds (its condition and the derived builder's
  // fields): every setter gives it a new stamp, a copy takes the stamp along
  // with the contents, a moved-from builder gets a new one. So builders with
  // the same stamp hold equal requests, which lets the library recognise a
  // request it prepared before without comparing it (an Update sent again).
  uint64_t stamp() const { return stamp_; }

 protected:
  // For the derived builder's setters.
  void Changed() { stamp_ = internal::NewRequestStamp(); }

 private:
  Self& self() { return static_cast<Self&>(*this); }

  WriteCondition condition_;
  uint64_t stamp_ = internal::NewRequestStamp();
};

// The options of a single Put or Delete: the condition and ReturnValues
// (kNone or kAllOld).
template <typename Self>
class SingleWriteOptions : public ConditionalWrite<Self> {
 public:
  Self& ReturnValues(kstone::ReturnValues rv) {
    return_values_ = rv;
    this->Changed();
    return static_cast<Self&>(*this);
  }
  kstone::ReturnValues return_values() const { return return_values_; }

 private:
  kstone::ReturnValues return_values_ = kstone::ReturnValues::kNone;
};

// Options of Database::Put.
class PutOptions : public SingleWriteOptions<PutOptions> {};

// Options of Database::Delete (the same fields as PutOptions).
class DeleteOptions : public SingleWriteOptions<DeleteOptions> {};

// The item a CONDITIONAL_CHECK_FAILED error of a single Put, Delete or
// Update carries when the write asked for
// ReturnValuesOnConditionCheckFailure(kAllOld) and the item existed (with
// its key attributes); nullopt otherwise (including for any other status).
// DynamoDB's ConditionalCheckFailedException.Item.
std::optional<Item> ConditionCheckFailureItem(const absl::Status& status);

// What a conditional Put or Delete returns: with kAllOld, the item it
// replaced or deleted (with its key attributes), nullopt if there was none
// or for kNone.
struct WriteResult {
  std::optional<Item> attributes;
};

}  // namespace kstone

#endif  // KSTONE_WRITE_OPTIONS_H_
