#ifndef KSTONE_CORE_STORAGE_MEMORY_MEMORY_TABLE_STORE_H_
#define KSTONE_CORE_STORAGE_MEMORY_MEMORY_TABLE_STORE_H_

// MemoryTableStore: tables of an in-memory database (number -> MemoryTable)
// and its manifest (a vector of records). Safe for concurrent use.

#include <memory>

#include "core/storage/table_store.h"

namespace kstone::core {

std::unique_ptr<TableStore> NewMemoryTableStore(int bloom_bits_per_key = 10);

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_MEMORY_MEMORY_TABLE_STORE_H_
