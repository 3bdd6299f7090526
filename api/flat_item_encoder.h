#ifndef KSTONE_API_FLAT_ITEM_ENCODER_H_
#define KSTONE_API_FLAT_ITEM_ENCODER_H_

// EncodeFlatItem: the stored form of a valid item whose attributes are all
// scalars (S, N, B, BOOL, NULL), straight from the public Item.
//
// The general path of a Put converts the item to core values
// (ItemToCore), validates them (core::ValidateItemAttributes) and encodes
// them (core::EncodeItem): three passes and an allocation per attribute.
// Most items written are flat, and for those this one pass produces the
// same bytes without building anything. It takes only items it can prove
// valid; everything else (nested or set values, invalid UTF-8 or numbers,
// bad names, a missing key attribute, an item near the size limit) is
// declined, and the caller takes the general path, which produces the
// error or the encoding.
//
// Thread-safety: a stateless function, safe for concurrent use.

#include <string>
#include <string_view>

#include "kstone/item.h"

namespace kstone {

// If `item` is flat and valid, holds the key attribute `pk_name` (and
// `sk_name` when `sk_required`: the key has a sort key), and its names are
// in strictly increasing order, sets *out to what the general path stores,
// core::EncodeItem(ItemToCore(item)) without the attributes `pk_name` and
// `sk_name` ("": none), and returns true. Otherwise returns false (*out
// unspecified): use the general path.
bool EncodeFlatItem(const Item& item, std::string_view pk_name,
                    std::string_view sk_name, bool sk_required,
                    std::string* out);

}  // namespace kstone

#endif  // KSTONE_API_FLAT_ITEM_ENCODER_H_
