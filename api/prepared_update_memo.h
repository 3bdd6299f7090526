#ifndef KSTONE_API_PREPARED_UPDATE_MEMO_H_
#define KSTONE_API_PREPARED_UPDATE_MEMO_H_

// PreparedUpdateMemo: one thread's last prepared Update, so that the same
// Update sent again skips its preparation.
//
// Preparing an Update's expression (converting its placeholders to core
// values, binding them into a parsed tree, checking that each is defined
// and used, that no key attribute is a target) costs about as much as the
// write itself, and a counter sends the very same request, `SET n = n +
// :one` with :one = 1, every time. The memo keeps what preparing the last
// Update without a condition produced (the core placeholders and the tree
// resolved against them) with what it was prepared from (the expression,
// the placeholders as the request gave them, the table's key names: all
// that preparation depends on). An Update equal to it in all of these takes
// the preparation (Take) and gives it back when done (GiveBack); any other
// Update is prepared as usual and then kept instead.
//
// A request built by a kstone::Update carries its stamp
// (ConditionalWrite::stamp): builders with the same stamp hold equal
// requests, so once the memo has seen a stamp with its contents (kept them,
// or found them equal), that stamp alone proves the contents equal, and the
// expression and placeholders are not compared again. Likewise for the key
// names, with the table's stamp (DatabaseImpl's, never reused in the
// process): one Update may be sent to tables with other keys.
//
// Only requests whose placeholder values are scalars (S, N, B, BOOL, NULL)
// are kept: their equality (Value's operator==) is identity of content,
// while sets compare as sets and could differ in the order they are stored
// in. Value operands in the tree point into the core placeholder values;
// absl::flat_hash_map keeps its elements where they are when moved, so the
// tree and the values travel between the memo and a write action together.
//
// Thread safety: one memo per thread (ThisThread), used by that thread only.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "api/this_thread.h"
#include "core/expr/placeholders.h"
#include "core/expr/update_expression.h"
#include "kstone/value.h"

namespace kstone {

class PreparedUpdateMemo {
 public:
  // The preparation of an Update, as the write action holds it.
  struct Prepared {
    core::expr::AttributeNames names;
    core::expr::AttributeValues values;
    std::unique_ptr<core::expr::UpdateExpression> tree;  // resolved
    // In the memo's own Prepared only (Find's answer): whether
    // core::expr::IsFlatUpdate(*tree), worked out by Keep, so that the tree
    // may be applied to the stored bytes (DatabaseImpl::TryFlatUpdate).
    // Take and GiveBack leave it where it is: the tree they move out and
    // back is the one it describes.
    bool flat = false;

    void Swap(Prepared& other) {
      names.swap(other.names);
      values.swap(other.values);
      tree.swap(other.tree);
    }
  };
  // What the preparation depends on.
  struct Request {
    std::string_view expression;
    const std::map<std::string, std::string>* names;
    const std::map<std::string, Value>* values;
    std::string_view partition_key;
    std::string_view sort_key;  // "" without a sort key
    // The stamp of the builder that holds expression, names and values
    // (kstone::Update::stamp), or 0 if they come from elsewhere (the
    // actions of a transaction, whose fields anyone may change).
    uint64_t stamp = 0;
    // The stamp of the table whose key names partition_key and sort_key
    // are, or 0.
    uint64_t table = 0;
  };

  static PreparedUpdateMemo& ThisThread() {
    return ThisThreadsInstance<PreparedUpdateMemo>();
  }

  // If the memo holds the preparation of `request`, returns it, lent: it
  // stays in the memo, unchanged and valid until this thread's next call
  // of Take or Keep (an Update that uses it without giving it away makes no
  // such call). Null otherwise.
  const Prepared* Find(const Request& request) {
    // (Inline: a request sent again is recognised by its stamps alone.)
    if (!holds_) return nullptr;
    return KnownByStamps(request) || Matches(request) ? &prepared_ : nullptr;
  }
  // If the memo holds the preparation of `request`, moves it into *out and
  // returns true (the memo is then empty until GiveBack or Keep).
  bool Take(const Request& request, Prepared* out);
  // Returns what the last successful Take gave out (and the caller used
  // without errors), without comparing its request again: the memo still
  // remembers it. Does nothing if Keep came in between.
  void GiveBack(Prepared* prepared);
  // Keeps `prepared` (of `request`, resolved without errors) for the next
  // Take; does nothing for a request the memo does not keep.
  void Keep(const Request& request, Prepared prepared);

 private:
  // Whether `request` is the one the memo knows (learning its stamps).
  bool Matches(const Request& request);
  // Whether the memo has seen both of `request`'s stamps with what it holds.
  bool KnownByStamps(const Request& request) const {
    return request.stamp != 0 && request.stamp == stamp_ &&
           request.table != 0 && request.table == table_;
  }

  bool holds_ = false;  // prepared_ is there
  bool taken_ = false;  // Take gave prepared_ out; GiveBack may return it
  // A stamp whose builder held expression_, names_ and values_ (0: none).
  uint64_t stamp_ = 0;
  // A table stamp whose key names are partition_key_ and sort_key_ (0: none).
  uint64_t table_ = 0;
  std::string expression_;
  std::map<std::string, std::string> names_;
  std::map<std::string, Value> values_;
  std::string partition_key_;
  std::string sort_key_;
  Prepared prepared_;
};

}  // namespace kstone

#endif  // KSTONE_API_PREPARED_UPDATE_MEMO_H_
