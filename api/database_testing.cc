#include "api/database_testing.h"

#include <memory>
#include <utility>

#include "api/database_impl.h"

namespace kstone {

std::unique_ptr<core::FaultInjectionFileSystem>
DatabaseTesting::NewFaultInjectionFileSystem() {
  return std::make_unique<core::FaultInjectionFileSystem>(
      core::DefaultFileSystem());
}

absl::StatusOr<Database> DatabaseTesting::OpenDisk(
    std::string_view path, const std::optional<TableSchema>& schema,
    const Options& options, core::FileSystem* fs) {
  absl::StatusOr<std::unique_ptr<DatabaseImpl>> impl =
      DatabaseImpl::Open(path,
                         schema.has_value() ? DatabaseImpl::Mode::kCreate
                                            : DatabaseImpl::Mode::kOpen,
                         schema, options, fs);
  if (!impl.ok()) return impl.status();
  return Database(std::shared_ptr<DatabaseImpl>(std::move(*impl)));
}

void DatabaseTesting::SetTokenClock(
    Database& db,
    std::function<std::chrono::steady_clock::time_point()> clock) {
  db.impl_->SetTokenClockForTesting(std::move(clock));
}

void DatabaseTesting::SetTokenCapacity(Database& db, size_t capacity) {
  db.impl_->SetTokenCapacityForTesting(capacity);
}

size_t DatabaseTesting::RememberedTokens(Database& db) {
  return db.impl_->RememberedTokensForTesting();
}

}  // namespace kstone
