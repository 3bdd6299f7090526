// DatabaseImpl::TryFlatUpdate: the short path of an Update that the
// thread's memo has prepared and that core::expr::ApplyFlatUpdate can apply
// to the stored bytes (a counter's `SET n = n + :one`, sent again and
// again). The general path (database_write.cc) builds a WriteAction, takes
// the preparation out of the memo and gives it back, and reads the item
// through EvaluateAction's cases; none of that is needed here, and an
// Update's cost over a Put is mostly such bookkeeping (docs/decisions.md,
// "Update's short path (session 12)"). The item read and the item written
// go through the thread's WriteBuffers, whose memory is reused.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/database_impl.h"
#include "api/item_decoder.h"
#include "api/write_buffers.h"
#include "core/expr/flat_update.h"
#include "core/types/key.h"
#include "core/util/status_macros.h"

namespace kstone {

std::optional<absl::StatusOr<Item>> DatabaseImpl::TryFlatUpdate(
    const Key& key, const std::string& engine_key,
    core::PrefetchHandle* prefetched,
    const core::expr::UpdateExpression& update, bool return_new) {
  // At most what the key attributes add to the item's size (the stored
  // bytes leave them out): the patch declines an item that could then pass
  // the limit, and the general path decides exactly.
  const size_t key_size_bound =
      schema_.partition_key_name().size() +
      (schema_.has_sort_key() ? schema_.sort_key_name().size() : 0) +
      core::kMaxPartitionKeyBytes + core::kMaxSortKeyBytes;
  bool patched = false;
  std::optional<Item> new_item;
  WriteBuffers& buffers = WriteBuffers::ThisThread();
  auto patch = [&](const core::LockedReader& reader,
                   std::vector<core::Mutation>* mutations) -> absl::Status {
    KS_ASSIGN_OR_RETURN(const bool found,
                        reader.GetPrefetchedInto(engine_key, &buffers.stored));
    mutations->resize(1);
    core::Mutation& m = (*mutations)[0];
    if (!found || !core::expr::ApplyFlatUpdate(update, buffers.stored,
                                               key_size_bound, &m.value)) {
      mutations->clear();  // nothing written; the general path takes over
      return absl::OkStatus();
    }
    if (return_new) {
      KS_ASSIGN_OR_RETURN(new_item,
                          DecodeStoredItem(m.value, key, schema_, path_));
    }
    patched = true;
    m.type = core::RecordType::kValue;
    m.key.assign(engine_key);
    return absl::OkStatus();
  };
  const absl::Status status = engine_->ReadModifyWrite(
      engine_key, patch, prefetched, &buffers.mutations);
  buffers.Trim();
  if (!status.ok()) return absl::StatusOr<Item>(status);
  if (!patched) return std::nullopt;
  return absl::StatusOr<Item>(new_item.has_value() ? std::move(*new_item)
                                                   : Item());
}

}  // namespace kstone
