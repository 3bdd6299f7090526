#include "api/schema_codec.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "core/util/coding.h"

namespace kstone {
namespace {

constexpr std::string_view kMagic = "KSCH";
constexpr uint8_t kVersion = 1;

void PutKey(std::string* dst, const std::string& name, KeyType type) {
  core::PutLengthPrefixed(dst, name);
  dst->push_back(static_cast<char>(type));
}

bool GetKey(std::string_view* input, std::string_view* name, KeyType* type) {
  if (!core::GetLengthPrefixed(input, name) || input->empty()) return false;
  uint8_t t = static_cast<uint8_t>((*input)[0]);
  input->remove_prefix(1);
  if (t > static_cast<uint8_t>(KeyType::kBinary)) return false;
  *type = static_cast<KeyType>(t);
  return true;
}

absl::Status Bad(absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("table schema in the manifest: ", what));
}

}  // namespace

std::string EncodeSchema(const TableSchema& schema) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kVersion));
  PutKey(&out, schema.partition_key_name(), schema.partition_key_type());
  out.push_back(schema.has_sort_key() ? 1 : 0);
  if (schema.has_sort_key()) {
    PutKey(&out, schema.sort_key_name(), schema.sort_key_type());
  }
  return out;
}

absl::StatusOr<TableSchema> DecodeSchema(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic) return Bad("bad magic");
  bytes.remove_prefix(kMagic.size());
  if (bytes.empty()) return Bad("truncated");
  uint8_t version = static_cast<uint8_t>(bytes[0]);
  bytes.remove_prefix(1);
  if (version != kVersion) {
    return Bad(absl::StrCat("unknown version ", version,
                            " (this build reads version 1)"));
  }
  TableSchema schema;
  std::string_view name;
  KeyType type;
  if (!GetKey(&bytes, &name, &type)) return Bad("bad partition key");
  schema.PartitionKey(name, type);
  if (bytes.empty()) return Bad("truncated");
  uint8_t has_sk = static_cast<uint8_t>(bytes[0]);
  bytes.remove_prefix(1);
  if (has_sk > 1) return Bad("bad sort key flag");
  if (has_sk == 1) {
    if (!GetKey(&bytes, &name, &type)) return Bad("bad sort key");
    schema.SortKey(name, type);
  } else {
    schema.WithoutSortKey();
  }
  if (!bytes.empty()) return Bad("trailing bytes");
  if (absl::Status s = schema.Validate(); !s.ok()) return Bad(s.message());
  return schema;
}

}  // namespace kstone
