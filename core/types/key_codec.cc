#include "core/types/key_codec.h"

#include <cstring>

#include "absl/base/attributes.h"
#include "absl/strings/str_cat.h"
#include "core/util/hash.h"

namespace kstone::core {

namespace {

// 0x00 inside S/B bytes is written 0x00 0xFF; the value ends with 0x00 0x01.
// So bytewise order of encodings is bytewise order of values, with a value
// before every longer value it prefixes, and no encoding prefixes another.
constexpr char kEscape = '\xFF';
constexpr char kTerminator = '\x01';

void AppendEscaped(std::string_view bytes, std::string* dst) {
  // Keys rarely hold a zero byte: memchr rules one out a vector at a time,
  // where a loop over the bytes took several instructions per byte.
  while (!bytes.empty()) {
    const void* zero = std::memchr(bytes.data(), '\0', bytes.size());
    if (zero == nullptr) break;
    const size_t through = static_cast<const char*>(zero) - bytes.data() + 1;
    dst->append(bytes.data(), through);
    dst->push_back(kEscape);
    bytes.remove_prefix(through);
  }
  const char end[2] = {'\0', kTerminator};
  dst->append(bytes.data(), bytes.size());
  dst->append(end, 2);
}

// Appends the unescaped bytes at the front of *input to *out and advances
// past the terminator; false if the bytes are not a well-formed escaped run.
bool DecodeEscaped(std::string_view* input, std::string* out) {
  std::string_view in = *input;
  while (true) {
    const size_t zero = in.find('\0');
    if (zero == std::string_view::npos || zero + 1 >= in.size()) return false;
    out->append(in.data(), zero);
    if (in[zero + 1] == kTerminator) {
      *input = in.substr(zero + 2);
      return true;
    }
    if (in[zero + 1] != kEscape) return false;
    out->push_back('\0');
    in.remove_prefix(zero + 2);
  }
}

// DecodeEscaped, but *out views the input when the bytes hold no escaped
// zero (most keys), and is the unescaped copy in *storage otherwise.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool DecodeEscapedView(
    std::string_view* input, std::string_view* out, std::string* storage) {
  const std::string_view in = *input;
  const size_t zero = in.find('\0');
  if (zero == std::string_view::npos || zero + 1 >= in.size()) return false;
  if (in[zero + 1] == kTerminator) {
    *out = in.substr(0, zero);
    *input = in.substr(zero + 2);
    return true;
  }
  storage->clear();
  if (!DecodeEscaped(input, storage)) return false;
  *out = *storage;
  return true;
}

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(
      absl::StrCat("key codec: malformed engine key: ",
                   absl::string_view(what.data(), what.size())));
}

absl::StatusOr<std::string> EncodePartition(const Value& partition) {
  std::string enc;
  absl::Status s = AppendEncodedKeyValue(partition, &enc);
  if (!s.ok()) return s;
  return enc;
}

uint8_t StripeOfEncoded(std::string_view encoded_pk) {
  return static_cast<uint8_t>(Hash64(encoded_pk) % 256);
}

}  // namespace

absl::Status AppendEncodedKeyValue(const Value& value, std::string* dst) {
  return AppendEncodedKeyValue(KeyValueRef::Of(value), dst);
}

absl::Status AppendEncodedKeyValue(const KeyValueRef& value, std::string* dst) {
  switch (value.type) {
    case ValueType::kNumber:
      dst->push_back(static_cast<char>(kKeyTagNumber));
      if (value.number != nullptr) {
        value.number->EncodeOrdered(dst);
      } else {
        dst->append(value.ordered);
      }
      return absl::OkStatus();
    case ValueType::kString:
      dst->push_back(static_cast<char>(kKeyTagString));
      AppendEscaped(value.bytes, dst);
      return absl::OkStatus();
    case ValueType::kBinary:
      dst->push_back(static_cast<char>(kKeyTagBinary));
      AppendEscaped(value.bytes, dst);
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("key codec: a key value must be of type S, N or B, not ",
                       absl::string_view(ValueTypeName(value.type).data(),
                                         ValueTypeName(value.type).size())));
  }
}

