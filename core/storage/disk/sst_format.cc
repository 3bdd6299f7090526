#include "core/storage/disk/sst_format.h"

#include "absl/strings/str_format.h"
#include "core/util/coding.h"
#include "core/util/hash.h"

namespace kstone::core {

uint32_t BlockChecksum(std::string_view contents, BlockCompression type) {
  return static_cast<uint32_t>(Hash64(contents, static_cast<uint64_t>(type)));
}

void EncodeBlockHandle(const BlockHandle& handle, std::string* dst) {
  PutVarint64(dst, handle.offset);
  PutVarint64(dst, handle.size);
}

bool DecodeBlockHandle(std::string_view* input, BlockHandle* handle) {
  return GetVarint64Fast(input, &handle->offset) &&
         GetVarint64Fast(input, &handle->size);
}

std::string EncodeSstFooter(const SstFooter& footer) {
  std::string out;
  out.reserve(kSstFooterSize);
  for (const BlockHandle* h : {&footer.index, &footer.filter, &footer.meta}) {
    PutFixed64(&out, h->offset);
    PutFixed64(&out, h->size);
  }
  PutFixed32(&out, footer.version);
  PutFixed32(&out, Checksum32(out));
  PutFixed64(&out, kSstMagic);
  return out;
}

FooterError DecodeSstFooter(std::string_view input, SstFooter* footer) {
  if (DecodeFixed64(input.data() + 56) != kSstMagic) {
    return FooterError::kBadMagic;
  }
  if (DecodeFixed32(input.data() + 52) != Checksum32(input.substr(0, 52))) {
    return FooterError::kBadChecksum;
  }
  const char* p = input.data();
  for (BlockHandle* h : {&footer->index, &footer->filter, &footer->meta}) {
    h->offset = DecodeFixed64(p);
    h->size = DecodeFixed64(p + 8);
    p += 16;
  }
  footer->version = DecodeFixed32(p);
  if (footer->version < kSstOldestFormatVersion ||
      footer->version > kSstFormatVersion) {
    return FooterError::kBadVersion;
  }
  return FooterError::kOk;
}

std::string SstFileName(uint64_t number) {
  return absl::StrFormat("%06d.sst", number);
}

bool ParseSstFileName(std::string_view name, uint64_t* number) {
  constexpr std::string_view kSuffix = ".sst";
  if (name.size() < 6 + kSuffix.size() ||
      name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  std::string_view digits = name.substr(0, name.size() - kSuffix.size());
  if (digits.size() > 19) return false;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  *number = value;
  return true;
}

}  // namespace kstone::core
