#ifndef KSTONE_API_VALUE_INTERNAL_H_
#define KSTONE_API_VALUE_INTERNAL_H_

// Conversions between the public value types (kstone/value.h, item.h,
// key.h) and core's (core/types/). Every Put and Get goes through them, so
// they move what they can and allocate once per container.
//
// Thread-safety: stateless functions, safe for concurrent use.

#include <string_view>

#include "absl/status/statusor.h"
#include "core/types/item.h"
#include "core/types/key.h"
#include "core/types/value.h"
#include "kstone/item.h"
#include "kstone/key.h"
#include "kstone/value.h"

namespace kstone {

class ValueInternal {
 public:
  // Public -> core. InvalidArgument naming `attribute` for a number that
  // DynamoDB cannot hold (the only check a conversion can fail; the rest of
  // validation is core's ValidateItem).
  static absl::StatusOr<core::Value> ToCore(const Value& value,
                                            std::string_view attribute);
  // Core -> public, moving strings and containers.
  static Value FromCore(core::Value value);
  // Public -> core for printing (ToJson, ToDynamoJson), which cannot fail:
  // a number DynamoDB cannot hold (text no write accepts, e.g. "NaN")
  // becomes a core string, and a number set holding one a string set, so the
  // text is shown as given.
  static core::Value ToCoreForPrinting(const Value& value);

  // The bytes an S, N or B value holds (an N's decimal text), without the
  // accessors' out-of-line calls; null for values of other types.
  static const std::string* BytesOf(const Value& value) {
    return std::get_if<std::string>(&value.rep_);
  }

  // No-check construction in place, for decoders (api/item_decoder.h): makes
  // *value a `type` holding a default T (bool for BOOL, std::string for S, N
  // and B, std::vector<Value> for L, ValueMap for M, std::vector<std::string>
  // for sets; std::monostate for NULL) and returns it to fill in.
  template <typename T>
  static T& Emplace(Value* value, ValueType type) {
    value->type_ = type;
    return value->rep_.template emplace<T>();
  }
  // Emplace<std::string>, but keeps the string (and its buffer, emptied) if
  // *value holds one already: decoding into a reused Item allocates nothing
  // for values that fit the old ones.
  static std::string& ReuseString(Value* value, ValueType type) {
    value->type_ = type;
    if (auto* s = std::get_if<std::string>(&value->rep_)) {
      s->clear();
      return *s;
    }
    return value->rep_.template emplace<std::string>();
  }
};

// The core item of `item` (InvalidArgument naming the attribute for an
// invalid number).
absl::StatusOr<core::Item> ItemToCore(const Item& item);
Item ItemFromCore(core::Item item);
// ToCoreForPrinting for each attribute.
core::Item ItemToCoreForPrinting(const Item& item);

absl::StatusOr<core::Key> KeyToCore(const Key& key);

// A public key value as a core::KeyValueRef, without copying its bytes (to
// check and encode a key without converting it): an N value is parsed into
// *number, which must outlive the reference. InvalidArgument naming
// `attribute` for a number that DynamoDB cannot hold.
absl::StatusOr<core::KeyValueRef> KeyValueRefOf(const Value& value,
                                                std::string_view attribute,
                                                core::Number* number);

}  // namespace kstone

#endif  // KSTONE_API_VALUE_INTERNAL_H_
