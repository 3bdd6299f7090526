#ifndef KSTONE_CORE_STORAGE_DISK_WAL_FORMAT_H_
#define KSTONE_CORE_STORAGE_DISK_WAL_FORMAT_H_

// The record framing shared by WAL segments (NNNNNN.log) and manifest logs
// (MANIFEST-NNNNNN), and the encoding of a WriteBatch inside a WAL record.
// The specification, with the recovery rules, is docs/formats/wal.md (the
// manifest adds docs/formats/manifest.md); keep them in step.
//
//   file    := header record*
//   header  := magic[8] version:fixed32 header_checksum:fixed32   (16 bytes)
//   record  := checksum:fixed32 length:fixed32 type:u8 payload[length]
//
// header_checksum is Checksum32 of the 12 bytes before it. A record's
// checksum is Checksum32 of its length, type and payload bytes (everything
// after the checksum field). Integers are little-endian (core/util/coding.h).
// A record is never split: one Append or one manifest edit is one record, up
// to kMaxRecordPayload bytes.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/storage/record.h"

namespace kstone::core::wal {

// Which kind of log a file is. Each has its own magic and record type, so a
// manifest is never replayed as a WAL or the other way round.
enum class LogKind : uint8_t { kWal, kManifest };

inline constexpr std::string_view kWalMagic = "kstnWAL\n";
inline constexpr std::string_view kManifestMagic = "kstnMAN\n";
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kFileHeaderSize = 16;

inline constexpr size_t kRecordHeaderSize = 9;  // checksum, length, type
// 256 MiB: far above any batch the engine builds (DynamoDB caps a
// transaction at 4 MB of items), low enough that a corrupt length field is
// usually recognised as one.
inline constexpr uint32_t kMaxRecordPayload = 256u << 20;

// Record types. 0 is never valid, so that zero-filled space (a file system
// that extended a file but never wrote the data) is a bad record.
enum LogRecordType : uint8_t {
  kWalBatchRecord = 1,      // payload: an encoded WriteBatch
  kManifestEditRecord = 2,  // payload: an opaque manifest record
};

// The record type every record of a `kind` log carries.
LogRecordType RecordTypeOf(LogKind kind);
// "wal" or "manifest", for messages.
std::string_view LogKindName(LogKind kind);

// Appends the 16-byte file header of a `kind` log.
void AppendFileHeader(LogKind kind, std::string* dst);

// Whether a file header has the magic of `kind` and a matching checksum (its
// version may still be one this build does not read).
// REQUIRES: header.size() >= kFileHeaderSize.
bool FileHeaderIntact(LogKind kind, std::string_view header);

// Checks a file header. DataLoss naming `file` (offset 0) on a bad magic or
// checksum, or an unsupported version.
// REQUIRES: header.size() >= kFileHeaderSize.
absl::Status CheckFileHeader(LogKind kind, std::string_view header,
                             std::string_view file);

// Appends one framed record.
// REQUIRES: payload.size() <= kMaxRecordPayload.
void AppendRecord(LogRecordType type, std::string_view payload,
                  std::string* dst);

// Frames a record built in place: `record` holds kRecordHeaderSize bytes of
// any value followed by the payload; fills in the header. Saves a copy of
// large payloads.
// REQUIRES: record->size() - kRecordHeaderSize <= kMaxRecordPayload.
void FinishRecord(LogRecordType type, std::string* record);

// Appends the payload of a WAL batch record:
//   first_seq:varint64 count:varint32
//   count * (type:u8 key:length-prefixed [value:length-prefixed if kValue])
void EncodeWriteBatch(const WriteBatch& batch, std::string* dst);

// The number of bytes EncodeWriteBatch appends for `batch`.
size_t EncodedWriteBatchSize(const WriteBatch& batch);

// Appends one framed WAL batch record of `batch` to `dst`: the bytes of
// AppendRecord(kWalBatchRecord, <EncodeWriteBatch of batch>), encoded in
// place, without a payload string of its own (the disk WAL encodes each
// unsynced commit straight into its buffer).
// REQUIRES: payload_size == EncodedWriteBatchSize(batch) <= kMaxRecordPayload.
void AppendWalBatchRecord(const WriteBatch& batch, size_t payload_size,
                          std::string* dst);

// The inverse of EncodeWriteBatch. InvalidArgument (saying what is wrong) if
// `payload` is not exactly one well-formed batch with at least one mutation;
// the caller adds file and offset.
absl::Status DecodeWriteBatch(std::string_view payload, WriteBatch* batch);

}  // namespace kstone::core::wal

#endif  // KSTONE_CORE_STORAGE_DISK_WAL_FORMAT_H_
