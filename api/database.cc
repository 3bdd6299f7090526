#include "kstone/database.h"

#include <memory>
#include <optional>
#include <utility>

#include "api/database_impl.h"

namespace kstone {
Database::Database(std::shared_ptr<DatabaseImpl> impl)
    : impl_(std::move(impl)) {}

Database::~Database() = default;

absl::StatusOr<Database> Database::CreateInMemory() {
  return CreateInMemory(Options());
}

absl::StatusOr<Database> Database::CreateInMemory(const Options& options) {
  return Make(kMemoryPath, /*create=*/true, std::nullopt, options);
}

absl::StatusOr<Database> Database::CreateInMemoryWithSchema(
    const TableSchema& schema) {
  return CreateInMemoryWithSchema(schema, Options());
}

absl::StatusOr<Database> Database::CreateInMemoryWithSchema(
    const TableSchema& schema, const Options& options) {
  return Make(kMemoryPath, /*create=*/true, schema, options);
}

absl::StatusOr<Database> Database::Create(std::string_view path) {
  return Create(path, Options());
}

absl::StatusOr<Database> Database::Create(std::string_view path,
                                          const Options& options) {
  return Make(path, /*create=*/true, std::nullopt, options);
}

absl::StatusOr<Database> Database::CreateWithSchema(std::string_view path,
                                                    const TableSchema& schema) {
  return CreateWithSchema(path, schema, Options());
}

absl::StatusOr<Database> Database::CreateWithSchema(std::string_view path,
                                                    const TableSchema& schema,
                                                    const Options& options) {
  return Make(path, /*create=*/true, schema, options);
}

absl::StatusOr<Database> Database::Open(std::string_view path) {
  return Open(path, Options());
}

absl::StatusOr<Database> Database::Open(std::string_view path,
                                        const Options& options) {
  return Make(path, /*create=*/false, std::nullopt, options);
}

absl::StatusOr<Database> Database::Make(
    std::string_view path, bool create,
    const std::optional<TableSchema>& schema, const Options& options) {
  absl::StatusOr<std::unique_ptr<DatabaseImpl>> impl = DatabaseImpl::Open(
      path, create ? DatabaseImpl::Mode::kCreate : DatabaseImpl::Mode::kOpen,
      schema, options);
  if (!impl.ok()) return impl.status();
  return Database(std::shared_ptr<DatabaseImpl>(std::move(*impl)));
}

absl::Status Database::Put(const Key& key, const Item& item) {
  return impl_->Put(key, item, /*key_of_item=*/false);
}

absl::Status Database::Put(const Item& item) {
  absl::StatusOr<Key> key = impl_->KeyOf(item);
  if (!key.ok()) return key.status();
  return impl_->Put(*key, item, /*key_of_item=*/true);
}

absl::StatusOr<std::optional<Item>> Database::Get(const Key& key) const {
  return impl_->Get(key);
}

absl::Status Database::Delete(const Key& key) { return impl_->Delete(key); }

absl::StatusOr<Key> Database::KeyOf(const Item& item) const {
  return impl_->KeyOf(item);
}

absl::Status Database::Flush() { return impl_->Flush(); }

absl::Status Database::Compact() { return impl_->Compact(); }

DatabaseStats Database::Stats() const { return impl_->Stats(); }

const TableSchema& Database::schema() const { return impl_->schema(); }

const std::string& Database::path() const { return impl_->path(); }

bool Database::in_memory() const { return impl_->in_memory(); }

const std::string& Database::recovery_message() const {
  return impl_->recovery_message();
}

}  // namespace kstone
