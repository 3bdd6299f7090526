#include "api/flat_item_encoder.h"

#include <cstddef>

#include "absl/status/statusor.h"
#include "core/types/decimal_text.h"
#include "core/types/item_codec.h"
#include "core/types/item_parser.h"  // NumberDynamoSize
#include "core/types/number.h"
#include "core/types/utf8.h"
#include "core/types/validation.h"
#include "core/util/coding.h"
#include "kstone/value.h"

namespace kstone {
namespace {

void PutTag(std::string* out, core::ItemTag tag) {
  out->push_back(static_cast<char>(tag));
}

// Appends the encoding of a scalar `value` to *out (unless out is null:
// then it is only checked) and adds its DynamoDB size to *size (as
// core::Value::DynamoSize). False if the value is not a scalar or is
// invalid (the general path reports it).
bool AppendScalar(const Value& value, std::string* out, size_t* size) {
  switch (value.type()) {
    case ValueType::kString: {
      const std::string_view s = value.AsString();
      if (!core::IsValidUtf8(s)) return false;
      if (out != nullptr) {
        PutTag(out, core::ItemTag::kString);
        core::PutLengthPrefixed(out, s);
      }
      *size += s.size();
      return true;
    }
    case ValueType::kNumber: {
      // A plain decimal (most numbers) is encoded straight from its text;
      // the bytes are Number's.
      char bytes[core::Number::kMaxOrderedLength];
      int digits = 0;
      if (const size_t n =
              core::EncodeDecimalTextOrdered(value.AsNumber(), bytes, &digits);
          n != 0) {
        if (out != nullptr) {
          PutTag(out, core::ItemTag::kNumber);
          out->append(bytes, n);
        }
        *size += core::NumberDynamoSize(digits);
        return true;
      }
      absl::StatusOr<core::Number> n = core::Number::Parse(value.AsNumber());
      if (!n.ok()) return false;
      if (out != nullptr) {
        PutTag(out, core::ItemTag::kNumber);
        n->EncodeOrdered(out);
      }
      *size += core::NumberDynamoSize(*n);
      return true;
    }
    case ValueType::kBinary: {
      const std::string_view b = value.AsBinary();
      if (out != nullptr) {
        PutTag(out, core::ItemTag::kBinary);
        core::PutLengthPrefixed(out, b);
      }
      *size += b.size();
      return true;
    }
    case ValueType::kBool:
      if (out != nullptr) {
        PutTag(out,
               value.AsBool() ? core::ItemTag::kTrue : core::ItemTag::kFalse);
      }
      *size += 1;
      return true;
    case ValueType::kNull:
      if (out != nullptr) PutTag(out, core::ItemTag::kNull);
      *size += 1;
      return true;
    default:
      return false;  // lists, maps and sets take the general path
  }
}

}  // namespace

bool EncodeFlatItem(const Item& item, std::string_view pk_name,
                    std::string_view sk_name, bool sk_required,
                    std::string* out) {
  // The key attributes present (they are skipped in the value), and room
  // for the whole value in one allocation: names, strings and a margin for
  // lengths, tags and numbers.
  bool has_pk = false;
  bool has_sk = false;
  size_t estimate = 8;
  for (const auto& [name, value] : item) {
    if (name == pk_name) has_pk = true;
    if (!sk_name.empty() && name == sk_name) has_sk = true;
    estimate += name.size() + 24;
    if (value.type() == ValueType::kString) estimate += value.AsString().size();
    if (value.type() == ValueType::kBinary) estimate += value.AsBinary().size();
  }
  // A missing key attribute is added from the key by the general path.
  if (!has_pk || (sk_required && !has_sk)) return false;
  out->clear();
  out->reserve(estimate);
  out->push_back(static_cast<char>(core::kItemFormatVersion));
  core::PutVarint64(out, item.size() - 1 - (has_sk ? 1 : 0));
  size_t size = 0;  // DynamoDB's item size, key attributes included
  const std::string* previous = nullptr;
  for (const auto& [name, value] : item) {
    // Names valid and strictly increasing (as core::Item orders them).
    if (name.empty() || name.size() > core::kMaxAttributeNameBytes ||
        (previous != nullptr && !(*previous < name)) ||
        !core::IsValidUtf8(name)) {
      return false;
    }
    previous = &name;
    size += name.size();
    if (name == pk_name || (!sk_name.empty() && name == sk_name)) {
      // Stored in the engine key, not the value; validated all the same.
      if (!AppendScalar(value, nullptr, &size)) return false;
      continue;
    }
    core::PutLengthPrefixed(out, name);
    if (!AppendScalar(value, out, &size)) return false;
  }
  return size <= core::kMaxItemBytes;
}

}  // namespace kstone
