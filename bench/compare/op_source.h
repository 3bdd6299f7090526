#ifndef KSTONE_BENCH_COMPARE_OP_SOURCE_H_
#define KSTONE_BENCH_COMPARE_OP_SOURCE_H_

// OpSource: builds the operations of kstone_bench deterministically from an
// item index, so every engine sees the same keys and the same item bytes.
//
// Key of item i: "key" + 12-digit zero-padded i (15 bytes); a missing key is
// that key + "." (inside the key range, like db_bench's readmissing). The
// item: {pk: S key, v: S filler}, the filler (pseudo-random letters and
// digits derived from i and a version) sized so that kstone's encoding of
// the item — without the key attribute, exactly as the api stores it — is
// about `value_size` bytes.
//
// Thread safety: const methods are safe for concurrent use.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "bench/compare/bench_engine.h"

namespace kstone::bench {

class OpSource {
 public:
  // InvalidArgument if value_size is too small to hold an item.
  static absl::StatusOr<OpSource> Create(int value_size);

  std::string Key(uint64_t index) const;
  std::string MissingKey(uint64_t index) const;

  // A write of item `index` with content `version` (0 for the first write).
  void MakeWrite(uint64_t index, uint64_t version, BenchOp* op) const;
  // A read of `key` (item and encoded bytes left empty).
  void MakeRead(std::string key, BenchOp* op) const;

  int filler_size() const { return filler_size_; }
  // Size of the encoded item (what the peers store per key).
  int encoded_size() const { return encoded_size_; }

 private:
  OpSource(int filler_size, int encoded_size)
      : filler_size_(filler_size), encoded_size_(encoded_size) {}

  int filler_size_;
  int encoded_size_;
};

}  // namespace kstone::bench

#endif  // KSTONE_BENCH_COMPARE_OP_SOURCE_H_
