// Batches and transactions: BatchGet, BatchWrite (one atomic WAL batch),
// TransactGet (reads under the stripe locks) and TransactWrite (all
// conditions checked and all writes logged as one batch under the locks),
// with client request tokens for idempotency.

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "api/absl_compat.h"
#include "api/database_impl.h"
#include "api/database_write_action.h"
#include "api/item_decoder.h"
#include "api/value_internal.h"
#include "core/expr/flat_update.h"
#include "core/types/item_codec.h"
#include "core/util/hash.h"
#include "core/util/status_macros.h"
#include "kstone/errors.h"

namespace kstone {
namespace {

constexpr char kDuplicates[] = "Provided list of item keys contains duplicates";

absl::Status CheckCount(size_t n, size_t max, std::string_view what) {
  if (n == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(what), " needs at least one item"));
  }
  if (n > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(what), " has ", n, " items; at most ", max, " are allowed"));
  }
  return absl::OkStatus();
}

// Appends `field` to *out, length first, so that fields never run together.
void AppendField(std::string_view field, std::string* out) {
  absl::StrAppend(out, field.size(), ":", ToAbsl(field), ";");
}

// What identifies a transaction's parameters, to compare repeats of a
// token: two 64-bit hashes of a canonical text of every action, and its
// length (kept small, since up to kMaxRememberedTokens are remembered).
std::string Fingerprint(const TransactWrite& tx) {
  std::string text;
  for (const TransactWrite::Action& a : tx.actions()) {
    AppendField(std::to_string(static_cast<int>(a.kind)), &text);
    AppendField(a.key.has_value() ? a.key->ToString() : "", &text);
    AppendField(a.item.ToDynamoJson(), &text);
    AppendField(a.update, &text);
    AppendField(a.condition.expression, &text);
    AppendField(std::to_string(static_cast<int>(a.condition.on_failure)),
                &text);
    for (const auto& [k, v] : a.condition.names) {
      AppendField(k, &text);
      AppendField(v, &text);
    }
    text += "|";
    for (const auto& [k, v] : a.condition.values) {
      AppendField(k, &text);
      AppendField(v.ToDynamoJson(), &text);
    }
    text += "\n";
  }
  return absl::StrCat(core::Hash64(text), ".",
                      core::Hash64(text, 0x6b73746f6e65), ".", text.size());
}

CancellationReason Reason(CancellationCode code, std::string message) {
  CancellationReason r;
  r.code = code;
  r.message = std::move(message);
  return r;
}

// How many prepared actions a transaction keeps on the stack.
constexpr size_t kInlineActions = 2;

// True if two of `prepared` write one item. Small transactions compare
// every pair (cheaper than filling a hash set); larger ones use a set.
bool HasDuplicateKeys(absl::Span<const DatabaseImpl::WriteAction> prepared) {
  constexpr size_t kPairwiseUpTo = 16;
  if (prepared.size() <= kPairwiseUpTo) {
    for (size_t i = 1; i < prepared.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (prepared[i].engine_key == prepared[j].engine_key) return true;
      }
    }
    return false;
  }
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(prepared.size());
  for (const DatabaseImpl::WriteAction& p : prepared) {
    if (!seen.insert(p.engine_key).second) return true;
  }
  return false;
}

// The number of UTF-8 characters of `s` (bytes that do not continue one).
size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

std::string_view CancellationCodeName(CancellationCode code) {
  switch (code) {
    case CancellationCode::kNone:
      return "None";
    case CancellationCode::kConditionalCheckFailed:
      return "ConditionalCheckFailed";
    case CancellationCode::kValidationError:
      return "ValidationError";
  }
  return "?";
}

// The client request tokens of this handle: those of requests running now
// (so that a concurrent repeat waits for the first) and those of successful
// requests of the last kIdempotencyWindowSeconds, at most `capacity` of
// them (the oldest are forgotten first).
struct DatabaseImpl::TokenCache {
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::string fingerprint;
    bool done = false;       // false while the request that holds it runs
    Clock::time_point when;  // when it succeeded (done only)
  };

  // Forgets the done tokens that are too old or too many.
  void ForgetOld(Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const auto window = std::chrono::seconds(kIdempotencyWindowSeconds);
    while (!order.empty() &&
           (order.size() > capacity || now - order.front().second >= window)) {
      auto it = entries.find(order.front().first);
      if (it != entries.end() && it->second.done &&
          it->second.when == order.front().second) {
        entries.erase(it);
      }
      order.pop_front();
    }
  }

  absl::Mutex mu;
  absl::CondVar finished;  // signalled when a running request lets go
  absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
  // The done tokens with their time, oldest first; each appears once.
  std::deque<std::pair<std::string, Clock::time_point>> order
      ABSL_GUARDED_BY(mu);
  std::function<Clock::time_point()> clock ABSL_GUARDED_BY(mu) = [] {
    return Clock::now();
  };
  size_t capacity ABSL_GUARDED_BY(mu) = kMaxRememberedTokens;
};

