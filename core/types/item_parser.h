#ifndef KSTONE_CORE_TYPES_ITEM_PARSER_H_
#define KSTONE_CORE_TYPES_ITEM_PARSER_H_

// ItemParser: the one reader of the item codec's format (docs/formats/item.md,
// item_codec.h). It walks the encoded bytes once, checks everything the
// format promises (version, lengths and counts within the input and in
// their shortest varint encoding, tags, numbers, names strictly increasing,
// set elements strictly increasing, nesting depth, no trailing bytes: so an
// item has one encoding) and hands what it reads to a Builder, which decides
// what to build: core::DecodeItem builds a core::Item, the api builds public
// kstone::Items straight from the bytes (api/item_decoder.h), and a builder
// that builds nothing just validates and measures. Along the way it
// computes DynamoDB's item size (core::Item::DynamoSize) of what it reads.
// ScanItem (at the end) walks an item's top level with the same checks for a
// reader that wants a few attributes as bytes rather than a builder's calls.
//
// A Builder B provides (all calls in the order of the bytes):
//
//   types B::Value, B::List, B::Map, B::Strings (SS, BS), B::Numbers (NS),
//         each default-constructible
//   void   BeginItem(size_t reserve_hint);          before the first attribute
//   Value* BeginAttribute(std::string_view name);   slot for its value
//   void   EndAttribute(size_t dynamo_size);        name bytes + value size
//   void   Null(Value*);
//   void   Bool(Value*, bool);
//   void   String(Value*, std::string_view);
//   void   Binary(Value*, std::string_view);
//   void   Num(Value*, const Number&);
//   void   ReserveList(List*, size_t);
//   Value* AppendListElement(List*);
//   void   FinishList(Value*, List&&);
//   void   ReserveMap(Map*, size_t);
//   Value* AppendMapEntry(Map*, std::string_view name);
//   void   FinishMap(Value*, Map&&);
//   void   ReserveStrings(Strings*, size_t);
//   void   AppendString(Strings*, std::string_view);
//   void   FinishStringSet(Value*, Strings&&);
//   void   FinishBinarySet(Value*, Strings&&);
//   void   ReserveNumbers(Numbers*, size_t);
//   void   AppendNumber(Numbers*, const Number&);
//   void   FinishNumberSet(Value*, Numbers&&);
// and optionally
//   std::string* NumberText(Value*);  makes the value a number and returns
//                                     its text buffer: an N attribute is then
//                                     decoded straight to text (Num unused)
//
// Reserve hints are capped (kMaxReserveHint), so the memory a builder
// reserves stays proportional to the bytes actually decoded even for forged
// counts and nesting. On an error the builder's state is unspecified.
//
// Errors: DataLoss "item codec: <what> at offset N".
//
// Thread-safety: a parser is used by one thread; distinct parsers are
// independent.
//
// Example:
//   MyBuilder b;
//   size_t size = 0;
//   absl::Status s = ParseItem(bytes, &b, &size);

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/types/item_codec.h"
#include "core/types/number.h"
#include "core/types/value.h"
#include "core/util/coding.h"

namespace kstone::core {

// The most elements a parser asks a builder to reserve for one container.
inline constexpr size_t kMaxReserveHint = 64;

// DynamoDB's size of a number (Value::DynamoSize): one byte per two
// significant digits, plus one.
inline size_t NumberDynamoSize(int num_digits) {
  return static_cast<size_t>(num_digits + 1) / 2 + 1;
}
inline size_t NumberDynamoSize(const Number& n) {
  return NumberDynamoSize(n.num_digits());
}

// Bytewise comparison of attribute names, like string_view::compare. Names
// are short, and a loop here is cheaper than a call to memcmp per attribute
// (two per attribute on every item read).
inline int CompareNames(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) {
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i])
                 ? -1
                 : 1;
    }
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

template <typename Builder>
class ItemParser {
 public:
  using Value = typename Builder::Value;

  ItemParser(std::string_view bytes, Builder* builder)
      : in_(bytes), size_(bytes.size()), b_(builder) {}

  // Parses the whole input as one item. *dynamo_size: the item's size.
  absl::Status ParseItem(size_t* dynamo_size) {
    if (in_.empty()) return Error("empty input");
    const uint8_t version = static_cast<uint8_t>(in_[0]);
    if (version != kItemFormatVersion) {
      return Error(absl::StrCat("unknown format version ", version));
    }
    in_.remove_prefix(1);
    size_t total = 0;
    absl::Status s = ParseEntries([&](size_t hint) { b_->BeginItem(hint); },
                                  [&](std::string_view name) {
                                    size_t value_size = 0;
                                    absl::Status v = ParseAttributeValue(
                                        b_->BeginAttribute(name), &value_size);
                                    if (!v.ok()) return v;
                                    b_->EndAttribute(name.size() + value_size);
                                    total += name.size() + value_size;
                                    return v;
                                  });
    if (!s.ok()) return s;
    if (!in_.empty()) return Error("trailing bytes");
    *dynamo_size = total;
    return absl::OkStatus();
  }

