#ifndef KSTONE_API_ITEM_DECODER_H_
#define KSTONE_API_ITEM_DECODER_H_

// Decoding stored items straight into public Items, for every read (Get,
// BatchGet, TransactGet, Query, Scan).
//
// A stored record is (engine key, encoded item without its key attributes);
// see api/database_impl.h. The decoders here read the item's bytes with
// core's ItemParser (core/types/item_parser.h: the one reader of the format,
// with its checks and DataLoss messages) into public Values directly: no
// core::Item, no conversion. The attributes are built in name order with one
// reservation, the key attributes merged in at their place by name, and
// DynamoDB's item size (core::Item::DynamoSize of the same item) is counted
// on the way. Numbers become their canonical decimal text.
//
// Thread-safety: RecordDecoder is used by one thread at a time (it keeps
// the last key it read); DecodeStoredItem is safe for concurrent use.
//
// Example (a page of a Scan):
//   RecordDecoder decoder(schema);
//   KS_RETURN_IF_ERROR(decoder.SetKey(it->key()));
//   Item item;
//   size_t size = 0;
//   KS_RETURN_IF_ERROR(decoder.Decode(it->value(), &item, &size));

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/types/key_codec.h"
#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/schema.h"

namespace kstone {

// Reads records one at a time: SetKey(engine key), then Decode or Measure of
// that record's value.
class RecordDecoder {
 public:
  // `schema` must outlive the decoder.
  explicit RecordDecoder(const TableSchema& schema);
  // Not copyable or movable: partition_ points into pk_.
  RecordDecoder(const RecordDecoder&) = delete;
  RecordDecoder& operator=(const RecordDecoder&) = delete;

  // Reads the key of the next record, an engine key that an iterator of
  // its stripe returned (its stripe byte is trusted: core::StripeByte).
  // DataLoss (from the key codec) if the bytes are not a well-formed engine
  // key. A key of the same partition as the last one costs only the decoding
  // of its sort value. The decoder may keep views of engine_key's bytes:
  // they must stay as they are until the record's key(), Decode or Measure.
  absl::Status SetKey(std::string_view engine_key);
  // The key read by the last SetKey, as a public Key.
  Key key() const;

  // Decodes `value`, the encoded item of the record whose key was read last,
  // into *item, with the key attributes merged in (a stored attribute of the
  // same name as a key attribute gives way to it). *size: the item's
  // DynamoDB size, key attributes included. DataLoss on malformed bytes.
  absl::Status Decode(std::string_view value, Item* item, size_t* size);
  // The size Decode would report, building nothing (Select COUNT).
  absl::Status Measure(std::string_view value, size_t* size) const;

  // A key attribute to merge into decoded items (item_decoder.cc).
  struct KeyAttribute {
    std::string_view name;
    const Value* value = nullptr;  // a Value to copy, or else:
    ValueType type = ValueType::kNull;
    std::string_view bytes;  // of an S or B value, or an N value's text
    size_t size = 0;         // DynamoDB size of the value
  };

 private:
  const TableSchema& schema_;
  // The partition of the last key: the head of its engine key (stripe,
  // namespace and encoded partition value; empty if there is no last key)
  // and its attribute, which points into pk_ (or partition_text_ for a
  // number). A Query's records, and a Scan's of a partition with many sort
  // keys, come a partition at a time, so the partition value is decoded once
  // for all of them. Decoded bytes go straight into each item's attribute:
  // no Value is built per record.
  std::string partition_head_;
  KeyAttribute partition_;
  std::string partition_text_;
  std::string sort_text_;   // an N sort value's text
  core::KeyValueParts pk_;  // the last partition value
  core::KeyValueParts sk_;  // type kNull: the key has no sort value
};

// The item stored as `value` under `key` in the database at `path` (Get,
// BatchGet, TransactGet): the attributes decoded from value and the key's
// attributes. DataLoss "item <key> in <path>: <the item codec's message>" on
// malformed bytes.
absl::StatusOr<Item> DecodeStoredItem(std::string_view value, const Key& key,
                                      const TableSchema& schema,
                                      std::string_view path);

}  // namespace kstone

#endif  // KSTONE_API_ITEM_DECODER_H_
