#include "core/storage/disk/wal_format.h"

#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/util/coding.h"
#include "core/util/hash.h"

namespace kstone::core::wal {
namespace {

std::string_view MagicOf(LogKind kind) {
  return kind == LogKind::kWal ? kWalMagic : kManifestMagic;
}

absl::string_view AbslView(std::string_view sv) {
  return absl::string_view(sv.data(), sv.size());
}

// Fills in the header of the record at `record`, whose payload of
// `payload_size` bytes follows the header.
void FrameRecordAt(LogRecordType type, char* record, size_t payload_size) {
  assert(payload_size <= kMaxRecordPayload);
  EncodeFixed32(record + 4, static_cast<uint32_t>(payload_size));
  record[8] = static_cast<char>(type);
  // Covers length, type and payload: everything after the checksum field.
  EncodeFixed32(record,
                Checksum32(std::string_view(record + 4, 5 + payload_size)));
}

char* EncodeLengthPrefixed(char* dst, std::string_view bytes) {
  dst = EncodeVarint64(dst, bytes.size());
  if (!bytes.empty()) std::memcpy(dst, bytes.data(), bytes.size());
  return dst + bytes.size();
}

// Writes the EncodeWriteBatch bytes of `batch` at dst, which has room for
// EncodedWriteBatchSize(batch) of them; returns the end.
char* EncodeWriteBatchAt(const WriteBatch& batch, char* dst) {
  dst = EncodeVarint64(dst, batch.first_seq);
  dst = EncodeVarint64(dst, static_cast<uint32_t>(batch.mutations.size()));
  for (const Mutation& m : batch.mutations) {
    *dst++ = static_cast<char>(m.type);
    dst = EncodeLengthPrefixed(dst, m.key);
    if (m.type == RecordType::kValue) dst = EncodeLengthPrefixed(dst, m.value);
  }
  return dst;
}

}  // namespace

LogRecordType RecordTypeOf(LogKind kind) {
  return kind == LogKind::kWal ? kWalBatchRecord : kManifestEditRecord;
}

std::string_view LogKindName(LogKind kind) {
  return kind == LogKind::kWal ? "wal" : "manifest";
}

void AppendFileHeader(LogKind kind, std::string* dst) {
  const size_t start = dst->size();
  dst->append(MagicOf(kind));
  PutFixed32(dst, kFormatVersion);
  PutFixed32(dst, Checksum32(std::string_view(dst->data() + start, 12)));
}

bool FileHeaderIntact(LogKind kind, std::string_view header) {
  assert(header.size() >= kFileHeaderSize);
  return header.substr(0, MagicOf(kind).size()) == MagicOf(kind) &&
         DecodeFixed32(header.data() + 12) == Checksum32(header.substr(0, 12));
}

absl::Status CheckFileHeader(LogKind kind, std::string_view header,
                             std::string_view file) {
  assert(header.size() >= kFileHeaderSize);
  const std::string_view magic = MagicOf(kind);
  if (header.substr(0, magic.size()) != magic) {
    return absl::DataLossError(absl::StrCat(
        AbslView(LogKindName(kind)), ": bad file header magic at offset 0 in ",
        AbslView(file)));
  }
  if (DecodeFixed32(header.data() + 12) != Checksum32(header.substr(0, 12))) {
    return absl::DataLossError(absl::StrCat(
        AbslView(LogKindName(kind)),
        ": file header checksum mismatch at offset 0 in ", AbslView(file)));
  }
  const uint32_t version = DecodeFixed32(header.data() + 8);
  if (version != kFormatVersion) {
    return absl::DataLossError(absl::StrCat(
        AbslView(LogKindName(kind)), ": unsupported format version ", version,
        " (this build reads ", kFormatVersion, ") in ", AbslView(file)));
  }
  return absl::OkStatus();
}

void FinishRecord(LogRecordType type, std::string* record) {
  assert(record->size() >= kRecordHeaderSize);
  FrameRecordAt(type, record->data(), record->size() - kRecordHeaderSize);
}

void AppendRecord(LogRecordType type, std::string_view payload,
                  std::string* dst) {
  std::string record(kRecordHeaderSize, '\0');
  record.append(payload.data(), payload.size());
  FinishRecord(type, &record);
  dst->append(record);
}

void EncodeWriteBatch(const WriteBatch& batch, std::string* dst) {
  const size_t start = dst->size();
  const size_t size = EncodedWriteBatchSize(batch);
  dst->resize(start + size);
  char* const end = EncodeWriteBatchAt(batch, dst->data() + start);
  assert(end == dst->data() + dst->size());
  (void)end;
}

void AppendWalBatchRecord(const WriteBatch& batch, size_t payload_size,
                          std::string* dst) {
  assert(payload_size == EncodedWriteBatchSize(batch));
  const size_t start = dst->size();
  dst->resize(start + kRecordHeaderSize + payload_size);
  char* const record = dst->data() + start;
  char* const end = EncodeWriteBatchAt(batch, record + kRecordHeaderSize);
  assert(end == record + kRecordHeaderSize + payload_size);
  (void)end;
  FrameRecordAt(kWalBatchRecord, record, payload_size);
}

size_t EncodedWriteBatchSize(const WriteBatch& batch) {
  size_t size = static_cast<size_t>(VarintLength(batch.first_seq)) +
                static_cast<size_t>(VarintLength(batch.mutations.size()));
  for (const Mutation& m : batch.mutations) {
    size += 1 + static_cast<size_t>(VarintLength(m.key.size())) + m.key.size();
    if (m.type == RecordType::kValue) {
      size +=
          static_cast<size_t>(VarintLength(m.value.size())) + m.value.size();
    }
  }
  return size;
}

absl::Status DecodeWriteBatch(std::string_view payload, WriteBatch* batch) {
  uint64_t first_seq = 0;
  uint32_t count = 0;
  if (!GetVarint64(&payload, &first_seq) || !GetVarint32(&payload, &count)) {
    return absl::InvalidArgumentError("batch header is truncated");
  }
  if (count == 0) return absl::InvalidArgumentError("batch has no mutations");
  // Every mutation takes at least 2 bytes; don't let a bad count reserve
  // gigabytes.
  if (count > payload.size() / 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch count ", count, " exceeds what ", payload.size(),
                     " bytes can hold"));
  }
  batch->first_seq = first_seq;
  batch->mutations.clear();
  batch->mutations.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (payload.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("batch ends before mutation ", i, " of ", count));
    }
    const uint8_t type = static_cast<uint8_t>(payload[0]);
    payload.remove_prefix(1);
    if (type != static_cast<uint8_t>(RecordType::kValue) &&
        type != static_cast<uint8_t>(RecordType::kDeletion)) {
      return absl::InvalidArgumentError(
          absl::StrCat("mutation ", i, " has unknown type ", type));
    }
    Mutation& m = batch->mutations.emplace_back();
    m.type = static_cast<RecordType>(type);
    std::string_view key, value;
    if (!GetLengthPrefixed(&payload, &key)) {
      return absl::InvalidArgumentError(
          absl::StrCat("mutation ", i, " has a truncated key"));
    }
    m.key.assign(key.data(), key.size());
    if (m.type == RecordType::kValue) {
      if (!GetLengthPrefixed(&payload, &value)) {
        return absl::InvalidArgumentError(
            absl::StrCat("mutation ", i, " has a truncated value"));
      }
      m.value.assign(value.data(), value.size());
    }
  }
  if (!payload.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(payload.size(), " stray bytes after the last mutation"));
  }
  return absl::OkStatus();
}

}  // namespace kstone::core::wal
