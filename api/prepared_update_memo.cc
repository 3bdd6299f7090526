#include "api/prepared_update_memo.h"

#include <utility>

#include "api/this_thread.h"
#include "core/expr/flat_update.h"

namespace kstone {
namespace {

// Bounds on what is kept, so that comparing a request stays cheap.
constexpr size_t kMaxKeptExpressionBytes = 1024;
constexpr size_t kMaxKeptPlaceholders = 16;

bool Keepable(const PreparedUpdateMemo::Request& request) {
  if (request.expression.size() > kMaxKeptExpressionBytes ||
      request.names->size() + request.values->size() > kMaxKeptPlaceholders) {
    return false;
  }
  for (const auto& [placeholder, value] : *request.values) {
    switch (value.type()) {
      case ValueType::kString:
      case ValueType::kNumber:
      case ValueType::kBinary:
      case ValueType::kBool:
      case ValueType::kNull:
        break;
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

bool PreparedUpdateMemo::Matches(const Request& request) {
  // (A stamp the memo knows stands for what it compared or kept with it.)
  if (request.table == 0 || request.table != table_) {
    if (request.partition_key != partition_key_ ||
        request.sort_key != sort_key_) {
      return false;
    }
    if (request.table != 0) table_ = request.table;
  }
  if (request.stamp == 0 || request.stamp != stamp_) {
    if (request.expression != expression_ || *request.names != names_ ||
        *request.values != values_) {
      return false;
    }
    // Equal contents: the request's stamp names them from now on. (The old
    // stamp still does as well, but the memo remembers one.)
    if (request.stamp != 0) stamp_ = request.stamp;
  }
  return true;
}

bool PreparedUpdateMemo::Take(const Request& request, Prepared* out) {
  if (!holds_ || !Matches(request)) return false;
  // Swapped, not moved: *out is empty (a fresh action's), and swapping
  // leaves nothing behind to construct or destroy.
  out->Swap(prepared_);
  holds_ = false;
  taken_ = true;
  return true;
}

void PreparedUpdateMemo::GiveBack(Prepared* prepared) {
  if (!taken_ || prepared->tree == nullptr) return;
  prepared->Swap(prepared_);
  holds_ = true;
  taken_ = false;
}

void PreparedUpdateMemo::Keep(const Request& request, Prepared prepared) {
  if (prepared.tree == nullptr || !Keepable(request)) return;
  if (!Matches(request)) {
    expression_.assign(request.expression);
    names_ = *request.names;
    values_ = *request.values;
    partition_key_.assign(request.partition_key);
    sort_key_.assign(request.sort_key);
    stamp_ = request.stamp;
    table_ = request.table;
  }
  prepared_ = std::move(prepared);
  prepared_.flat = core::expr::IsFlatUpdate(*prepared_.tree);
  holds_ = true;
  taken_ = false;
}

}  // namespace kstone