DatabaseImpl::TokenCache& DatabaseImpl::tokens() {
  absl::MutexLock lock(&tokens_mu_);
  if (tokens_ == nullptr) tokens_ = std::make_shared<TokenCache>();
  return *tokens_;  // never replaced once made
}

void DatabaseImpl::SetTokenClockForTesting(
    std::function<std::chrono::steady_clock::time_point()> clock) {
  TokenCache& cache = tokens();
  absl::MutexLock lock(&cache.mu);
  cache.clock = std::move(clock);
}

void DatabaseImpl::SetTokenCapacityForTesting(size_t capacity) {
  TokenCache& cache = tokens();
  absl::MutexLock lock(&cache.mu);
  cache.capacity = capacity;
}

size_t DatabaseImpl::RememberedTokensForTesting() {
  TokenCache& cache = tokens();
  absl::MutexLock lock(&cache.mu);
  return cache.entries.size();
}

absl::StatusOr<std::vector<std::optional<Item>>> DatabaseImpl::BatchGet(
    const std::vector<Key>& keys) const {
  KS_RETURN_IF_ERROR(CheckCount(keys.size(), kMaxBatchGetKeys, "BatchGet"));
  std::vector<std::string> engine_keys;
  engine_keys.reserve(keys.size());
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(keys.size());
  for (const Key& key : keys) {
    KS_ASSIGN_OR_RETURN(engine_keys.emplace_back(), EngineKeyOf(key));
    if (!seen.insert(engine_keys.back()).second) {
      return absl::InvalidArgumentError(kDuplicates);
    }
  }
  std::vector<std::optional<Item>> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    KS_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                        engine_->Get(engine_keys[i]));
    if (!bytes.has_value()) continue;
    KS_ASSIGN_OR_RETURN(out[i],
                        DecodeStoredItem(*bytes, keys[i], schema_, path_));
  }
  return out;
}

absl::Status DatabaseImpl::BatchWrite(const kstone::BatchWrite& batch) {
  KS_RETURN_IF_ERROR(CheckCount(batch.requests().size(), kMaxBatchWriteRequests,
                                "BatchWrite"));
  core::WriteBatch wb;
  absl::flat_hash_set<std::string> seen;
  for (const kstone::BatchWrite::Request& r : batch.requests()) {
    const bool put = r.kind == kstone::BatchWrite::Request::Kind::kPut;
    bool item_error = false;
    WriteAction action;
    KS_RETURN_IF_ERROR(PrepareAction(
        put ? WriteAction::kPut : WriteAction::kDelete,
        r.key.has_value() ? &*r.key : nullptr, put ? &r.item : nullptr, "",
        WriteCondition(), &action, &item_error));
    if (!seen.insert(action.engine_key).second) {
      return absl::InvalidArgumentError(kDuplicates);
    }
    if (put) {
      wb.mutations.push_back(core::Mutation{core::RecordType::kValue,
                                            std::move(action.engine_key),
                                            std::move(action.put_value)});
    } else {
      wb.mutations.push_back(core::Mutation{core::RecordType::kDeletion,
                                            std::move(action.engine_key), ""});
    }
  }
  return engine_->Write(std::move(wb));
}

absl::StatusOr<std::vector<std::optional<Item>>> DatabaseImpl::TransactGet(
    const std::vector<Key>& keys) const {
  KS_RETURN_IF_ERROR(
      CheckCount(keys.size(), kMaxTransactionActions, "TransactGet"));
  std::vector<std::string> engine_keys;
  absl::flat_hash_set<std::string> seen;
  for (const Key& key : keys) {
    KS_ASSIGN_OR_RETURN(std::string engine_key, EngineKeyOf(key));
    if (!seen.insert(engine_key).second) {
      return absl::InvalidArgumentError(
          "Transaction request cannot include multiple operations on one "
          "item");
    }
    engine_keys.push_back(std::move(engine_key));
  }
  std::vector<std::optional<std::string>> raw(keys.size());
  // A write with no mutations: the locks make the reads one snapshot.
  KS_RETURN_IF_ERROR(engine_->WriteLocked(
      std::vector<std::string_view>(engine_keys.begin(), engine_keys.end()),
      [&](const core::LockedReader& reader)
          -> absl::StatusOr<std::vector<core::Mutation>> {
        for (size_t i = 0; i < engine_keys.size(); ++i) {
          absl::StatusOr<std::optional<std::string>> v =
              reader.Get(engine_keys[i]);
          if (!v.ok()) return v.status();
          raw[i] = std::move(*v);
        }
        return std::vector<core::Mutation>();
      }));
  std::vector<std::optional<Item>> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!raw[i].has_value()) continue;
    KS_ASSIGN_OR_RETURN(out[i],
                        DecodeStoredItem(*raw[i], keys[i], schema_, path_));
  }
  return out;
}

