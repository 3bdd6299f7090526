#ifndef KSTONE_CORE_STORAGE_DISK_SST_ITERATOR_H_
#define KSTONE_CORE_STORAGE_DISK_SST_ITERATOR_H_

// The iterator of an SST (SstReader::NewIterator): the index block picks a
// data block, a BlockIterator walks it.

#include <memory>

#include "core/storage/table.h"

namespace kstone::core {

class SstReader;

// An iterator over every record of `reader`, which it keeps alive. Not
// thread-safe (as every TableIterator).
std::unique_ptr<TableIterator> NewSstIterator(
    std::shared_ptr<const SstReader> reader);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_SST_ITERATOR_H_