  // ScanItem's walk (below): the checks of ParseItem, without a builder or
  // a Status per attribute; the scalars are read here, containers by
  // ParseValue.
  template <typename Visit>
  bool ScanTopLevel(Visit& visit, size_t* dynamo_size) {
    if (in_.empty() || static_cast<uint8_t>(in_[0]) != kItemFormatVersion) {
      return false;
    }
    in_.remove_prefix(1);
    uint64_t count = 0;
    if (!GetShortestVarint64Fast(&in_, &count) || count > in_.size()) {
      return false;
    }
    size_t total = 0;
    std::string_view previous;
    Number n;  // the last number read
    for (uint64_t i = 0; i < count; ++i) {
      const char* const record = in_.data();
      std::string_view name;
      if (!GetShortestLengthPrefixedFast(&in_, &name)) return false;
      if (i > 0 && CompareNames(previous, name) >= 0) return false;
      previous = name;
      if (in_.empty()) return false;
      const char* const value = in_.data();
      size_t size = 1;  // NULL, BOOL
      const Number* number = nullptr;
      switch (static_cast<ItemTag>(in_[0])) {
        case ItemTag::kNull:
        case ItemTag::kFalse:
        case ItemTag::kTrue:
          in_.remove_prefix(1);
          break;
        case ItemTag::kString:
        case ItemTag::kBinary: {
          in_.remove_prefix(1);
          std::string_view bytes;
          if (!GetShortestLengthPrefixedFast(&in_, &bytes)) return false;
          size = bytes.size();
          break;
        }
        case ItemTag::kNumber:
          in_.remove_prefix(1);
          if (!Number::DecodeOrdered(&in_, &n)) return false;
          size = NumberDynamoSize(n);
          number = &n;
          break;
        default: {  // L, M, sets; an unknown tag is ParseValue's error
          Value slot;
          if (!ParseValue(0, &slot, &size).ok()) return false;
        }
      }
      visit(record, name,
            std::string_view(value, static_cast<size_t>(in_.data() - value)),
            size, number);
      total += name.size() + size;
    }
    if (!in_.empty()) return false;
    *dynamo_size = total;
    return true;
  }

 private:
  absl::Status Error(std::string_view what) const {
    return absl::DataLossError(absl::StrCat(
        "item codec: ", absl::string_view(what.data(), what.size()),
        " at offset ", size_ - in_.size()));
  }

  static size_t ReserveHint(size_t count) {
    return std::min(count, kMaxReserveHint);
  }

  // A count of elements; each takes at least one byte, so a count larger
  // than the bytes left is corrupt (and cannot make anyone allocate).
  absl::Status Count(size_t* count) {
    uint64_t n = 0;
    if (!GetShortestVarint64Fast(&in_, &n)) return VarintError("count");
    if (n > in_.size()) return Error("count past the end");
    *count = static_cast<size_t>(n);
    return absl::OkStatus();
  }

  absl::Status Bytes(std::string_view* out) {
    if (!GetShortestLengthPrefixedFast(&in_, out)) return VarintError("length");
    return absl::OkStatus();
  }

  // Why the varint (`what`: a count or a length) at the input could not be
  // read: a padded encoding (one value, one encoding: items are compared
  // and patched as bytes), or a truncated or overlong one. (A length past
  // the end reads as a bad length.)
  absl::Status VarintError(std::string_view what) const {
    const absl::string_view name(what.data(), what.size());
    std::string_view any = in_;
    std::string_view shortest = in_;
    uint64_t ignored = 0;
    if (GetVarint64(&any, &ignored) &&
        !GetShortestVarint64(&shortest, &ignored)) {
      return Error(absl::StrCat(name, " not in its shortest encoding"));
    }
    return Error(absl::StrCat("bad ", name));
  }