TransactWriteResult DatabaseImpl::TransactWrite(
    const kstone::TransactWrite& tx) {
  TransactWriteResult result;
  result.status =
      CheckCount(tx.actions().size(), kMaxTransactionActions, "TransactWrite");
  if (!result.status.ok()) return result;
  if (!tx.has_client_request_token()) return RunTransactWrite(tx);
  const std::string& token = tx.client_request_token();
  const size_t chars = Utf8Length(token);
  if (chars < 1 || chars > kMaxClientRequestTokenLength) {
    result.status = absl::InvalidArgumentError(absl::StrCat(
        "1 validation error detected: Value at 'clientRequestToken' failed "
        "to satisfy constraint: Member must have length between 1 and ",
        kMaxClientRequestTokenLength, " (it has ", chars, " characters)"));
    return result;
  }
  const std::string fingerprint = Fingerprint(tx);
  TokenCache& cache = tokens();
  {
    absl::MutexLock lock(&cache.mu);
    while (true) {
      cache.ForgetOld(cache.clock());
      auto it = cache.entries.find(token);
      if (it == cache.entries.end()) {
        cache.entries.emplace(token, TokenCache::Entry{fingerprint, false, {}});
        break;  // this request runs under the token
      }
      if (it->second.fingerprint != fingerprint) {
        result.status =
            MakeError(ErrorCode::kIdempotentParameterMismatch,
                      "The ClientRequestToken was used with a different "
                      "TransactWrite request in the last 10 minutes");
        return result;
      }
      if (it->second.done) return result;  // a replay: success, not applied
      cache.finished.Wait(&cache.mu);      // the same request is running
    }
  }
  result = RunTransactWrite(tx);
  absl::MutexLock lock(&cache.mu);
  auto it = cache.entries.find(token);
  if (result.ok()) {
    const TokenCache::Clock::time_point now = cache.clock();
    it->second.done = true;
    it->second.when = now;
    cache.order.emplace_back(token, now);
    cache.ForgetOld(now);
  } else {
    cache.entries.erase(it);  // a failed request does not hold its token
  }
  cache.finished.SignalAll();
  return result;
}

