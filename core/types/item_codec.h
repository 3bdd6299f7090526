#ifndef KSTONE_CORE_TYPES_ITEM_CODEC_H_
#define KSTONE_CORE_TYPES_ITEM_CODEC_H_

// Item codec: the compact, versioned, self-describing binary form of an Item,
// stored as the value of an engine record. Specification:
// docs/formats/item.md (keep the two in step).
//
//   item  := version(0x01) varint(count) attr*        attributes in name order
//   attr  := varint(len) name value
//   value := tag payload     (tags below; nesting at most kMaxNestingDepth)
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/types/item.h"

namespace kstone::core {

inline constexpr uint8_t kItemFormatVersion = 0x01;

// Value tags of the item codec.
enum class ItemTag : uint8_t {
  kNull = 0x00,
  kFalse = 0x01,
  kTrue = 0x02,
  kString = 0x03,     // varint len, bytes
  kNumber = 0x04,     // Number::EncodeOrdered()
  kBinary = 0x05,     // varint len, bytes
  kList = 0x06,       // varint count, values
  kMap = 0x07,        // varint count, (varint len, name, value)* by name
  kStringSet = 0x08,  // varint count, (varint len, bytes)* sorted
  kNumberSet = 0x09,  // varint count, numbers sorted
  kBinarySet = 0x0A,  // varint count, (varint len, bytes)* sorted
};

// Encodes item, leaving out the attributes named in skip_names (the api omits
// the key attributes, which the engine key already holds).
std::string EncodeItem(const Item& item,
                       absl::Span<const std::string_view> skip_names = {});
void AppendEncodedItem(const Item& item,
                       absl::Span<const std::string_view> skip_names,
                       std::string* dst);
// Appends the encoding of one value (tag and payload), as it appears after
// an attribute's name in an encoded item.
void AppendEncodedValue(const Value& value, std::string* dst);

// Decodes bytes produced by EncodeItem(). DataLoss on any malformed input
// (bad version, truncation, bad tag, lengths past the end, names out of
// order, nesting deeper than kMaxNestingDepth, trailing bytes); never crashes
// and never allocates more than a small multiple of the input size.
// The decoding itself is ItemParser's (item_parser.h).
absl::StatusOr<Item> DecodeItem(std::string_view bytes);
// The same into *item; *dynamo_size (if not null) receives the item's
// Item::DynamoSize(), computed while decoding.
absl::Status DecodeItem(std::string_view bytes, Item* item,
                        size_t* dynamo_size);
// Checks bytes as DecodeItem does, without building anything; *dynamo_size
// (if not null) receives the size the decoded item would have.
absl::Status ValidateEncodedItem(std::string_view bytes, size_t* dynamo_size);

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_ITEM_CODEC_H_
