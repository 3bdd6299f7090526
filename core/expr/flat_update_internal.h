#ifndef KSTONE_CORE_EXPR_FLAT_UPDATE_INTERNAL_H_
#define KSTONE_CORE_EXPR_FLAT_UPDATE_INTERNAL_H_

// The parts of ApplyFlatUpdate (flat_update.h) that its two paths share:
// one SET (flat_update.cc, which also computes the new values) finds the
// attributes it names and splices one record; several SETs
// (flat_update_sets.cc) split the item into its records and merge the new
// ones in. Not for other callers.

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/expr/ast.h"
#include "core/expr/update_expression.h"
#include "core/types/number.h"
#include "core/types/validation.h"

namespace kstone::core::expr::flat_update_internal {

// What an update reads of one top-level attribute of the stored item.
struct AttributeView {
  std::string_view value;  // tag and payload, in the stored bytes
  size_t value_size = 0;   // DynamoDB size of the value
  bool is_number = false;  // then `number` is the value, as parsed
  Number number;
};

// Where the bytes of a new value are kept, if not in the stored item (a
// copied attribute): a sum's tag and encoding in `number`, a placeholder's
// value (or a sum SmallDecimal declined) in `encoded`.
struct NewValueBuffer {
  char number[1 + Number::kMaxOrderedLength];
  std::string encoded;
};

// A new value: its tag and payload (in a NewValueBuffer or the stored
// bytes) and its DynamoDB size.
struct NewValue {
  std::string_view bytes;
  size_t size = 0;
};

// The new value of `set` into *out (its bytes in *buffer or the stored
// bytes). `left` and `right`: the stored attributes its path operands name
// (null for a missing attribute or an operand that is not a path). False to
// decline: a missing operand, a non-number in arithmetic, a Number error.
bool ComputeValue(const SetValue& set, const AttributeView* left,
                  const AttributeView* right, NewValueBuffer* buffer,
                  NewValue* out);

// ApplyFlatUpdate for several SETs (flat_update.h).
bool ApplySets(const UpdateExpression& update, std::string_view stored,
               size_t key_size_bound, std::string* out);

// Whether an item of DynamoDB size `size` stays within the limit whatever
// its key attributes add (at most `key_size_bound`); if not, the general
// path measures exactly.
inline bool FitsLimit(size_t size, size_t key_size_bound) {
  return size <= kMaxItemBytes && key_size_bound <= kMaxItemBytes - size;
}

// What the general path accepts as the name of a new attribute.
bool IsValidNewName(std::string_view name);

// *out = `stored` with bytes [begin, end) replaced by `value`.
void Splice(std::string_view stored, size_t begin, size_t end,
            std::string_view value, std::string* out);

// *out = the concatenation of `parts`, sized once.
void Concatenate(std::initializer_list<std::string_view> parts,
                 std::string* out);

}  // namespace kstone::core::expr::flat_update_internal

#endif  // KSTONE_CORE_EXPR_FLAT_UPDATE_INTERNAL_H_
