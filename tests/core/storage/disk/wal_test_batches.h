#ifndef KSTONE_TESTS_CORE_STORAGE_DISK_WAL_TEST_BATCHES_H_
#define KSTONE_TESTS_CORE_STORAGE_DISK_WAL_TEST_BATCHES_H_

// The write batch the disk WAL tests append: one value record, key "k<seq>",
// `value_size` bytes of a letter that depends on seq (so that a record read
// back from the wrong place shows).

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/storage/record.h"

namespace kstone::core {

inline WriteBatch OneRecordBatch(uint64_t seq, size_t value_size) {
  WriteBatch batch;
  batch.first_seq = seq;
  batch.mutations.push_back(
      {RecordType::kValue, absl::StrCat("k", seq),
       std::string(value_size, static_cast<char>('a' + seq % 26))});
  return batch;
}

}  // namespace kstone::core

#endif  // KSTONE_TESTS_CORE_STORAGE_DISK_WAL_TEST_BATCHES_H_
