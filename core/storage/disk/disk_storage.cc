// OpenDiskStorage (core/storage/storage.h): a database directory holding
//
//   IDENTITY          written once at creation: marks a kstone database
//   LOCK              flock'ed while a Storage has the database open
//   NNNNNN.log        WAL segments (disk_wal.cc, docs/formats/wal.md)
//   MANIFEST-NNNNNN   the manifest log, CURRENT (docs/formats/manifest.md)
//   NNNNNN.sst        tables (disk_table_store.h)

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/storage/disk/disk_table_store.h"
#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/file_names.h"
#include "core/storage/disk/file_system.h"
#include "core/storage/storage.h"
#include "core/util/status_macros.h"

namespace kstone::core {
namespace {

constexpr std::string_view kIdentityContents = "kstone database\n";

// Safe for concurrent use: the accessors return pointers fixed at
// construction, and the WAL and the table store are thread-safe.
class DiskStorage final : public Storage {
 public:
  DiskStorage(std::string dir, bool created, std::unique_ptr<FileLock> lock,
              std::unique_ptr<Wal> wal, std::unique_ptr<TableStore> tables)
      : dir_(std::move(dir)),
        created_(created),
        lock_(std::move(lock)),
        wal_(std::move(wal)),
        tables_(std::move(tables)) {}
  DiskStorage(const DiskStorage&) = delete;
  DiskStorage& operator=(const DiskStorage&) = delete;

  Wal* wal() override { return wal_.get(); }
  TableStore* tables() override { return tables_.get(); }
  bool created() const override { return created_; }
  std::string description() const override { return dir_; }

 private:
  const std::string dir_;
  const bool created_;
  // Destroyed in reverse order: the tables, the WAL, and the lock last, so
  // that no other opener sees the files while they are still in use.
  const std::unique_ptr<FileLock> lock_;
  const std::unique_ptr<Wal> wal_;
  const std::unique_ptr<TableStore> tables_;
};

bool IsDatabase(FileSystem* fs, const std::string& dir) {
  return fs->FileExists(JoinPath(dir, kIdentityName)) ||
         fs->FileExists(JoinPath(dir, kCurrentName));
}

// The directory to fsync so that `dir`'s own entry is durable.
std::string ParentToSync(const std::string& dir) {
  std::string trimmed = dir;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  std::string parent = ParentDir(trimmed);
  return parent.empty() ? "." : parent;
}

absl::Status ValidateOptions(const DiskStorageOptions& options) {
  if (options.wal_segment_bytes == 0) {
    return absl::InvalidArgumentError("wal_segment_bytes must be positive");
  }
  if (options.block_size == 0) {
    return absl::InvalidArgumentError("block_size must be positive");
  }
  if (options.bloom_bits_per_key < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("bloom_bits_per_key must not be negative (got ",
                     options.bloom_bits_per_key, ")"));
  }
  return absl::OkStatus();
}

// Whether `dir` holds anything but a LOCK file (a creator that died between
// taking the lock and writing IDENTITY leaves just that).
absl::StatusOr<bool> HoldsForeignFiles(FileSystem* fs, const std::string& dir) {
  KS_ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  for (const std::string& name : names) {
    if (name != kLockName) return true;
  }
  return false;
}

// Checks what is at `dir` before anything is written there; creates the
// directory if allowed.
absl::Status CheckDirectory(FileSystem* fs, const std::string& dir,
                            const DiskStorageOptions& options) {
  if (!fs->FileExists(dir)) {
    if (!options.create_if_missing) {
      return absl::NotFoundError(absl::StrCat(
          "database ", dir, " does not exist (and create_if_missing is off)"));
    }
    KS_RETURN_IF_ERROR(fs->CreateDir(dir));
    return fs->SyncDir(ParentToSync(dir));
  }
  if (IsDatabase(fs, dir)) {
    if (options.error_if_exists) {
      return absl::AlreadyExistsError(
          absl::StrCat("database ", dir, " already exists"));
    }
    return absl::OkStatus();
  }
  KS_ASSIGN_OR_RETURN(const bool foreign, HoldsForeignFiles(fs, dir));
  if (foreign) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir,
                     " is not a kstone database (it is not empty and has no "
                     "IDENTITY or CURRENT file)"));
  }
  if (!options.create_if_missing) {
    return absl::NotFoundError(absl::StrCat("no database in ", dir,
                                            " (and create_if_missing is off)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileLock>> LockDatabase(FileSystem* fs,
                                                       const std::string& dir) {
  absl::StatusOr<std::unique_ptr<FileLock>> lock =
      fs->LockFile(JoinPath(dir, kLockName));
  if (lock.status().code() == absl::StatusCode::kFailedPrecondition) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database ", dir, " is locked by another process or handle"));
  }
  return lock;
}

absl::Status WriteIdentity(FileSystem* fs, const std::string& dir) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                      fs->NewWritableFile(JoinPath(dir, kIdentityName)));
  KS_RETURN_IF_ERROR(file->Append(kIdentityContents));
  KS_RETURN_IF_ERROR(file->Sync());
  KS_RETURN_IF_ERROR(file->Close());
  return fs->SyncDir(dir);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Storage>> OpenDiskStorage(
    FileSystem* fs, const std::string& dir, const DiskStorageOptions& options) {
  KS_RETURN_IF_ERROR(ValidateOptions(options));
  if (dir.empty()) {
    return absl::InvalidArgumentError("database directory is empty");
  }
  KS_RETURN_IF_ERROR(CheckDirectory(fs, dir, options));
  KS_ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock, LockDatabase(fs, dir));

  // Decide again under the lock: another opener may have created it.
  const bool created = !IsDatabase(fs, dir);
  if (!created && options.error_if_exists) {
    return absl::AlreadyExistsError(
        absl::StrCat("database ", dir, " already exists"));
  }
  if (created) {
    if (!options.create_if_missing) {
      return absl::NotFoundError(absl::StrCat(
          "no database in ", dir, " (and create_if_missing is off)"));
    }
    KS_RETURN_IF_ERROR(WriteIdentity(fs, dir));
  }

  KS_ASSIGN_OR_RETURN(std::unique_ptr<Wal> wal,
                      OpenDiskWal(fs, dir, options.wal_segment_bytes));
  KS_ASSIGN_OR_RETURN(std::unique_ptr<ManifestLog> manifest,
                      OpenDiskManifestLog(fs, dir));
  DiskTableOptions table_options;
  table_options.block_size = options.block_size;
  table_options.block_cache_bytes = options.block_cache_bytes;
  table_options.bloom_bits_per_key = options.bloom_bits_per_key;
  KS_ASSIGN_OR_RETURN(
      std::unique_ptr<TableStore> tables,
      OpenDiskTableStore(fs, dir, std::move(manifest), table_options));
  return std::unique_ptr<Storage>(std::make_unique<DiskStorage>(
      dir, created, std::move(lock), std::move(wal), std::move(tables)));
}

}  // namespace kstone::core
