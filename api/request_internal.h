#ifndef KSTONE_API_REQUEST_INTERNAL_H_
#define KSTONE_API_REQUEST_INTERNAL_H_

// What every request that carries expressions needs from the api side: the
// table's key schema in core's terms and the #name / :value placeholders
// converted to core's maps (reads in read_plan.cc, writes in
// database_write.cc).
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <map>
#include <string>

#include "absl/status/status.h"
#include "core/expr/placeholders.h"
#include "core/types/key.h"
#include "core/types/value.h"
#include "kstone/schema.h"
#include "kstone/value.h"

namespace kstone {

// The core type of a key attribute type.
core::ValueType CoreKeyType(KeyType type);

// The key schema of `schema` in core's terms.
core::KeySchema CoreKeySchema(const TableSchema& schema);

// Adds `names` and `values` to *core_names and *core_values (replacing
// entries of the same placeholder). InvalidArgument naming the placeholder
// for a value core cannot hold (an invalid number).
absl::Status PlaceholdersToCore(const std::map<std::string, std::string>& names,
                                const std::map<std::string, Value>& values,
                                core::expr::AttributeNames* core_names,
                                core::expr::AttributeValues* core_values);

}  // namespace kstone

#endif  // KSTONE_API_REQUEST_INTERNAL_H_
