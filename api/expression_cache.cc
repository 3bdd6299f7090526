#include "api/expression_cache.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "api/absl_compat.h"

namespace kstone {
namespace expression_cache_internal {

// The idle trees of one text, and how many are checked out (a slot with
// trees out is never evicted: their handles point at it).
struct Slot {
  std::vector<std::unique_ptr<core::expr::ConditionExpression>> conditions;
  std::vector<std::unique_ptr<core::expr::UpdateExpression>> updates;
  size_t out = 0;

  size_t idle() const { return conditions.size() + updates.size(); }
};

}  // namespace expression_cache_internal

namespace {

using core::expr::ConditionExpression;
using core::expr::UpdateExpression;
using expression_cache_internal::Slot;

// The text and slot a map gave last, so that a thread sending the same
// expression again finds its slot with one comparison instead of hashing
// the text (node maps: both stay where they are until the text is erased).
struct LastFound {
  const std::string* text = nullptr;
  Slot* slot = nullptr;
};

// One thread's cache. Node maps: handles hold Slot pointers, which must not
// move when other texts are added.
struct ThreadCache {
  absl::node_hash_map<std::string, Slot> conditions;
  absl::node_hash_map<std::string, Slot> updates;
  LastFound last_condition;
  LastFound last_update;
  size_t trees = 0;  // idle trees in all slots

  LastFound* LastOf(const absl::node_hash_map<std::string, Slot>* map) {
    return map == &conditions ? &last_condition : &last_update;
  }

  size_t texts() const { return conditions.size() + updates.size(); }

  // Makes room for one more text by forgetting one whose trees are all idle.
  // False if every text has a tree out.
  bool MakeRoom() {
    if (texts() < kMaxCachedTexts) return true;
    for (auto* map : {&conditions, &updates}) {
      for (auto it = map->begin(); it != map->end(); ++it) {
        if (it->second.out != 0) continue;
        trees -= it->second.idle();
        if (LastOf(map)->slot == &it->second) *LastOf(map) = LastFound();
        map->erase(it);
        return true;
      }
    }
    return false;
  }
};

ThreadCache* ThisThread() {
  thread_local ThreadCache cache;
  return &cache;
}

std::vector<std::unique_ptr<ConditionExpression>>& Idle(
    Slot* slot, const ConditionExpression*) {
  return slot->conditions;
}
std::vector<std::unique_ptr<UpdateExpression>>& Idle(Slot* slot,
                                                     const UpdateExpression*) {
  return slot->updates;
}

absl::StatusOr<std::unique_ptr<ConditionExpression>> Parse(
    std::string_view text, const ConditionExpression*) {
  absl::StatusOr<ConditionExpression> parsed = ConditionExpression::Parse(
      ToAbsl(text), core::expr::ExpressionKind::kCondition);
  if (!parsed.ok()) return parsed.status();
  return std::make_unique<ConditionExpression>(std::move(*parsed));
}
absl::StatusOr<std::unique_ptr<UpdateExpression>> Parse(
    std::string_view text, const UpdateExpression*) {
  absl::StatusOr<UpdateExpression> parsed =
      UpdateExpression::Parse(ToAbsl(text));
  if (!parsed.ok()) return parsed.status();
  return std::make_unique<UpdateExpression>(std::move(*parsed));
}

// An idle tree of the text of `slot` (or a new parse), checked out.
template <typename Expr>
absl::StatusOr<CachedExpression<Expr>> TakeFromSlot(ThreadCache* cache,
                                                    Slot* slot,
                                                    std::string_view text);

template <typename Expr>
absl::StatusOr<CachedExpression<Expr>> Take(
    absl::node_hash_map<std::string, Slot>* map, std::string_view text) {
  const Expr* tag = nullptr;
  ThreadCache* cache = ThisThread();
  if (text.size() > kMaxCachedTextBytes) {
    absl::StatusOr<std::unique_ptr<Expr>> parsed = Parse(text, tag);
    if (!parsed.ok()) return parsed.status();
    return CachedExpression<Expr>(std::move(*parsed), nullptr, nullptr);
  }
  LastFound* last = cache->LastOf(map);
  if (last->slot != nullptr && *last->text == text) {
    return TakeFromSlot<Expr>(cache, last->slot, text);
  }
  auto it = map->find(ToAbsl(text));
  if (it == map->end()) {
    // A new text: parse first, so that errors are not remembered.
    absl::StatusOr<std::unique_ptr<Expr>> parsed = Parse(text, tag);
    if (!parsed.ok()) return parsed.status();
    if (!cache->MakeRoom()) {
      return CachedExpression<Expr>(std::move(*parsed), nullptr, nullptr);
    }
    auto inserted = map->try_emplace(std::string(text));
    Slot& slot = inserted.first->second;
    *last = LastFound{&inserted.first->first, &slot};
    ++slot.out;
    return CachedExpression<Expr>(std::move(*parsed), &slot, cache);
  }
  *last = LastFound{&it->first, &it->second};
  return TakeFromSlot<Expr>(cache, &it->second, text);
}

template <typename Expr>
absl::StatusOr<CachedExpression<Expr>> TakeFromSlot(ThreadCache* cache,
                                                    Slot* found,
                                                    std::string_view text) {
  const Expr* tag = nullptr;
  Slot& slot = *found;
  std::unique_ptr<Expr> expr;
  auto& idle = Idle(&slot, tag);
  if (!idle.empty()) {
    expr = std::move(idle.back());
    idle.pop_back();
    --cache->trees;
  } else {
    absl::StatusOr<std::unique_ptr<Expr>> parsed = Parse(text, tag);
    if (!parsed.ok()) return parsed.status();  // cannot happen: parsed before
    expr = std::move(*parsed);
  }
  ++slot.out;
  return CachedExpression<Expr>(std::move(expr), &slot, cache);
}

}  // namespace

template <typename Expr>
void CachedExpression<Expr>::Release() {
  if (expr_ == nullptr) return;
  ThreadCache* cache = ThisThread();
  if (slot_ != nullptr && owner_ == cache) {
    --slot_->out;
    if (cache->trees < kMaxCachedTrees) {
      Idle(slot_, static_cast<const Expr*>(nullptr))
          .push_back(std::move(expr_));
      ++cache->trees;
    }
  }
  expr_.reset();
  slot_ = nullptr;
  owner_ = nullptr;
}

template <typename Expr>
std::unique_ptr<Expr> CachedExpression<Expr>::Detach() {
  if (slot_ != nullptr && owner_ == ThisThread()) --slot_->out;
  slot_ = nullptr;
  owner_ = nullptr;
  return std::move(expr_);
}

template class CachedExpression<ConditionExpression>;
template class CachedExpression<UpdateExpression>;

absl::StatusOr<CachedCondition> ParseConditionCached(std::string_view text) {
  return Take<ConditionExpression>(&ThisThread()->conditions, text);
}

absl::StatusOr<CachedUpdate> ParseUpdateCached(std::string_view text) {
  return Take<UpdateExpression>(&ThisThread()->updates, text);
}

size_t CachedExpressionTextsForTesting() { return ThisThread()->texts(); }

size_t CachedExpressionTreesForTesting() { return ThisThread()->trees; }

void ClearExpressionCacheForTesting() {
  ThreadCache* cache = ThisThread();
  cache->conditions.clear();
  cache->updates.clear();
  cache->last_condition = LastFound();
  cache->last_update = LastFound();
  cache->trees = 0;
}

}  // namespace kstone
