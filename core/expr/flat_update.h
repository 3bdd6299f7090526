#ifndef KSTONE_CORE_EXPR_FLAT_UPDATE_H_
#define KSTONE_CORE_EXPR_FLAT_UPDATE_H_

// ApplyFlatUpdate: an update expression applied straight to the stored bytes of
// an item, for the common shape `SET a = a + :one, b = :v, c = d`.
//
// The general path of an Update (the api's write actions) decodes the whole
// stored item into a core::Item, adds its key attributes, applies the
// expression, validates every attribute again and encodes the whole item. When
// every action SETs a top-level attribute from value placeholders and top-level
// attributes (with at most one + or -), none of that is needed: the attributes
// the update reads are found in the bytes, the new values encoded, and the
// stored records of the untouched attributes copied verbatim around them (they
// were valid when written). It takes only what it can prove gives the general
// path's bytes: a missing item, a missing or non-number operand, a number
// overflow, a name that is not valid UTF-8, an item that could reach the
// size limit, anything else unusual is declined, and the caller takes the
// general path, which produces the result or the error (with its message).
//
// Thread-safety: stateless functions, safe for concurrent use on distinct
// outputs (the expression is only read).

#include <cstddef>
#include <string>
#include <string_view>

#include "core/expr/update_expression.h"

namespace kstone::core::expr {

// True if every action of the resolved `update` is a SET of a top-level
// attribute (one name, no index) whose right-hand side is a value
// placeholder or a top-level attribute, or two of them joined by + or -.
bool IsFlatUpdate(const UpdateExpression& update);

// If IsFlatUpdate(update) and ApplyInPlace would succeed on the item stored
// as `stored` (its stored form, without the key attributes), sets *out to
// the stored form of the updated item (what core::EncodeItem of the general
// path's result, without the key attributes, gives) and returns true.
// `key_size_bound`: at most the DynamoDB size the key attributes add to the
// item; the update is declined if the item could then pass the limit.
// Otherwise returns false (*out unspecified): use the general path.
bool ApplyFlatUpdate(const UpdateExpression& update, std::string_view stored,
                     size_t key_size_bound, std::string* out);

}  // namespace kstone::core::expr

#endif  // KSTONE_CORE_EXPR_FLAT_UPDATE_H_
