#ifndef KSTONE_API_DATABASE_TESTING_H_
#define KSTONE_API_DATABASE_TESTING_H_

// Test hooks into a Database that the public API does not offer: opening a
// disk database through another file system (a fault-injecting one, to
// simulate crashes and failing disks), and the clock and capacity of the
// transaction token cache. Not installed; for kstone's own tests.
//
// Thread-safety: as the Database calls they wrap.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/storage/disk/fault_injection_file_system.h"
#include "core/storage/disk/file_system.h"
#include "kstone/database.h"
#include "kstone/options.h"
#include "kstone/schema.h"

namespace kstone {

class DatabaseTesting {
 public:
  // A fault-injecting wrapper of the operating system's file system. (Made
  // here so that tests use the library's copy of core.)
  static std::unique_ptr<core::FaultInjectionFileSystem>
  NewFaultInjectionFileSystem();

  // Creates (schema given) or opens (nullopt) the disk database at `path`
  // through `fs`, which must outlive the database.
  static absl::StatusOr<Database> OpenDisk(
      std::string_view path, const std::optional<TableSchema>& schema,
      const Options& options, core::FileSystem* fs);

  // The clock that dates client request tokens (default: steady_clock).
  static void SetTokenClock(
      Database& db,
      std::function<std::chrono::steady_clock::time_point()> clock);
  // How many tokens `db` keeps at most (default kMaxRememberedTokens).
  static void SetTokenCapacity(Database& db, size_t capacity);
  // How many tokens `db` holds now.
  static size_t RememberedTokens(Database& db);
};

}  // namespace kstone

#endif  // KSTONE_API_DATABASE_TESTING_H_
