#ifndef KSTONE_CORE_TYPES_KEY_CODEC_H_
#define KSTONE_CORE_TYPES_KEY_CODEC_H_

// Engine key encoding: turns a Key into the opaque, bytewise-ordered engine
// key that the storage layer and the engine move around (core/storage/
// record.h), and back.
//
//   engine key = [stripe][namespace][encoded pk][encoded sk, if any]
//   stripe     = Hash64(encoded pk) % 256  (core/util/hash.h)
//   encoded v  = [type tag][payload]
//     N: tag 0x02, Number::EncodeOrdered()
//     S: tag 0x03, B: tag 0x04, then the bytes with every 0x00 written as
//        0x00 0xFF, then the terminator 0x00 0x01
//
// Within a stripe and namespace, bytewise order of engine keys is the order
// of (pk, sk): S and B compare as unsigned bytes with a prefix first ("a" <
// "aa" < "b"), N numerically, and a key without a sort value sorts before
// every key of the same partition that has one. Every encoding is
// self-delimiting, so no length leaks into the order.
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/types/key.h"
#include "core/types/number.h"
#include "core/types/value.h"

namespace kstone::core {

// Namespace byte (second byte of every engine key). Base-table items; later
// issues add secondary-index entries, stream records and metadata.
inline constexpr uint8_t kNamespaceItem = 0x01;

// Type tags of encoded key values.
inline constexpr uint8_t kKeyTagNumber = 0x02;
inline constexpr uint8_t kKeyTagString = 0x03;
inline constexpr uint8_t kKeyTagBinary = 0x04;

// Appends the order-preserving encoding of one key value (tag + payload).
// InvalidArgument if the value is not S, N or B.
absl::Status AppendEncodedKeyValue(const Value& value, std::string* dst);
absl::Status AppendEncodedKeyValue(const KeyValueRef& value, std::string* dst);

// Decodes one key value from the front of *input, advancing it. DataLoss on
// malformed bytes (including an empty S or B, which no encoder writes).
absl::StatusOr<Value> DecodeKeyValue(std::string_view* input);

// One key value decoded without building a Value (for readers that build
// their own, like the api's item decoder): its type (kString, kNumber or
// kBinary), the unescaped bytes of an S or B, the number of an N.
struct KeyValueParts {
  ValueType type = ValueType::kNull;
  // S, B: a view of the decoded input when the value holds no zero byte
  // (the encoding escapes those), else of `unescaped`. So it is valid while
  // the input is, and it moves with the struct only in the second case.
  std::string_view bytes;
  std::string unescaped;  // holds the bytes when they had to be unescaped
  Number number;          // N
};

// The Value of decoded parts (copies the bytes).
Value ValueOfParts(const KeyValueParts& parts);

// DecodeKeyValue into *out (whose `unescaped` keeps its capacity).
absl::Status DecodeKeyValueParts(std::string_view* input, KeyValueParts* out);

// The stripe (0..255) of a partition value: Hash64 of its encoding % 256.
absl::StatusOr<uint32_t> StripeOfPartition(const Value& partition);

// The engine key of key in namespace ns. The key values are checked with
// ValidateKeyValue() (names "partition key"/"sort key" in messages; callers
// that know the attribute names validate first with ValidateKey()).
absl::StatusOr<std::string> EncodeEngineKey(const Key& key,
                                            uint8_t ns = kNamespaceItem);
// EncodeEngineKey of a key given by reference (`sort` null: none).
absl::StatusOr<std::string> EncodeEngineKey(const KeyValueRef& partition,
                                            const KeyValueRef* sort,
                                            uint8_t ns = kNamespaceItem);
// The same for values that ValidateKeyValue has accepted already (the api
// checks them with the schema's names first): encodes without checking again.
std::string EncodeValidEngineKey(const KeyValueRef& partition,
                                 const KeyValueRef* sort,
                                 uint8_t ns = kNamespaceItem);
// EncodeValidEngineKey into *out (replacing its contents, reusing its
// memory).
void EncodeValidEngineKeyInto(const KeyValueRef& partition,
                              const KeyValueRef* sort, uint8_t ns,
                              std::string* out);

// [stripe][namespace][encoded pk]: a prefix of the engine key of every key of
// that partition (in that namespace), and nothing else's. For queries.
absl::StatusOr<std::string> EncodePartitionPrefix(const Value& partition,
                                                  uint8_t ns = kNamespaceItem);

// The Key of an engine key; the namespace byte goes to *ns if ns is not
// null. DataLoss if the bytes are not a well-formed engine key (bad tag,
// truncated, trailing bytes, an empty S or B value, stripe byte not matching
// the partition). Never crashes on garbage.
absl::StatusOr<Key> DecodeEngineKey(std::string_view engine_key,
                                    uint8_t* ns = nullptr);
// Whether DecodeEngineKeyParts recomputes the stripe byte from the
// partition value (kVerify: a key from outside the engine) or takes it as
// written (kTrust: a key an engine iterator of that stripe returned; the
// engine placed the record by that byte, and a reader of stripe s sees only
// keys whose byte is s, so the hash would only re-check the encoder).
enum class StripeByte { kVerify, kTrust };

// DecodeEngineKey into parts, with the same checks (but the stripe byte's
// under StripeByte::kTrust): *pk, and *sk (its type kNull when the key has
// no sort value). *partition_end (if not null): the length of the key's
// head through the partition value (stripe, namespace and encoded partition
// value), which every key of that partition in that namespace starts with.
absl::Status DecodeEngineKeyParts(std::string_view engine_key,
                                  KeyValueParts* pk, KeyValueParts* sk,
                                  uint8_t* ns = nullptr,
                                  size_t* partition_end = nullptr,
                                  StripeByte stripe_byte = StripeByte::kVerify);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_KEY_CODEC_H_
