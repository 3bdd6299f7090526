// MemoryTable::CopyWithout: a copy of a finished table without some keys'
// records. The records stay encoded as they are (their keys without the
// shared prefix, their sequence numbers relative to the table's base), so
// runs of kept records move with one memcpy each; the indexes over them are
// built as Finish builds them.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/storage/memory/memory_table.h"
#include "core/util/coding.h"

namespace kstone::core {

absl::StatusOr<std::shared_ptr<const MemoryTable>> MemoryTable::CopyWithout(
    const MemoryTable& source, uint64_t number,
    const std::vector<std::string>& keys) {
  const size_t n = source.size();
  // The indexes of every version of every key to drop, ascending.
  std::vector<size_t> drop;
  drop.reserve(keys.size());
  for (const std::string& key : keys) {
    size_t i = source.Find(key);
    if (i == n) continue;
    const std::string_view suffix = source.SuffixAt(i);
    do {
      drop.push_back(i++);
    } while (i < n && source.SuffixAt(i) == suffix);
  }
  std::sort(drop.begin(), drop.end());
  drop.erase(std::unique(drop.begin(), drop.end()), drop.end());
  if (drop.size() == n) return std::shared_ptr<const MemoryTable>();

  auto end_of = [&source, n](size_t i) {
    return i + 1 < n ? source.RecordOffset(i + 1) : source.arena_.size();
  };
  size_t bytes = source.arena_.size();
  for (size_t i : drop) bytes -= end_of(i) - source.RecordOffset(i);
  const size_t kept = n - drop.size();
  const size_t blocks = (kept + kBlockSize - 1) >> kBlockShift;

  std::shared_ptr<MemoryTable> table(new MemoryTable());
  MemoryTable& t = *table;
  t.meta_.number = number;
  t.prefix_ = source.prefix_;
  t.seq_base_ = source.seq_base_;
  t.arena_.ReserveExact(bytes);
  t.block_base_.reserve(blocks);
  t.offsets_.reserve(blocks * kBlockSize);
  // Copies the records [begin, end) of the source as one run.
  auto copy_run = [&](size_t begin, size_t end) {
    if (begin == end) return true;
    const size_t start = source.RecordOffset(begin);
    const size_t stop = end_of(end - 1);
    const size_t out = t.arena_.size();
    for (size_t i = begin; i < end; ++i) {
      // The copy's blocks span no more than 32 source records could, so a
      // record offset fits as it did in the source (wide blocks included).
      if (!t.AppendRecordOffset(t.num_records_,
                                out + source.RecordOffset(i) - start)) {
        return false;
      }
      ++t.num_records_;
    }
    t.arena_.Append(source.arena_.data() + start, stop - start);
    return true;
  };
  size_t from = 0;
  bool fits = true;
  for (size_t i : drop) {
    fits = fits && copy_run(from, i);
    from = i + 1;
  }
  if (!fits || !copy_run(from, n)) {
    // Only reachable with records averaging over 128 MiB (32 per block).
    return absl::InvalidArgumentError(absl::StrCat(
        "memory table ", number, ": records too large (over 4 GiB in one ",
        "block of ", kBlockSize, " records)"));
  }

  // Sequence range of the kept records.
  uint64_t min_rel = UINT64_MAX;
  uint64_t max_rel = 0;
  for (size_t i = 0; i < t.num_records_; ++i) {
    const std::string_view suffix = t.SuffixAt(i);
    uint64_t tag;
    DecodeTrustedVarint64(suffix.data() + suffix.size(), &tag);
    min_rel = std::min(min_rel, tag >> 1);
    max_rel = std::max(max_rel, tag >> 1);
  }
  TableMeta& meta = t.meta_;
  meta.min_seq = t.seq_base_ + min_rel;
  meta.max_seq = t.seq_base_ + max_rel;
  meta.smallest_key = t.prefix_;
  meta.smallest_key.append(t.SuffixAt(0));
  meta.largest_key = t.prefix_;
  meta.largest_key.append(t.SuffixAt(t.num_records_ - 1));
  t.BuildHashIndex();
  t.BuildFences();
  t.FinishMeta();
  return std::shared_ptr<const MemoryTable>(std::move(table));
}

}  // namespace kstone::core
