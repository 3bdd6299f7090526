#include "core/util/coding.h"

namespace kstone::core {

void EncodeFixed32(char* dst, uint32_t value) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}

void EncodeFixed64(char* dst, uint64_t value) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}

void PutFixed32(std::string* dst, uint32_t value) {
  char buf[4];
  EncodeFixed32(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutFixed64(std::string* dst, uint64_t value) {
  char buf[8];
  EncodeFixed64(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutVarint64(std::string* dst, uint64_t value) {
  char buf[10];
  dst->append(buf, static_cast<size_t>(EncodeVarint64(buf, value) - buf));
}

void PutVarint32(std::string* dst, uint32_t value) { PutVarint64(dst, value); }

void PutLengthPrefixed(std::string* dst, std::string_view value) {
  PutVarint64(dst, value.size());
  dst->append(value.data(), value.size());
}

bool GetFixed32(std::string_view* input, uint32_t* value) {
  if (input->size() < 4) return false;
  *value = DecodeFixed32(input->data());
  input->remove_prefix(4);
  return true;
}

bool GetFixed64(std::string_view* input, uint64_t* value) {
  if (input->size() < 8) return false;
  *value = DecodeFixed64(input->data());
  input->remove_prefix(8);
  return true;
}

bool GetVarint64(std::string_view* input, uint64_t* value) {
  uint64_t result = 0;
  for (size_t i = 0; i < input->size() && i < 10; ++i) {
    uint64_t byte = static_cast<unsigned char>((*input)[i]);
    // The tenth byte may carry only the top bit of a 64-bit value.
    if (i == 9 && byte > 1) return false;
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *value = result;
      input->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool GetVarint32(std::string_view* input, uint32_t* value) {
  uint64_t wide;
  std::string_view copy = *input;
  if (!GetVarint64(&copy, &wide) || wide > UINT32_MAX) return false;
  *value = static_cast<uint32_t>(wide);
  *input = copy;
  return true;
}

bool GetLengthPrefixed(std::string_view* input, std::string_view* value) {
  uint64_t length;
  if (!GetVarint64(input, &length) || length > input->size()) return false;
  *value = input->substr(0, length);
  input->remove_prefix(length);
  return true;
}

bool GetShortestVarint64(std::string_view* input, uint64_t* value) {
  std::string_view rest = *input;
  if (!GetVarint64(&rest, value)) return false;
  // A longer encoding than the value needs ends in an empty group: its last
  // byte (the most significant seven bits, no continuation) is zero.
  const size_t length = input->size() - rest.size();
  if (length > 1 && (*input)[length - 1] == 0) return false;
  *input = rest;
  return true;
}

bool GetShortestLengthPrefixed(std::string_view* input,
                               std::string_view* value) {
  uint64_t length;
  if (!GetShortestVarint64(input, &length) || length > input->size()) {
    return false;
  }
  *value = input->substr(0, length);
  input->remove_prefix(length);
  return true;
}

int VarintLength(uint64_t value) {
  int n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

}  // namespace kstone::core
