#ifndef KSTONE_CORE_UTIL_CODING_H_
#define KSTONE_CORE_UTIL_CODING_H_

// Byte encodings used by every kstone format: fixed-width little-endian
// integers, LEB128-style varints and length-prefixed byte strings. All
// encoding and decoding of integers goes through here (never a memcpy of a
// struct; the fixed-width decoders memcpy one integer and fix its byte
// order).
//
// The Get* functions read from the front of *input and advance it; they return
// false, leaving *input unspecified, when the bytes are truncated or malformed.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace kstone::core {

void PutFixed32(std::string* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);
void PutVarint32(std::string* dst, uint32_t value);
void PutVarint64(std::string* dst, uint64_t value);
// A varint length followed by the bytes.
void PutLengthPrefixed(std::string* dst, std::string_view value);

void EncodeFixed32(char* dst, uint32_t value);
void EncodeFixed64(char* dst, uint64_t value);
// Writes the varint PutVarint64 would append at dst, which must have room for
// VarintLength(value) bytes; returns the end. Inline: the WAL encodes a batch
// in place with it.
inline char* EncodeVarint64(char* dst, uint64_t value) {
  while (value >= 0x80) {
    *dst++ = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  *dst++ = static_cast<char>(value);
  return dst;
}
// Inline: block seeks read a fixed32 restart offset at every probe. (The
// byte loop compiles to one load on little-endian machines.)
// One load each: the formats are little-endian, as this machine is (a
// byte loop compiled to four or eight loads and shifts where the index
// varies).
inline uint32_t DecodeFixed32(const char* src) {
  uint32_t value;
  std::memcpy(&value, src, sizeof(value));
  if constexpr (std::endian::native == std::endian::big) {
    value = __builtin_bswap32(value);
  }
  return value;
}
inline uint64_t DecodeFixed64(const char* src) {
  uint64_t value;
  std::memcpy(&value, src, sizeof(value));
  if constexpr (std::endian::native == std::endian::big) {
    value = __builtin_bswap64(value);
  }
  return value;
}

bool GetFixed32(std::string_view* input, uint32_t* value);
bool GetFixed64(std::string_view* input, uint64_t* value);
bool GetVarint32(std::string_view* input, uint32_t* value);
bool GetVarint64(std::string_view* input, uint64_t* value);
bool GetLengthPrefixed(std::string_view* input, std::string_view* value);
// The same readers for decoders that allow one encoding per value (items):
// they also reject a varint longer than its value needs (padded with 0x80
// bytes and ending in 0x00), which GetVarint64 accepts and no kstone
// encoder writes.
bool GetShortestVarint64(std::string_view* input, uint64_t* value);
bool GetShortestLengthPrefixed(std::string_view* input,
                               std::string_view* value);

namespace coding_internal {

// A varint reader with its one-byte case inline and the rest (kSlow) out
// of line. A one-byte varint is always the shortest encoding too.
template <typename T, bool (*kSlow)(std::string_view*, T*)>
inline bool VarintFast(std::string_view* input, T* value) {
  if (!input->empty() && static_cast<unsigned char>(input->front()) < 0x80) {
    *value = static_cast<unsigned char>(input->front());
    input->remove_prefix(1);
    return true;
  }
  return kSlow(input, value);
}

// A length-prefixed reader with a one-byte length inline.
template <bool (*kSlow)(std::string_view*, std::string_view*)>
inline bool LengthPrefixedFast(std::string_view* input,
                               std::string_view* value) {
  if (!input->empty() && static_cast<unsigned char>(input->front()) < 0x80) {
    const size_t length = static_cast<unsigned char>(input->front());
    if (length >= input->size()) return false;
    // In bounds (checked above): no substr, whose check may throw.
    *value = std::string_view(input->data() + 1, length);
    input->remove_prefix(1 + length);
    return true;
  }
  return kSlow(input, value);
}

}  // namespace coding_internal

// The readers above with the one-byte case inline: most lengths and
// shared-prefix counts in blocks and records, attribute names and most
// values in items (block seeks and item reads decode several per entry).
inline bool GetVarint32Fast(std::string_view* input, uint32_t* value) {
  return coding_internal::VarintFast<uint32_t, GetVarint32>(input, value);
}
inline bool GetVarint64Fast(std::string_view* input, uint64_t* value) {
  return coding_internal::VarintFast<uint64_t, GetVarint64>(input, value);
}
inline bool GetLengthPrefixedFast(std::string_view* input,
                                  std::string_view* value) {
  return coding_internal::LengthPrefixedFast<GetLengthPrefixed>(input, value);
}
inline bool GetShortestVarint64Fast(std::string_view* input, uint64_t* value) {
  return coding_internal::VarintFast<uint64_t, GetShortestVarint64>(input,
                                                                    value);
}
inline bool GetShortestLengthPrefixedFast(std::string_view* input,
                                          std::string_view* value) {
  return coding_internal::LengthPrefixedFast<GetShortestLengthPrefixed>(input,
                                                                        value);
}

// Decode a varint at p that this process wrote itself (an in-memory
// table's arena): no bounds or length checks. Return the end.
inline const char* DecodeTrustedVarint32(const char* p, uint32_t* value) {
  uint32_t byte = static_cast<unsigned char>(*p);
  if (byte < 0x80) {
    *value = byte;
    return p + 1;
  }
  uint32_t result = byte & 0x7f;
  for (int shift = 7;; shift += 7) {
    byte = static_cast<unsigned char>(*++p);
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  *value = result;
  return p + 1;
}
inline const char* DecodeTrustedVarint64(const char* p, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0;; shift += 7) {
    const uint64_t byte = static_cast<unsigned char>(*p++);
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  *value = result;
  return p;
}

// Number of bytes PutVarint64 writes for value.
int VarintLength(uint64_t value);

}  // namespace kstone::core

#endif  // KSTONE_CORE_UTIL_CODING_H_
