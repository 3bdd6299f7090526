// Opens :memory:, puts an item, gets it back. Exit 0 and "ok" on success.

#include <kstone/kstone.h>

#include <iostream>

int main() {
  absl::StatusOr<kstone::Database> db = kstone::Database::Open(":memory:");
  if (!db.ok()) {
    std::cerr << db.status() << "\n";
    return 1;
  }
  kstone::Item item =
      kstone::ItemBuilder().String("pk", "user#1").Number("age", 30).Build();
  if (absl::Status s = db->Put(item); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  absl::StatusOr<std::optional<kstone::Item>> got =
      db->Get(kstone::Key("user#1"));
  if (!got.ok() || !got->has_value() || **got != item) {
    std::cerr << "get failed\n";
    return 1;
  }
  std::cout << "ok " << kstone::Version() << " " << (*got)->ToJson() << "\n";
  return 0;
}
