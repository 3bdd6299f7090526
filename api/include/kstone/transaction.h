#ifndef KSTONE_TRANSACTION_H_
#define KSTONE_TRANSACTION_H_

// Transactions: TransactWrite (up to 100 actions, all or nothing) and
// TransactGet (up to 100 keys, one consistent snapshot).
//
//   kstone::TransactWriteResult r = db.TransactWrite(
//       kstone::TransactWrite()
//           .Update(kstone::Key("acct#1"),
//                   kstone::Update("SET balance = balance - :x")
//                       .Value(":x", kstone::Value::Number("10"))
//                       .Condition("balance >= :x"))
//           .Update(kstone::Key("acct#2"),
//                   kstone::Update("SET balance = balance + :x")
//                       .Value(":x", kstone::Value::Number("10"))));
//   if (!r.ok()) { /* r.status; r.cancellation_reasons[i].code */ }
//
// TransactWrite locks the stripes of every item (in increasing order),
// evaluates every condition against the current items, and then either
// applies every write as ONE write-ahead-log batch (recovery restores it
// wholly or not at all) or writes nothing. Actions: Put, Update, Delete
// (each with an optional condition) and ConditionCheck (a condition that
// writes nothing).
//
// Errors:
//  - VALIDATION for the whole request: no actions, more than 100, two
//    actions on one item ("Transaction request cannot include multiple
//    operations on one item"), an expression error (syntax, placeholders),
//    a bad ReturnValues or a bad client request token (1..36 characters).
//  - IDEMPOTENT_PARAMETER_MISMATCH: the client request token was used, within
//    the last 10 minutes, by a different request (or one is still running
//    with it).
//  - TRANSACTION_CANCELED, with one CancellationReason per action in order
//    (DynamoDB's CancellationReasons): every false condition is reported
//    (kConditionalCheckFailed, the others kNone; with
//    ReturnValuesOnConditionCheckFailure(kAllOld) on the action, its reason
//    carries the item as it was); an invalid key or item, or
//    an update that cannot apply or breaks the item limits, is
//    kValidationError on the first such action (conditions are then not
//    evaluated). Nothing is written.
//
// Idempotency: with ClientRequestToken(t), a repeat of the same request with
// the same token within 10 minutes of the first success returns that
// success without applying it again. A repeat that arrives while the first
// is still running waits for it (so of two concurrent requests with one
// token exactly one applies). Tokens are remembered per open database
// handle, in memory (a reopen forgets them), for 10 minutes and at most
// kMaxRememberedTokens of them (the oldest are forgotten first).
//
// TransactGet reads all its items under the locks of their stripes, so it
// never sees part of a concurrent TransactWrite, BatchWrite or conditional
// write.
//
// Thread safety: value types; const methods are safe for concurrent use.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/update.h"
#include "kstone/write_options.h"

namespace kstone {

inline constexpr size_t kMaxTransactionActions = 100;
inline constexpr size_t kMaxClientRequestTokenLength = 36;
// How long a client request token is remembered.
inline constexpr int kIdempotencyWindowSeconds = 600;
// How many client request tokens a database handle remembers at most.
inline constexpr size_t kMaxRememberedTokens = 100000;

// A condition on an item that a transaction checks but does not write.
class ConditionCheck : public ConditionalWrite<ConditionCheck> {
 public:
  explicit ConditionCheck(std::string expression) {
    Condition(std::move(expression));
  }
};

class TransactWrite {
 public:
  struct Action {
    enum class Kind { kPut, kUpdate, kDelete, kConditionCheck };
    Kind kind = Kind::kPut;
    std::optional<Key> key;  // absent for Put(item): taken from the item
    Item item;               // kPut
    std::string update;      // kUpdate: the update expression
    WriteCondition condition;
  };

  TransactWrite() = default;
  TransactWrite& Put(Item item, const PutOptions& options = PutOptions()) {
    actions_.push_back(Action{Action::Kind::kPut, std::nullopt, std::move(item),
                              "", options.condition()});
    return *this;
  }
  TransactWrite& Put(Key key, Item item,
                     const PutOptions& options = PutOptions()) {
    actions_.push_back(Action{Action::Kind::kPut, std::move(key),
                              std::move(item), "", options.condition()});
    return *this;
  }
  TransactWrite& Update(Key key, const kstone::Update& update) {
    actions_.push_back(Action{Action::Kind::kUpdate, std::move(key), Item(),
                              update.expression(), update.condition()});
    return *this;
  }
  TransactWrite& Delete(Key key,
                        const DeleteOptions& options = DeleteOptions()) {
    actions_.push_back(Action{Action::Kind::kDelete, std::move(key), Item(), "",
                              options.condition()});
    return *this;
  }
  TransactWrite& ConditionCheck(Key key, const kstone::ConditionCheck& check) {
    actions_.push_back(Action{Action::Kind::kConditionCheck, std::move(key),
                              Item(), "", check.condition()});
    return *this;
  }
  // DynamoDB's ClientRequestToken: 1..36 characters (VALIDATION otherwise,
  // the empty token included).
  TransactWrite& ClientRequestToken(std::string token) {
    token_ = std::move(token);
    has_token_ = true;
    return *this;
  }

  const std::vector<Action>& actions() const { return actions_; }
  const std::string& client_request_token() const { return token_; }
  bool has_client_request_token() const { return has_token_; }

 private:
  std::vector<Action> actions_;
  std::string token_;
  bool has_token_ = false;
};

// Why one action of a cancelled transaction failed (DynamoDB's
// CancellationReason codes).
enum class CancellationCode {
  kNone,
  kConditionalCheckFailed,
  kValidationError
};
// "None", "ConditionalCheckFailed", "ValidationError".
std::string_view CancellationCodeName(CancellationCode code);

struct CancellationReason {
  CancellationCode code = CancellationCode::kNone;
  std::string message;  // empty for kNone
  // kConditionalCheckFailed of an action with
  // ReturnValuesOnConditionCheckFailure(kAllOld): the item as it was (with
  // its key attributes); nullopt if it did not exist (or otherwise).
  std::optional<Item> item;
};

struct TransactWriteResult {
  // OK, VALIDATION, TRANSACTION_CANCELED or an I/O error.
  absl::Status status;
  // One per action when status is TRANSACTION_CANCELED, else empty.
  std::vector<CancellationReason> cancellation_reasons;
  bool ok() const { return status.ok(); }
};

}  // namespace kstone

#endif  // KSTONE_TRANSACTION_H_
