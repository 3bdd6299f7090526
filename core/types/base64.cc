#include "core/types/base64.h"

#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace kstone::core {

namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (int i = 0; i < 256; ++i) t[i] = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = i;
  return t;
}

constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

absl::Status Bad(std::string_view what, size_t offset) {
  return absl::InvalidArgumentError(absl::StrCat(
      "Invalid base64: ", absl::string_view(what.data(), what.size()),
      " at offset ", offset));
}

}  // namespace

void AppendBase64(std::string_view bytes, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  out->reserve(out->size() + (n + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  if (i + 1 == n) {
    const uint32_t v = p[i] << 16;
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->append("==");
  } else if (i + 2 == n) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back('=');
  }
}

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  AppendBase64(bytes, &out);
  return out;
}

absl::StatusOr<std::string> Base64Decode(std::string_view text) {
  const size_t n = text.size();
  if (n % 4 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid base64: length ", n, " is not a multiple of 4"));
  }
  size_t pad = 0;
  if (n > 0 && text[n - 1] == '=') pad = (text[n - 2] == '=') ? 2 : 1;
  std::string out;
  out.reserve(n / 4 * 3);
  for (size_t i = 0; i < n; i += 4) {
    const bool last = i + 4 == n;
    const size_t chars = last ? 4 - pad : 4;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const unsigned char c = static_cast<unsigned char>(text[i + k]);
      if (k >= chars) {
        if (c != '=') return Bad("bad padding", i + k);
        v <<= 6;
        continue;
      }
      const int d = kDecode[c];
      if (d < 0) return Bad("invalid character", i + k);
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<char>(v >> 16));
    if (chars >= 3) out.push_back(static_cast<char>((v >> 8) & 0xFF));
    if (chars == 4) out.push_back(static_cast<char>(v & 0xFF));
    // Bits that no output byte uses must be zero (canonical encoding).
    if ((chars == 2 && (v & 0xFFFF) != 0) || (chars == 3 && (v & 0xFF) != 0)) {
      return Bad("non-zero trailing bits", i + chars - 1);
    }
  }
  return out;
}

}  // namespace kstone::core
