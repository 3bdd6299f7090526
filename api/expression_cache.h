#ifndef KSTONE_API_EXPRESSION_CACHE_H_
#define KSTONE_API_EXPRESSION_CACHE_H_

// Per-thread caches of parsed write expressions (ConditionExpression and
// UpdateExpression), keyed by the expression text, so that a program that
// sends the same expression with different placeholder values parses it
// once per thread instead of once per request.
//
//   KS_ASSIGN_OR_RETURN(CachedCondition cond, ParseConditionCached(text));
//   KS_RETURN_IF_ERROR(cond->Resolve(attrs));   // this request's values
//   ... cond->Evaluate(item) ...
//   // ~CachedCondition puts the tree back into this thread's cache
//
// A parsed tree is checked out while a request uses it (Resolve writes the
// request's placeholders into it), so two users never share one; a second
// user of the same text in the same request (a transaction) gets another
// tree, and both go back. Parse errors are not cached. The cache of each
// thread holds at most kMaxCachedTexts texts of at most
// kMaxCachedTextBytes bytes each and kMaxCachedTrees idle trees in all;
// beyond that trees are simply freed. See docs/decisions.md.
//
// Thread safety: each thread has its own cache, so no locking. A handle must
// be released (destroyed) on the thread that took it; one released elsewhere
// just frees its tree.

#include <cstddef>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/expr/condition_expression.h"
#include "core/expr/update_expression.h"

namespace kstone {

inline constexpr size_t kMaxCachedTexts = 64;
inline constexpr size_t kMaxCachedTextBytes = 4096;
inline constexpr size_t kMaxCachedTrees = 256;

namespace expression_cache_internal {
struct Slot;
}  // namespace expression_cache_internal

// A parsed expression borrowed from this thread's cache (or owned outright
// when it is not cacheable). Movable; the destructor returns it.
template <typename Expr>
class CachedExpression {
 public:
  CachedExpression() = default;
  CachedExpression(std::unique_ptr<Expr> expr,
                   expression_cache_internal::Slot* slot, const void* owner)
      : expr_(std::move(expr)), slot_(slot), owner_(owner) {}
  CachedExpression(CachedExpression&& other) noexcept
      : expr_(std::move(other.expr_)),
        slot_(other.slot_),
        owner_(other.owner_) {
    other.slot_ = nullptr;
  }
  CachedExpression& operator=(CachedExpression&& other) noexcept {
    if (this != &other) {
      Release();
      expr_ = std::move(other.expr_);
      slot_ = other.slot_;
      owner_ = other.owner_;
      other.slot_ = nullptr;
    }
    return *this;
  }
  CachedExpression(const CachedExpression&) = delete;
  CachedExpression& operator=(const CachedExpression&) = delete;
  ~CachedExpression() { Release(); }

  explicit operator bool() const { return expr_ != nullptr; }
  Expr* get() const { return expr_.get(); }
  Expr& operator*() const { return *expr_; }
  Expr* operator->() const { return expr_.get(); }

  // Returns the tree to the cache now (the handle becomes empty).
  void Release();
  // Takes the tree out for good: the cache no longer counts it as checked
  // out, and the caller owns it (the handle becomes empty).
  std::unique_ptr<Expr> Detach();

 private:
  std::unique_ptr<Expr> expr_;
  expression_cache_internal::Slot* slot_ = nullptr;  // null: not cached
  const void* owner_ = nullptr;  // the thread cache the slot belongs to
};

using CachedCondition = CachedExpression<core::expr::ConditionExpression>;
using CachedUpdate = CachedExpression<core::expr::UpdateExpression>;

// A parsed condition expression (ExpressionKind::kCondition) or update
// expression for `text`: an idle tree from this thread's cache, or a new
// parse. Errors are those of Parse. The tree may hold another request's
// resolution: Resolve it before use.
absl::StatusOr<CachedCondition> ParseConditionCached(std::string_view text);
absl::StatusOr<CachedUpdate> ParseUpdateCached(std::string_view text);

// This thread's cache, for tests: how many texts it knows and how many idle
// trees it holds; ClearExpressionCacheForTesting empties it (no handle of
// this thread may be outstanding).
size_t CachedExpressionTextsForTesting();
size_t CachedExpressionTreesForTesting();
void ClearExpressionCacheForTesting();

}  // namespace kstone

#endif  // KSTONE_API_EXPRESSION_CACHE_H_
