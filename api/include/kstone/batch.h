#ifndef KSTONE_BATCH_H_
#define KSTONE_BATCH_H_

// Batches: BatchGet (up to 100 keys) and BatchWrite (up to 25 puts and
// deletes).
//
//   absl::StatusOr<std::vector<std::optional<kstone::Item>>> got =
//       db.BatchGet({kstone::Key("a"), kstone::Key("b")});
//   absl::Status s = db.BatchWrite(kstone::BatchWrite()
//                                      .Put(item)
//                                      .Delete(kstone::Key("old")));
//
// BatchGet returns one entry per key, in request order (nullopt for a
// missing item); each item is read on its own (no snapshot across keys; use
// TransactGet for that). BatchWrite takes no conditions and returns nothing.
//
// Stronger than DynamoDB: a BatchWrite is applied atomically, as ONE
// write-ahead-log batch under the locks of every stripe it touches. Readers
// and recovery see all of its writes or none; there are never unprocessed
// items to retry.
//
// VALIDATION (nothing read or written): an empty request, more than the
// limit, the same key twice (put/put, put/delete or delete/delete:
// "Provided list of item keys contains duplicates"), or any invalid key or
// item.
//
// Thread safety: a value type; const methods are safe for concurrent use.

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "kstone/item.h"
#include "kstone/key.h"

namespace kstone {

inline constexpr size_t kMaxBatchGetKeys = 100;
inline constexpr size_t kMaxBatchWriteRequests = 25;

class BatchWrite {
 public:
  struct Request {
    enum class Kind { kPut, kDelete };
    Kind kind = Kind::kPut;
    std::optional<Key> key;  // absent for Put(item): taken from the item
    Item item;               // kPut only
  };

  BatchWrite() = default;
  // Puts `item` under the key taken from its key attributes.
  BatchWrite& Put(Item item) {
    requests_.push_back(
        Request{Request::Kind::kPut, std::nullopt, std::move(item)});
    return *this;
  }
  BatchWrite& Put(Key key, Item item) {
    requests_.push_back(
        Request{Request::Kind::kPut, std::move(key), std::move(item)});
    return *this;
  }
  BatchWrite& Delete(Key key) {
    requests_.push_back(Request{Request::Kind::kDelete, std::move(key), {}});
    return *this;
  }

  const std::vector<Request>& requests() const { return requests_; }

 private:
  std::vector<Request> requests_;
};

}  // namespace kstone

#endif  // KSTONE_BATCH_H_