  // A count, then that many elements: reserve(hint) once, then
  // element(index) for each, up to the first error.
  template <typename ReserveFn, typename ElementFn>
  absl::Status ParseElements(ReserveFn reserve, ElementFn element) {
    size_t count = 0;
    absl::Status s = Count(&count);
    if (!s.ok()) return s;
    reserve(ReserveHint(count));
    for (size_t i = 0; i < count; ++i) {
      s = element(i);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // The entries of an item or map: names strictly increasing, each followed
  // by the value that entry(name) parses.
  template <typename ReserveFn, typename EntryFn>
  absl::Status ParseEntries(ReserveFn reserve, EntryFn entry) {
    std::string_view previous;
    return ParseElements(reserve, [&](size_t i) {
      std::string_view name;
      absl::Status s = Bytes(&name);
      if (!s.ok()) return s;
      if (i > 0 && CompareNames(previous, name) >= 0) {
        return Error("map names out of order");
      }
      previous = name;
      return entry(name);
    });
  }

  absl::Status ParseNumber(Number* n) {
    if (!Number::DecodeOrdered(&in_, n)) return Error("bad number");
    return absl::OkStatus();
  }

  // A top-level attribute's value: ParseValue(0, ...), with the most common
  // kind, a string, read here without the call (which costs as much as
  // reading the string; a scan reads an attribute or more per item).
  absl::Status ParseAttributeValue(Value* out, size_t* size) {
    if (!in_.empty() && static_cast<ItemTag>(in_[0]) == ItemTag::kString) {
      in_.remove_prefix(1);
      return ParseBytes<ItemTag::kString>(out, size);
    }
    return ParseValue(0, out, size);
  }

  // An S or B value after its tag. *size: its DynamoDB size.
  template <ItemTag kTag>
  absl::Status ParseBytes(Value* out, size_t* size) {
    std::string_view bytes;
    absl::Status s = Bytes(&bytes);
    if (!s.ok()) return s;
    if constexpr (kTag == ItemTag::kString) {
      b_->String(out, bytes);
    } else {
      b_->Binary(out, bytes);
    }
    *size = bytes.size();
    return absl::OkStatus();
  }

  // depth: the number of L/M values enclosing this one. *size: its
  // DynamoDB size.
  absl::Status ParseValue(int depth, Value* out, size_t* size) {
    if (in_.empty()) return Error("truncated value");
    const ItemTag tag = static_cast<ItemTag>(in_[0]);
    in_.remove_prefix(1);
    switch (tag) {
      case ItemTag::kNull:
        b_->Null(out);
        *size = 1;
        return absl::OkStatus();
      case ItemTag::kFalse:
      case ItemTag::kTrue:
        b_->Bool(out, tag == ItemTag::kTrue);
        *size = 1;
        return absl::OkStatus();
      case ItemTag::kString:
        return ParseBytes<ItemTag::kString>(out, size);
      case ItemTag::kBinary:
        return ParseBytes<ItemTag::kBinary>(out, size);
      case ItemTag::kNumber: {
        if constexpr (requires(Builder * b, Value * v) { b->NumberText(v); }) {
          // A builder that keeps numbers as text gets it without a Number.
          int digits = 0;
          if (!Number::DecodeOrderedAsText(&in_, b_->NumberText(out),
                                           &digits)) {
            return Error("bad number");
          }
          *size = NumberDynamoSize(digits);
          return absl::OkStatus();
        }
        Number n;
        absl::Status s = ParseNumber(&n);
        if (!s.ok()) return s;
        b_->Num(out, n);
        *size = NumberDynamoSize(n);
        return absl::OkStatus();
      }
      case ItemTag::kList:
        if (depth + 1 > kMaxNestingDepth) return Error("nesting too deep");
        return ParseList(depth + 1, out, size);
      case ItemTag::kMap:
        if (depth + 1 > kMaxNestingDepth) return Error("nesting too deep");
        return ParseMap(depth + 1, out, size);
      case ItemTag::kStringSet:
      case ItemTag::kBinarySet:
        return ParseStrings(tag == ItemTag::kStringSet, out, size);
      case ItemTag::kNumberSet:
        return ParseNumbers(out, size);
    }
    return Error(absl::StrCat("bad value tag ", static_cast<int>(tag)));
  }

  // L and M: 3 bytes plus 1 per element plus the elements (and the names).
  absl::Status ParseList(int depth, Value* out, size_t* size) {
    typename Builder::List list;
    size_t total = 3;
    absl::Status s =
        ParseElements([&](size_t hint) { b_->ReserveList(&list, hint); },
                      [&](size_t) {
                        size_t element_size = 0;
                        absl::Status e = ParseValue(
                            depth, b_->AppendListElement(&list), &element_size);
                        total += 1 + element_size;
                        return e;
                      });
    if (!s.ok()) return s;
    b_->FinishList(out, std::move(list));
    *size = total;
    return s;
  }

  absl::Status ParseMap(int depth, Value* out, size_t* size) {
    typename Builder::Map map;
    size_t total = 3;
    absl::Status s =
        ParseEntries([&](size_t hint) { b_->ReserveMap(&map, hint); },
                     [&](std::string_view name) {
                       size_t value_size = 0;
                       absl::Status v = ParseValue(
                           depth, b_->AppendMapEntry(&map, name), &value_size);
                       total += 1 + name.size() + value_size;
                       return v;
                     });
    if (!s.ok()) return s;
    b_->FinishMap(out, std::move(map));
    *size = total;
    return s;
  }

  // The elements of a set, each of type E read by read(E*), strictly
  // increasing (sorted, no duplicates: what ValidateItem lets a write
  // store); append(e) takes each.
  template <typename E, typename ReserveFn, typename ReadFn, typename AppendFn>
  absl::Status ParseSetElements(ReserveFn reserve, ReadFn read,
                                AppendFn append) {
    E previous{};
    return ParseElements(reserve, [&](size_t i) {
      E e{};
      absl::Status s = read(&e);
      if (!s.ok()) return s;
      if (i > 0 && !(previous < e)) {
        return Error(e < previous ? "set elements out of order"
                                  : "duplicate set element");
      }
      append(e);
      previous = e;
      return s;
    });
  }

  // SS and BS: the sum of their elements' bytes.
  absl::Status ParseStrings(bool string_set, Value* out, size_t* size) {
    typename Builder::Strings elements;
    size_t total = 0;
    absl::Status s = ParseSetElements<std::string_view>(
        [&](size_t hint) { b_->ReserveStrings(&elements, hint); },
        [&](std::string_view* e) { return Bytes(e); },
        [&](std::string_view e) {
          b_->AppendString(&elements, e);
          total += e.size();
        });
    if (!s.ok()) return s;
    if (string_set) {
      b_->FinishStringSet(out, std::move(elements));
    } else {
      b_->FinishBinarySet(out, std::move(elements));
    }
    *size = total;
    return s;
  }

  // NS: the sum of its elements' sizes.
  absl::Status ParseNumbers(Value* out, size_t* size) {
    typename Builder::Numbers elements;
    size_t total = 0;
    absl::Status s = ParseSetElements<Number>(
        [&](size_t hint) { b_->ReserveNumbers(&elements, hint); },
        [&](Number* n) { return ParseNumber(n); },
        [&](const Number& n) {
          b_->AppendNumber(&elements, n);
          total += NumberDynamoSize(n);
        });
    if (!s.ok()) return s;
    b_->FinishNumberSet(out, std::move(elements));
    *size = total;
    return s;
  }

  std::string_view in_;
  const size_t size_;
  Builder* const b_;
};

// Parses `bytes` (an encoded item) into *builder. *dynamo_size: DynamoDB's
// size of the item read (the sum of its names' bytes and values' sizes).
template <typename Builder>
absl::Status ParseItem(std::string_view bytes, Builder* builder,
                       size_t* dynamo_size) {
  return ItemParser<Builder>(bytes, builder).ParseItem(dynamo_size);
}

// A Builder that builds nothing: ParseItem with it validates the bytes and
// measures the item without allocating.
class NullItemBuilder {
 public:
  struct Value {};
  struct List {};
  struct Map {};
  struct Strings {};
  struct Numbers {};

  void BeginItem(size_t) {}
  Value* BeginAttribute(std::string_view) { return &slot_; }
  void EndAttribute(size_t) {}
  void Null(Value*) {}
  void Bool(Value*, bool) {}
  void String(Value*, std::string_view) {}
  void Binary(Value*, std::string_view) {}
  void Num(Value*, const Number&) {}
  void ReserveList(List*, size_t) {}
  Value* AppendListElement(List*) { return &slot_; }
  void FinishList(Value*, List&&) {}
  void ReserveMap(Map*, size_t) {}
  Value* AppendMapEntry(Map*, std::string_view) { return &slot_; }
  void FinishMap(Value*, Map&&) {}
  void ReserveStrings(Strings*, size_t) {}
  void AppendString(Strings*, std::string_view) {}
  void FinishStringSet(Value*, Strings&&) {}
  void FinishBinarySet(Value*, Strings&&) {}
  void ReserveNumbers(Numbers*, size_t) {}
  void AppendNumber(Numbers*, const Number&) {}
  void FinishNumberSet(Value*, Numbers&&) {}

 private:
  Value slot_;
};

// Walks the top level of the encoded item `bytes`, checking all that
// ParseItem checks (false where ParseItem returns an error), and calls
//   visit(const char* record, std::string_view name, std::string_view value,
//         size_t value_size, const Number* number)
// for each attribute in order: `record` where its bytes begin (the name's
// length), `value` its tag and payload, `value_size` the value's DynamoDB
// size, `number` the value if it is a number (else null; valid during the
// call). *dynamo_size: the item's size. For a reader that wants a few
// top-level attributes as bytes (core/expr/flat_update.cc): cheaper than
// ParseItem with a builder (no call or Status per scalar attribute).
template <typename Visit>
bool ScanItem(std::string_view bytes, Visit&& visit, size_t* dynamo_size) {
  NullItemBuilder builder;
  return ItemParser<NullItemBuilder>(bytes, &builder)
      .ScanTopLevel(visit, dynamo_size);
}

}  // namespace kstone::core

#endif  // KSTONE_CORE_TYPES_ITEM_PARSER_H_