namespace {

// Reads one key value from the front of *input into *out. Returns nullptr,
// or what is malformed (a static string; kBadTag: an unknown type tag), so
// that decoding a key builds no Status unless it fails.
constexpr char kBadTag[] = "bad type tag";
// (Inlined into its callers: decoding the keys of a scan calls it per record,
// and the call cost as much as its common path.)
ABSL_ATTRIBUTE_ALWAYS_INLINE inline const char* ReadKeyValue(
    std::string_view* input, KeyValueParts* out) {
  if (input->empty()) return "missing key value";
  const uint8_t tag = static_cast<uint8_t>((*input)[0]);
  input->remove_prefix(1);
  switch (tag) {
    case kKeyTagNumber:
      out->type = ValueType::kNumber;
      return Number::DecodeOrdered(input, &out->number) ? nullptr
                                                        : "bad number";
    case kKeyTagString:
    case kKeyTagBinary:
      out->type =
          tag == kKeyTagString ? ValueType::kString : ValueType::kBinary;
      if (!DecodeEscapedView(input, &out->bytes, &out->unescaped)) {
        return "bad escaped bytes";
      }
      // The encoder refuses empty key values, as DynamoDB does.
      return out->bytes.empty() ? "empty key value" : nullptr;
    default:
      return kBadTag;
  }
}

// The error of ReadKeyValue's `what` for the value that starts at `value`.
absl::Status KeyValueError(const char* what, std::string_view value) {
  if (what == kBadTag) {
    return Corrupt(
        absl::StrCat(kBadTag, " ", static_cast<uint8_t>(value.front())));
  }
  return Corrupt(what);
}

}  // namespace

Value ValueOfParts(const KeyValueParts& parts) {
  switch (parts.type) {
    case ValueType::kNumber:
      return Value::Num(parts.number);
    case ValueType::kString:
      return Value::String(std::string(parts.bytes));
    default:
      return Value::Binary(std::string(parts.bytes));
  }
}

absl::Status DecodeKeyValueParts(std::string_view* input, KeyValueParts* out) {
  const std::string_view value = *input;
  const char* error = ReadKeyValue(input, out);
  return error == nullptr ? absl::OkStatus() : KeyValueError(error, value);
}

absl::StatusOr<Value> DecodeKeyValue(std::string_view* input) {
  KeyValueParts parts;
  absl::Status s = DecodeKeyValueParts(input, &parts);
  if (!s.ok()) return s;
  return ValueOfParts(parts);
}

absl::StatusOr<uint32_t> StripeOfPartition(const Value& partition) {
  absl::StatusOr<std::string> enc = EncodePartition(partition);
  if (!enc.ok()) return enc.status();
  return StripeOfEncoded(*enc);
}

absl::StatusOr<std::string> EncodeEngineKey(const Key& key, uint8_t ns) {
  if (!key.has_sort()) {
    return EncodeEngineKey(KeyValueRef::Of(key.partition()), nullptr, ns);
  }
  const KeyValueRef sort = KeyValueRef::Of(key.sort());
  return EncodeEngineKey(KeyValueRef::Of(key.partition()), &sort, ns);
}

absl::StatusOr<std::string> EncodeEngineKey(const KeyValueRef& partition,
                                            const KeyValueRef* sort,
                                            uint8_t ns) {
  absl::Status s = ValidateKeyValue(partition, "partition key", true);
  if (!s.ok()) return s;
  if (sort != nullptr) {
    s = ValidateKeyValue(*sort, "sort key", false);
    if (!s.ok()) return s;
  }
  return EncodeValidEngineKey(partition, sort, ns);
}

std::string EncodeValidEngineKey(const KeyValueRef& partition,
                                 const KeyValueRef* sort, uint8_t ns) {
  std::string out;
  EncodeValidEngineKeyInto(partition, sort, ns, &out);
  return out;
}

namespace {

// Whether `value` is an S or B without a zero byte, whose encoding is then
// its tag, its bytes and the terminator (nothing to escape).
ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool IsPlainBytes(
    const KeyValueRef& value) {
  return (value.type == ValueType::kString ||
          value.type == ValueType::kBinary) &&
         std::memchr(value.bytes.data(), '\0', value.bytes.size()) == nullptr;
}

// Writes the encoding of an IsPlainBytes value at p; returns its end.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline char* WritePlainBytes(
    const KeyValueRef& value, char* p) {
  *p++ = static_cast<char>(value.type == ValueType::kString ? kKeyTagString
                                                            : kKeyTagBinary);
  std::memcpy(p, value.bytes.data(), value.bytes.size());
  p += value.bytes.size();
  *p++ = '\0';
  *p++ = kTerminator;
  return p;
}

