#ifndef KSTONE_CORE_STORAGE_DISK_MEM_FILE_SYSTEM_H_
#define KSTONE_CORE_STORAGE_DISK_MEM_FILE_SYSTEM_H_

// MemFileSystem: a FileSystem whose files live in memory, for fast tests of
// the disk formats (the idea of leveldb's memenv).
//
// Paths are plain strings: a file's directory is everything before its last
// '/', and a file can only be created in a directory made with CreateDir (the
// empty path and "/" always exist). Everything is durable at once: Sync and
// SyncDir do nothing (wrap it in a FaultInjectionFileSystem to simulate
// crashes). Open files share their bytes with the file system, so a
// RandomAccessFile sees later appends and a file deleted while open stays
// readable through the handle. LockFile locks are per MemFileSystem.
//
// Safe for concurrent use.

#include <memory>

#include "core/storage/disk/file_system.h"

namespace kstone::core {

std::unique_ptr<FileSystem> NewMemFileSystem();

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_MEM_FILE_SYSTEM_H_
