#ifndef KSTONE_API_SCHEMA_CODEC_H_
#define KSTONE_API_SCHEMA_CODEC_H_

// The encoding of a TableSchema in the engine's metadata blob (persisted in
// the manifest, so the schema survives reopen):
//
//   schema := magic "KSCH" version(0x01) key(pk) has_sk(0|1) [key(sk)]
//   key    := varint(len) name type(0 = S, 1 = N, 2 = B)
//
// Later versions append fields (indexes, TTL, streams) and bump the version;
// a decoder refuses versions it does not know.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "kstone/schema.h"

namespace kstone {

std::string EncodeSchema(const TableSchema& schema);

// DataLoss naming the problem for bytes EncodeSchema did not produce.
absl::StatusOr<TableSchema> DecodeSchema(std::string_view bytes);

}  // namespace kstone

#endif  // KSTONE_API_SCHEMA_CODEC_H_
