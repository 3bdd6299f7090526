#include "core/storage/disk/wal_reader.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/util/coding.h"
#include "core/util/hash.h"
#include "core/util/status_macros.h"

namespace kstone::core::wal {
namespace {

constexpr size_t kReadChunk = 1 << 20;

// A read window over a RandomAccessFile: Get returns the bytes of a range,
// refilling its buffer as needed, so that small records cost no syscall
// each. Not thread-safe.
class Window {
 public:
  explicit Window(const RandomAccessFile* file) : file_(file) {}

  // The bytes [offset, offset + n). REQUIRES: the range is inside the file.
  absl::StatusOr<std::string_view> Get(uint64_t offset, size_t n) {
    if (offset >= start_ && offset + n <= start_ + data_.size()) {
      return data_.substr(offset - start_, n);
    }
    const size_t want = static_cast<size_t>(
        std::min<uint64_t>(std::max(n, kReadChunk), file_->size() - offset));
    scratch_.resize(want);
    std::string_view got;
    KS_RETURN_IF_ERROR(file_->Read(offset, want, &got, scratch_.data()));
    if (got.size() < n) {
      return absl::DataLossError(
          absl::StrCat("short read of ", n, " bytes at offset ", offset));
    }
    start_ = offset;
    data_ = got;
    return data_.substr(0, n);
  }

 private:
  const RandomAccessFile* const file_;
  std::string scratch_;
  uint64_t start_ = 0;
  std::string_view data_;  // the bytes at start_ (in scratch_ or the file's)
};

// Whether a whole good record of `type` starts at data[pos].
bool IsGoodRecordAt(std::string_view data, size_t pos, LogRecordType type) {
  if (data.size() - pos < kRecordHeaderSize) return false;
  const char* header = data.data() + pos;
  if (static_cast<uint8_t>(header[8]) != type) return false;
  const uint32_t length = DecodeFixed32(header + 4);
  if (length > kMaxRecordPayload) return false;
  if (data.size() - pos - kRecordHeaderSize < length) return false;
  return DecodeFixed32(header) ==
         Checksum32(data.substr(pos + 4, 5 + static_cast<size_t>(length)));
}

// Whether a good record starts anywhere in [from, end of file). Reads the
// rest of the file into memory: this runs only once, when recovery meets a
// bad record, and the rest of a segment is bounded by the segment size.
absl::StatusOr<bool> GoodRecordFollows(Window* window, uint64_t from,
                                       uint64_t file_size, LogRecordType type) {
  if (from >= file_size) return false;
  KS_ASSIGN_OR_RETURN(std::string_view rest,
                      window->Get(from, static_cast<size_t>(file_size - from)));
  // Most offsets fail the type and length checks before any hashing.
  for (size_t pos = 0; pos + kRecordHeaderSize <= rest.size(); ++pos) {
    if (IsGoodRecordAt(rest, pos, type)) return true;
  }
  return false;
}

absl::string_view AbslView(std::string_view sv) {
  return absl::string_view(sv.data(), sv.size());
}

}  // namespace

absl::StatusOr<LogFileEnd> ReadLogFile(
    FileSystem* fs, const std::string& path, LogKind kind,
    const std::function<absl::Status(std::string_view payload,
                                     uint64_t offset)>& fn) {
  KS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                      fs->NewRandomAccessFile(path));
  const LogRecordType type = RecordTypeOf(kind);
  LogFileEnd end;
  end.file_size = file->size();
  if (end.file_size == 0) return end;
  Window window(file.get());

  // Marks the end as bad at `offset` and looks past it.
  auto stop = [&](uint64_t offset,
                  std::string reason) -> absl::StatusOr<LogFileEnd> {
    end.clean = false;
    end.valid_bytes = offset;
    end.reason = std::move(reason);
    KS_ASSIGN_OR_RETURN(
        end.good_record_follows,
        GoodRecordFollows(&window, offset + 1, end.file_size, type));
    return end;
  };

  if (end.file_size < kFileHeaderSize) {
    return stop(
        0, absl::StrCat("truncated file header (", end.file_size, " bytes)"));
  }
  KS_ASSIGN_OR_RETURN(std::string_view header, window.Get(0, kFileHeaderSize));
  if (!FileHeaderIntact(kind, header)) return stop(0, "bad file header");
  // An intact header of another version is not damage: refuse the file.
  KS_RETURN_IF_ERROR(CheckFileHeader(kind, header, path));

  uint64_t offset = kFileHeaderSize;
  end.valid_bytes = offset;
  while (offset < end.file_size) {
    const uint64_t left = end.file_size - offset;
    if (left < kRecordHeaderSize) {
      return stop(offset, absl::StrCat("truncated record header (", left,
                                       " bytes left)"));
    }
    KS_ASSIGN_OR_RETURN(std::string_view h,
                        window.Get(offset, kRecordHeaderSize));
    const uint8_t record_type = static_cast<uint8_t>(h[8]);
    const uint32_t length = DecodeFixed32(h.data() + 4);
    if (record_type != type) {
      return stop(offset, absl::StrCat("bad record type ", record_type));
    }
    if (length > kMaxRecordPayload) {
      return stop(offset, absl::StrCat("bad record length ", length));
    }
    if (length > left - kRecordHeaderSize) {
      return stop(offset, absl::StrCat("record length ", length,
                                       " runs past the end of the file (size ",
                                       end.file_size, ")"));
    }
    const uint32_t expected = DecodeFixed32(h.data());
    KS_ASSIGN_OR_RETURN(std::string_view record,
                        window.Get(offset, kRecordHeaderSize + length));
    if (Checksum32(record.substr(4)) != expected) {
      return stop(offset, "record checksum mismatch");
    }
    KS_RETURN_IF_ERROR(fn(record.substr(kRecordHeaderSize), offset));
    offset += kRecordHeaderSize + length;
    end.valid_bytes = offset;
  }
  return end;
}

absl::Status CorruptionError(LogKind kind, const std::string& path,
                             const LogFileEnd& end) {
  return absl::DataLossError(
      absl::StrCat(AbslView(LogKindName(kind)), ": ", end.reason, " at offset ",
                   end.valid_bytes, " in ", path,
                   end.good_record_follows ? " (good records follow it)" : ""));
}

}  // namespace kstone::core::wal
