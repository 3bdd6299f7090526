// Replays arbitrary bytes as a WAL segment and as a manifest log (on a
// MemFileSystem). Recovery must never crash, and a log it accepted must read
// back the same, cleanly, after a reopen.
//
// Input: the first byte picks options (bit 0: put a valid file header in
// front of the rest, so the fuzzer reaches the records quickly; bit 1: also
// read the bytes as a manifest), the rest is the file.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/storage/disk/disk_wal.h"
#include "core/storage/disk/file_names.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/wal_format.h"

namespace kstone::core {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void WriteFile(FileSystem* fs, const std::string& path,
               const std::string& bytes) {
  absl::StatusOr<std::unique_ptr<WritableFile>> file =
      fs->NewWritableFile(path);
  Check(file.ok());
  Check((*file)->Append(bytes).ok());
  Check((*file)->Close().ok());
}

// Replays the WAL in /db; returns the batches' first sequence numbers, or
// false if replay failed.
bool ReplayWal(FileSystem* fs, std::vector<uint64_t>* seqs,
               WalReplayReport* report) {
  absl::StatusOr<std::unique_ptr<Wal>> wal = OpenDiskWal(fs, "/db", 1 << 20);
  Check(wal.ok());
  seqs->clear();
  absl::StatusOr<WalReplayReport> r =
      (*wal)->Replay([seqs](const WriteBatch& batch) {
        Check(!batch.mutations.empty());
        seqs->push_back(batch.first_seq);
        return absl::OkStatus();
      });
  if (!r.ok()) return false;
  *report = *r;
  return true;
}

void FuzzWal(const std::string& bytes) {
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  Check(fs->CreateDir("/db").ok());
  WriteFile(fs.get(), JoinPath("/db", WalSegmentName(1)), bytes);
  std::vector<uint64_t> first, second;
  WalReplayReport report;
  if (!ReplayWal(fs.get(), &first, &report)) return;
  Check(report.batches == first.size());
  // Recovery left a clean log holding the same batches.
  Check(ReplayWal(fs.get(), &second, &report));
  Check(!report.truncated_tail);
  Check(first == second);
}

void FuzzManifest(const std::string& bytes) {
  std::unique_ptr<FileSystem> fs = NewMemFileSystem();
  Check(fs->CreateDir("/db").ok());
  WriteFile(fs.get(), JoinPath("/db", ManifestName(1)), bytes);
  WriteFile(fs.get(), JoinPath("/db", kCurrentName), ManifestName(1) + "\n");
  absl::StatusOr<std::unique_ptr<ManifestLog>> log =
      OpenDiskManifestLog(fs.get(), "/db");
  Check(log.ok());
  absl::StatusOr<std::vector<std::string>> records = (*log)->ReadAll();
  if (!records.ok()) return;
  // Appending after recovery must leave a readable log.
  Check((*log)->Append("more").ok());
  log = OpenDiskManifestLog(fs.get(), "/db");
  Check(log.ok());
  absl::StatusOr<std::vector<std::string>> again = (*log)->ReadAll();
  Check(again.ok());
  records->push_back("more");
  Check(*again == *records);
}

}  // namespace
}  // namespace kstone::core

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kstone::core;
  if (size == 0) return 0;
  const uint8_t options = data[0];
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string wal_bytes, manifest_bytes;
  if (options & 1) {
    wal::AppendFileHeader(wal::LogKind::kWal, &wal_bytes);
    wal::AppendFileHeader(wal::LogKind::kManifest, &manifest_bytes);
  }
  wal_bytes += rest;
  manifest_bytes += rest;
  FuzzWal(wal_bytes);
  if (options & 2) FuzzManifest(manifest_bytes);
  return 0;
}