TransactWriteResult DatabaseImpl::RunTransactWrite(
    const kstone::TransactWrite& tx) {
  TransactWriteResult result;
  const std::vector<kstone::TransactWrite::Action>& actions = tx.actions();
  const size_t n = actions.size();

  // Prepare every action. Expression errors fail the whole request; a bad
  // key or item cancels it with ValidationError on that action.
  // Built in place and never moved (a prepared action must not move): sized
  // once, on the stack for small transactions.
  absl::InlinedVector<WriteAction, kInlineActions> prepared(n);
  // Filled only when the transaction is cancelled.
  std::vector<CancellationReason> reasons;
  size_t memo_action = n;  // the action that took the memo's preparation
  auto memo_eligible = [](const kstone::TransactWrite::Action& a) {
    return a.kind == kstone::TransactWrite::Action::Kind::kUpdate &&
           a.condition.expression.empty();
  };
  auto memo_request = [this](const kstone::TransactWrite::Action& a) {
    return UpdateMemoRequest(a.update, a.condition);
  };
  for (size_t i = 0; i < n; ++i) {
    const kstone::TransactWrite::Action& a = actions[i];
    int kind = WriteAction::kPut;
    switch (a.kind) {
      case kstone::TransactWrite::Action::Kind::kPut:
        kind = WriteAction::kPut;
        break;
      case kstone::TransactWrite::Action::Kind::kUpdate:
        kind = WriteAction::kUpdate;
        break;
      case kstone::TransactWrite::Action::Kind::kDelete:
        kind = WriteAction::kDelete;
        break;
      case kstone::TransactWrite::Action::Kind::kConditionCheck:
        kind = WriteAction::kConditionCheck;
        break;
    }
    // An Update without a condition equal to this thread's last one reuses
    // its preparation, as a single Update does (PreparedUpdateMemo; after a
    // Take the memo is empty, so at most one action takes it).
    if (memo_eligible(a) && prepared[i].TakePreparedUpdate(memo_request(a))) {
      memo_action = i;
    }
    bool item_error = false;
    const absl::Status p =
        PrepareAction(kind, a.key.has_value() ? &*a.key : nullptr, &a.item,
                      a.update, a.condition, &prepared[i], &item_error);
    if (!p.ok()) {
      if (!item_error) {
        result.status = p;
        return result;
      }
      reasons.resize(n);
      reasons[i] =
          Reason(CancellationCode::kValidationError, std::string(p.message()));
      result.cancellation_reasons = std::move(reasons);
      result.status = MakeError(ErrorCode::kTransactionCanceled,
                                absl::StrCat("Transaction cancelled: action ",
                                             i, " is invalid: ", p.message()));
      return result;
    }
    WriteAction& action = prepared[i];
    action.keep_old = false;  // a transaction returns no old items
    // An Update without a condition is applied to the stored bytes when its
    // shape allows (core/expr/flat_update.h), as a single Update is: no
    // decode, no core::Item, no re-encode. What the flat path declines (a
    // missing item, an operand that is not a number, an item near the size
    // limit, ...) takes the general path, which reports the same errors.
    action.flat_update = action.kind == WriteAction::kUpdate &&
                         !action.condition &&
                         core::expr::IsFlatUpdate(*action.update);
  }
  if (HasDuplicateKeys(prepared)) {
    result.status = absl::InvalidArgumentError(
        "Transaction request cannot include multiple operations on one "
        "item");
    return result;
  }
  absl::InlinedVector<std::string_view, kInlineActions> keys(n);
  for (size_t i = 0; i < n; ++i) keys[i] = prepared[i].engine_key;

  bool cancelled = false;
  absl::Status status = engine_->WriteLocked(
      keys,
      [&](const core::LockedReader& reader)
          -> absl::StatusOr<std::vector<core::Mutation>> {
        for (size_t i = 0; i < n; ++i) {
          absl::Status s = EvaluateAction(reader, &prepared[i]);
          if (s.ok()) continue;
          const ErrorCode code = ErrorCodeOf(s);
          if (code == ErrorCode::kConditionalCheckFailed) {
            reasons.resize(n);
            reasons[i] = Reason(CancellationCode::kConditionalCheckFailed,
                                std::string(s.message()));
            const WriteAction& failed = prepared[i];
            if (failed.on_failure ==
                    ReturnValuesOnConditionCheckFailure::kAllOld &&
                failed.old_item.has_value()) {
              reasons[i].item = ItemFromCore(*failed.old_item);
            }
            cancelled = true;
          } else if (code == ErrorCode::kValidation) {
            // Only this action is reported: the conditions found false
            // before it are not.
            reasons.assign(n, CancellationReason());
            reasons[i] = Reason(CancellationCode::kValidationError,
                                std::string(s.message()));
            cancelled = true;
            break;
          } else {
            return s;
          }
        }
        if (cancelled) {
          return MakeError(ErrorCode::kTransactionCanceled, "cancelled");
        }
        std::vector<core::Mutation> mutations;
        mutations.reserve(n);
        for (WriteAction& p : prepared) {
          if (p.mutation.has_value()) {
            mutations.push_back(std::move(*p.mutation));
          }
        }
        return mutations;
      });
  // The memo gets back what an action took from it, or else keeps the last
  // Update without a condition (every action was prepared without errors),
  // whatever the outcome, as after a single Update. Giving back the taken
  // one leaves the thread's expression cache its trees: a tree kept here is
  // detached from that cache, and the next transaction's other equal
  // Updates would have to parse the expression again.
  if (memo_action == n) {
    for (size_t i = n; i-- > 0;) {
      if (memo_eligible(actions[i])) {
        memo_action = i;
        break;
      }
    }
  }
  if (memo_action < n) {
    prepared[memo_action].KeepPreparedUpdate(
        memo_request(actions[memo_action]));
  }
  if (cancelled) {
    std::vector<std::string> names;
    for (const CancellationReason& r : reasons) {
      names.emplace_back(CancellationCodeName(r.code));
    }
    result.status = MakeError(
        ErrorCode::kTransactionCanceled,
        absl::StrCat("Transaction cancelled, please refer cancellation "
                     "reasons for specific reasons [",
                     absl::StrJoin(names, ", "), "]"));
    result.cancellation_reasons = std::move(reasons);
    return result;
  }
  result.status = status;
  return result;
}

// The public forwarding methods.

absl::StatusOr<std::vector<std::optional<Item>>> Database::BatchGet(
    const std::vector<Key>& keys) const {
  return impl_->BatchGet(keys);
}

absl::Status Database::BatchWrite(const kstone::BatchWrite& batch) {
  return impl_->BatchWrite(batch);
}

absl::StatusOr<std::vector<std::optional<Item>>> Database::TransactGet(
    const std::vector<Key>& keys) const {
  return impl_->TransactGet(keys);
}

TransactWriteResult Database::TransactWrite(
    const kstone::TransactWrite& transaction) {
  return impl_->TransactWrite(transaction);
}

}  // namespace kstone
