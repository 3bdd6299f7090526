// libFuzzer target: the engine key decoders on arbitrary bytes (keys read
// back from SSTs and WAL records) must never crash and must agree:
// - DecodeEngineKey and DecodeEngineKeyParts (StripeByte::kVerify) give the
//   same verdict, and the parts are the key's values;
// - StripeByte::kTrust accepts everything kVerify accepts, and more only
//   when the stripe byte is all that is wrong;
// - a decoded S/B value views the input unless it held an escaped zero;
// - what decodes re-encodes to the same bytes (one encoding per key), and
//   the partition head is the partition prefix of the key.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/types/key_codec.h"

namespace {

using kstone::core::KeyValueParts;
using kstone::core::ValueType;

// The bytes of an S/B value lie in the input or in its own buffer.
void CheckWhereBytesLie(const KeyValueParts& parts, std::string_view input) {
  if (parts.type == ValueType::kNumber || parts.bytes.empty()) return;
  const char* p = parts.bytes.data();
  const bool in_input = p >= input.data() &&
                        p + parts.bytes.size() <= input.data() + input.size();
  const bool in_own = p == parts.unescaped.data() &&
                      parts.bytes.size() == parts.unescaped.size();
  if (in_input == in_own) std::abort();
  // Only a value with a zero byte needs its own buffer.
  if (in_own && parts.bytes.find('\0') == std::string_view::npos) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace core = kstone::core;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  uint8_t ns = 0;
  const absl::StatusOr<core::Key> key = core::DecodeEngineKey(bytes, &ns);
  KeyValueParts pk, sk;
  uint8_t parts_ns = 0;
  size_t partition_end = 0;
  const absl::Status verified = core::DecodeEngineKeyParts(
      bytes, &pk, &sk, &parts_ns, &partition_end, core::StripeByte::kVerify);
  if (verified.ok() != key.ok()) std::abort();
  KeyValueParts trusted_pk, trusted_sk;
  const absl::Status trusted =
      core::DecodeEngineKeyParts(bytes, &trusted_pk, &trusted_sk, nullptr,
                                 nullptr, core::StripeByte::kTrust);
  if (verified.ok() && !trusted.ok()) std::abort();
  if (!key.ok()) {
    if (key.status().code() != absl::StatusCode::kDataLoss) std::abort();
    if (trusted.ok() &&
        verified.message().find("stripe byte") == std::string_view::npos) {
      std::abort();
    }
    return 0;
  }
  if (parts_ns != ns) std::abort();
  if (!(ValueOfParts(pk) == key->partition())) std::abort();
  if ((sk.type == ValueType::kNull) == key->has_sort()) std::abort();
  if (key->has_sort() && !(ValueOfParts(sk) == key->sort())) std::abort();
  CheckWhereBytesLie(pk, bytes);
  CheckWhereBytesLie(sk, bytes);
  const absl::StatusOr<std::string> again = core::EncodeEngineKey(*key, ns);
  if (!again.ok() || *again != bytes) std::abort();
  const absl::StatusOr<std::string> head =
      core::EncodePartitionPrefix(key->partition(), ns);
  if (!head.ok() || *head != bytes.substr(0, partition_end)) std::abort();
  return 0;
}