constexpr size_t kPlainBytesOverhead = 3;  // tag and terminator

}  // namespace

void EncodeValidEngineKeyInto(const KeyValueRef& partition,
                              const KeyValueRef* sort, uint8_t ns,
                              std::string* out) {
  // The common keys (S or B values without a zero byte) are written in
  // place at their exact size: one resize of the reused buffer, which keeps
  // its size when keys have the same length, instead of an append per part
  // (each checking capacity and size).
  if (IsPlainBytes(partition) && (sort == nullptr || IsPlainBytes(*sort))) {
    const size_t pk_size = kPlainBytesOverhead + partition.bytes.size();
    out->resize(
        2 + pk_size +
        (sort != nullptr ? kPlainBytesOverhead + sort->bytes.size() : 0));
    char* const head = out->data();
    head[1] = static_cast<char>(ns);
    char* p = WritePlainBytes(partition, head + 2);
    head[0] =
        static_cast<char>(StripeOfEncoded(std::string_view(head + 2, pk_size)));
    if (sort != nullptr) WritePlainBytes(*sort, p);
    return;
  }
  out->clear();
  out->reserve(2 + KeyValueSize(partition) + 8 +
               (sort != nullptr ? KeyValueSize(*sort) + 4 : 0));
  const char head[2] = {'\0', static_cast<char>(ns)};  // stripe filled in below
  out->append(head, 2);
  // (Valid values are of key types, which AppendEncodedKeyValue accepts.)
  AppendEncodedKeyValue(partition, out).IgnoreError();
  (*out)[0] =
      static_cast<char>(StripeOfEncoded(std::string_view(*out).substr(2)));
  if (sort != nullptr) AppendEncodedKeyValue(*sort, out).IgnoreError();
}

absl::StatusOr<std::string> EncodePartitionPrefix(const Value& partition,
                                                  uint8_t ns) {
  absl::Status s = ValidateKeyValue(partition, "partition key", true);
  if (!s.ok()) return s;
  std::string out;
  out.push_back('\0');
  out.push_back(static_cast<char>(ns));
  s = AppendEncodedKeyValue(partition, &out);
  if (!s.ok()) return s;
  out[0] = static_cast<char>(StripeOfEncoded(std::string_view(out).substr(2)));
  return out;
}

absl::Status DecodeEngineKeyParts(std::string_view engine_key,
                                  KeyValueParts* pk, KeyValueParts* sk,
                                  uint8_t* ns, size_t* partition_end,
                                  StripeByte stripe_byte) {
  if (engine_key.size() < 3) return Corrupt("too short");
  const uint8_t stripe = static_cast<uint8_t>(engine_key[0]);
  if (ns != nullptr) *ns = static_cast<uint8_t>(engine_key[1]);
  std::string_view rest = engine_key.substr(2);
  const std::string_view pk_start = rest;
  if (const char* error = ReadKeyValue(&rest, pk)) {
    return KeyValueError(error, pk_start);
  }
  const std::string_view encoded_pk =
      pk_start.substr(0, pk_start.size() - rest.size());
  if (stripe_byte == StripeByte::kVerify &&
      StripeOfEncoded(encoded_pk) != stripe) {
    return Corrupt("stripe byte does not match the partition key");
  }
  if (partition_end != nullptr) *partition_end = 2 + encoded_pk.size();
  sk->type = ValueType::kNull;
  if (rest.empty()) return absl::OkStatus();
  const std::string_view sk_start = rest;
  if (const char* error = ReadKeyValue(&rest, sk)) {
    return KeyValueError(error, sk_start);
  }
  if (!rest.empty()) return Corrupt("trailing bytes");
  return absl::OkStatus();
}

absl::StatusOr<Key> DecodeEngineKey(std::string_view engine_key, uint8_t* ns) {
  KeyValueParts pk, sk;
  absl::Status s = DecodeEngineKeyParts(engine_key, &pk, &sk, ns);
  if (!s.ok()) return s;
  if (sk.type == ValueType::kNull) return Key(ValueOfParts(pk));
  return Key(ValueOfParts(pk), ValueOfParts(sk));
}

}  // namespace kstone::core
