#ifndef KSTONE_KSTONE_H_
#define KSTONE_KSTONE_H_

// kstone: an embedded, DynamoDB-style database. This umbrella header brings
// in the whole public interface.
//
// Example:
//
//   #include <kstone/kstone.h>
//
//   absl::StatusOr<kstone::Database> db = kstone::Database::Open(":memory:");
//   kstone::Item item = kstone::ItemBuilder()
//                           .String("pk", "user#1")
//                           .Number("age", 30)
//                           .Build();
//   absl::Status s = db->Put(item);
//   auto got = db->Get(kstone::Key("user#1"));
//
// See docs/user-guide.md.

#include "kstone/batch.h"          // IWYU pragma: export
#include "kstone/database.h"       // IWYU pragma: export
#include "kstone/errors.h"         // IWYU pragma: export
#include "kstone/item.h"           // IWYU pragma: export
#include "kstone/key.h"            // IWYU pragma: export
#include "kstone/options.h"        // IWYU pragma: export
#include "kstone/query.h"          // IWYU pragma: export
#include "kstone/schema.h"         // IWYU pragma: export
#include "kstone/transaction.h"    // IWYU pragma: export
#include "kstone/update.h"         // IWYU pragma: export
#include "kstone/value.h"          // IWYU pragma: export
#include "kstone/version.h"        // IWYU pragma: export
#include "kstone/write_options.h"  // IWYU pragma: export

#endif  // KSTONE_KSTONE_H_
