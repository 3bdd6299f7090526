#include "core/types/key_codec.h"

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
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\0') {
      dst->append(bytes.data() + start, i - start + 1);
      dst->push_back(kEscape);
      start = i + 1;
    }
  }
  dst->append(bytes.data() + start, bytes.size() - start);
  dst->push_back('\0');
  dst->push_back(kTerminator);
}

bool DecodeEscaped(std::string_view* input, std::string* out) {
  const std::string_view in = *input;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\0') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 1 >= in.size()) return false;
    if (in[i + 1] == kTerminator) {
      input->remove_prefix(i + 2);
      return true;
    }
    if (in[i + 1] != kEscape) return false;
    out->push_back('\0');
    ++i;
  }
  return false;  // no terminator
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
  switch (value.type()) {
    case ValueType::kNumber:
      dst->push_back(static_cast<char>(kKeyTagNumber));
      value.AsNumber().EncodeOrdered(dst);
      return absl::OkStatus();
    case ValueType::kString:
      dst->push_back(static_cast<char>(kKeyTagString));
      AppendEscaped(value.AsString(), dst);
      return absl::OkStatus();
    case ValueType::kBinary:
      dst->push_back(static_cast<char>(kKeyTagBinary));
      AppendEscaped(value.AsBinary(), dst);
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("key codec: a key value must be of type S, N or B, not ",
                       absl::string_view(ValueTypeName(value.type()).data(),
                                         ValueTypeName(value.type()).size())));
  }
}

absl::StatusOr<Value> DecodeKeyValue(std::string_view* input) {
  if (input->empty()) return Corrupt("missing key value");
  const uint8_t tag = static_cast<uint8_t>((*input)[0]);
  input->remove_prefix(1);
  switch (tag) {
    case kKeyTagNumber: {
      Number n;
      if (!Number::DecodeOrdered(input, &n)) return Corrupt("bad number");
      return Value::Num(n);
    }
    case kKeyTagString:
    case kKeyTagBinary: {
      std::string bytes;
      if (!DecodeEscaped(input, &bytes)) return Corrupt("bad escaped bytes");
      return tag == kKeyTagString ? Value::String(std::move(bytes))
                                  : Value::Binary(std::move(bytes));
    }
    default:
      return Corrupt(absl::StrCat("bad type tag ", tag));
  }
}

absl::StatusOr<uint32_t> StripeOfPartition(const Value& partition) {
  absl::StatusOr<std::string> enc = EncodePartition(partition);
  if (!enc.ok()) return enc.status();
  return StripeOfEncoded(*enc);
}

absl::StatusOr<std::string> EncodeEngineKey(const Key& key, uint8_t ns) {
  absl::Status s = ValidateKeyValue(key.partition(), "partition key", true);
  if (!s.ok()) return s;
  if (key.has_sort()) {
    s = ValidateKeyValue(key.sort(), "sort key", false);
    if (!s.ok()) return s;
  }
  std::string out;
  out.reserve(2 + KeyValueSize(key.partition()) + 8 +
              (key.has_sort() ? KeyValueSize(key.sort()) + 4 : 0));
  out.push_back('\0');  // stripe, filled in below
  out.push_back(static_cast<char>(ns));
  s = AppendEncodedKeyValue(key.partition(), &out);
  if (!s.ok()) return s;
  out[0] = static_cast<char>(StripeOfEncoded(std::string_view(out).substr(2)));
  if (key.has_sort()) {
    s = AppendEncodedKeyValue(key.sort(), &out);
    if (!s.ok()) return s;
  }
  return out;
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

absl::StatusOr<Key> DecodeEngineKey(std::string_view engine_key, uint8_t* ns) {
  if (engine_key.size() < 3) return Corrupt("too short");
  const uint8_t stripe = static_cast<uint8_t>(engine_key[0]);
  if (ns != nullptr) *ns = static_cast<uint8_t>(engine_key[1]);
  std::string_view rest = engine_key.substr(2);
  const std::string_view pk_start = rest;
  absl::StatusOr<Value> pk = DecodeKeyValue(&rest);
  if (!pk.ok()) return pk.status();
  const std::string_view encoded_pk =
      pk_start.substr(0, pk_start.size() - rest.size());
  if (StripeOfEncoded(encoded_pk) != stripe) {
    return Corrupt("stripe byte does not match the partition key");
  }
  if (rest.empty()) return Key(*std::move(pk));
  absl::StatusOr<Value> sk = DecodeKeyValue(&rest);
  if (!sk.ok()) return sk.status();
  if (!rest.empty()) return Corrupt("trailing bytes");
  return Key(*std::move(pk), *std::move(sk));
}

}  // namespace kstone::core
