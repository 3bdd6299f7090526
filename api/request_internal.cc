#include "api/request_internal.h"

#include <utility>

#include "api/value_internal.h"
#include "core/util/status_macros.h"

namespace kstone {

core::ValueType CoreKeyType(KeyType type) {
  switch (type) {
    case KeyType::kNumber:
      return core::ValueType::kNumber;
    case KeyType::kBinary:
      return core::ValueType::kBinary;
    case KeyType::kString:
      break;
  }
  return core::ValueType::kString;
}

core::KeySchema CoreKeySchema(const TableSchema& schema) {
  core::KeySchema ks;
  ks.partition = {schema.partition_key_name(),
                  CoreKeyType(schema.partition_key_type())};
  if (schema.has_sort_key()) {
    ks.sort = core::KeyAttribute{schema.sort_key_name(),
                                 CoreKeyType(schema.sort_key_type())};
  }
  return ks;
}

absl::Status PlaceholdersToCore(const std::map<std::string, std::string>& names,
                                const std::map<std::string, Value>& values,
                                core::expr::AttributeNames* core_names,
                                core::expr::AttributeValues* core_values) {
  for (const auto& [placeholder, name] : names) {
    core_names->insert_or_assign(placeholder, name);
  }
  for (const auto& [placeholder, value] : values) {
    KS_ASSIGN_OR_RETURN(core::Value v,
                        ValueInternal::ToCore(value, placeholder));
    core_values->insert_or_assign(placeholder, std::move(v));
  }
  return absl::OkStatus();
}

}  // namespace kstone
