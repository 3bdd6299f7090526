// The new values of a flat update's SETs (flat_update_internal.h).

#include <cstring>

#include "absl/status/statusor.h"
#include "core/expr/flat_update_internal.h"
#include "core/types/item_codec.h"
#include "core/types/item_parser.h"
#include "core/types/small_decimal.h"
#include "core/types/utf8.h"

namespace kstone::core::expr::flat_update_internal {
namespace {

// The number `operand` stands for (`stored`: the attribute a path names);
// null if it is not one (a missing attribute or another type: the general
// path reports those).
const Number* OperandNumber(const Operand& operand,
                            const AttributeView* stored) {
  if (operand.is_value()) {
    return operand.value != nullptr && operand.value->is_number()
               ? &operand.value->AsNumber()
               : nullptr;
  }
  return stored != nullptr && stored->is_number ? &stored->number : nullptr;
}

// a + b or a - b, tagged. In 64 bits when both have at most 18 digits and
// the result is in range (SmallDecimal gives Number's bytes); otherwise
// Number computes, or reports the error (false).
bool ComputeSum(const Number& a, const Number& b, bool subtract,
                NewValueBuffer* buffer, NewValue* out) {
  SmallDecimal x;
  SmallDecimal y;
  SmallDecimal sum;
  if (ToSmallDecimal(a, &x) && ToSmallDecimal(b, &y) &&
      AddSmallDecimals(x, y, subtract, &sum)) {
    int digits = 0;
    const size_t n =
        EncodeSmallDecimalOrdered(sum, buffer->number + 1, &digits);
    if (n != 0) {
      buffer->number[0] = static_cast<char>(ItemTag::kNumber);
      out->bytes = std::string_view(buffer->number, n + 1);
      out->size = static_cast<size_t>(digits + 1) / 2 + 1;  // NumberDynamoSize
      return true;
    }
  }
  const absl::StatusOr<Number> result =
      subtract ? Number::Subtract(a, b) : Number::Add(a, b);
  if (!result.ok()) return false;
  buffer->encoded.clear();
  buffer->encoded.push_back(static_cast<char>(ItemTag::kNumber));
  result->EncodeOrdered(&buffer->encoded);
  out->bytes = buffer->encoded;
  out->size = NumberDynamoSize(*result);
  return true;
}

}  // namespace

bool ComputeValue(const SetValue& set, const AttributeView* left,
                  const AttributeView* right, NewValueBuffer* buffer,
                  NewValue* out) {
  if (set.arithmetic != 0) {
    const Number* a = OperandNumber(set.left, left);
    const Number* b = OperandNumber(set.right, right);
    if (a == nullptr || b == nullptr) return false;
    return ComputeSum(*a, *b, set.arithmetic == '-', buffer, out);
  }
  if (set.left.is_value()) {
    if (set.left.value == nullptr) return false;
    buffer->encoded.clear();
    AppendEncodedValue(*set.left.value, &buffer->encoded);
    out->bytes = buffer->encoded;
    out->size = set.left.value->DynamoSize();
    return true;
  }
  if (left == nullptr) return false;  // a copy of a missing attribute
  out->bytes = left->value;
  out->size = left->value_size;
  return true;
}

bool IsValidNewName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxAttributeNameBytes &&
         IsValidUtf8(name);
}

void Concatenate(std::initializer_list<std::string_view> parts,
                 std::string* out) {
  size_t total = 0;
  for (std::string_view p : parts) total += p.size();
  out->resize(total);
  char* dst = out->data();
  for (std::string_view p : parts) {
    std::memcpy(dst, p.data(), p.size());
    dst += p.size();
  }
}

void Splice(std::string_view stored, size_t begin, size_t end,
            std::string_view value, std::string* out) {
  const size_t tail = stored.size() - end;
  out->resize(begin + value.size() + tail);
  char* dst = out->data();
  std::memcpy(dst, stored.data(), begin);
  dst += begin;
  // A value is short (a number: a few bytes): no call for it.
  for (char c : value) *dst++ = c;
  std::memcpy(dst, stored.data() + end, tail);
}

}  // namespace kstone::core::expr::flat_update_internal
