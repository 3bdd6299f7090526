#ifndef KSTONE_CORE_STORAGE_DISK_POSIX_FILE_SYSTEM_H_
#define KSTONE_CORE_STORAGE_DISK_POSIX_FILE_SYSTEM_H_

// PosixFileSystem: FileSystem over POSIX calls.
//
//  - WritableFile buffers appends in user space (64 KiB) and writes them on
//    Flush, Sync, Close or when the buffer fills; Sync is fdatasync.
//  - RandomAccessFile uses pread, so concurrent reads need no lock.
//  - SyncDir fsyncs the directory.
//  - LockFile takes flock(LOCK_EX | LOCK_NB) on its own open file
//    description, which conflicts with a lock held by another process and
//    with a second LockFile of the same path in this process.
//
// Safe for concurrent use (it has no state). DefaultFileSystem() returns a
// process-wide instance.

#include <memory>

#include "core/storage/disk/file_system.h"

namespace kstone::core {

std::unique_ptr<FileSystem> NewPosixFileSystem();

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_DISK_POSIX_FILE_SYSTEM_H_
