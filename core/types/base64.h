#ifndef KSTONE_CORE_TYPES_BASE64_H_
#define KSTONE_CORE_TYPES_BASE64_H_

// Standard base64 (RFC 4648 §4, '+' '/' and '=' padding), as DynamoDB JSON
// carries B and BS values.
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kstone::core {

std::string Base64Encode(std::string_view bytes);
void AppendBase64(std::string_view bytes, std::string* out);

// Strict: length a multiple of 4, only alphabet characters, '=' only as the
// last one or two characters, unused trailing bits zero (so every input has
// one decoding and every decoding one input). InvalidArgument otherwise,
// naming the offset.
absl::StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_BASE64_H_
