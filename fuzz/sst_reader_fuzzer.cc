// libFuzzer target: an SST made of arbitrary bytes (on a MemFileSystem, and
// for half of the inputs also in a mapped file) is opened, scanned both
// ways, sought and point-read, also with the keys the scan met (so that a
// version-2 table's point reads go through its data blocks' hash indexes
// with keys they hold). Nothing may crash or hang; every failure must be
// DataLoss. For half of the inputs the fuzzer
// first repairs the checksums, so mutations reach the block decoders.
//
// Seeds: fuzz/corpus/sst_reader/ holds small valid tables of format versions
// 1 and 2 (*_v2.sst).

#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/storage/disk/block_cache.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/posix_file_system.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "core/util/coding.h"
#include "core/util/hash.h"

namespace {

using kstone::core::TableIterator;

void CheckStatus(const absl::Status& status) {
  if (!status.ok() && status.code() != absl::StatusCode::kDataLoss) {
    std::abort();
  }
}

// Walks at most `limit` steps; a record must be readable wherever Valid().
void Walk(TableIterator* it, bool forward, int limit) {
  for (int i = 0; it->Valid() && i < limit; ++i) {
    kstone::core::RecordView record = it->record();
    if (record.key.size() > (1u << 30)) std::abort();
    forward ? it->Next() : it->Prev();
  }
  CheckStatus(it->status());
}

// Recomputes the checksum of the block at `handle`, if it lies in the file.
void RepairBlock(std::string* file, const kstone::core::BlockHandle& handle,
                 uint64_t data_end) {
  using kstone::core::kBlockTrailerSize;
  if (handle.offset > data_end || handle.size > data_end ||
      handle.offset + handle.size + kBlockTrailerSize > data_end) {
    return;
  }
  std::string_view contents(file->data() + handle.offset, handle.size);
  auto type = static_cast<kstone::core::BlockCompression>(
      (*file)[handle.offset + handle.size]);
  kstone::core::EncodeFixed32(file->data() + handle.offset + handle.size + 1,
                              kstone::core::BlockChecksum(contents, type));
}

// Fixes every checksum a reader would verify (footer, index, filter, meta and
// the data blocks the index names), so that mutated bytes get past the
// checksums and exercise the decoders behind them.
void RepairChecksums(std::string* file) {
  using namespace kstone::core;  // NOLINT: local to this helper
  if (file->size() < kSstFooterSize) return;
  uint64_t data_end = file->size() - kSstFooterSize;
  char* footer = file->data() + data_end;
  EncodeFixed32(footer + 52, Checksum32(std::string_view(footer, 52)));
  SstFooter decoded;
  if (DecodeSstFooter(std::string_view(footer, kSstFooterSize), &decoded) !=
      FooterError::kOk) {
    return;
  }
  RepairBlock(file, decoded.filter, data_end);
  RepairBlock(file, decoded.meta, data_end);
  RepairBlock(file, decoded.index, data_end);
  const BlockHandle& index = decoded.index;
  if (index.offset > data_end || index.size > data_end ||
      index.offset + index.size + kBlockTrailerSize > data_end) {
    return;
  }
  auto block = Block::Parse(file->substr(index.offset, index.size));
  if (block == nullptr) return;
  BlockIterator it(block.get());
  int limit = 1000;
  for (it.SeekToFirst(); it.Valid() && limit-- > 0; it.Next()) {
    std::string_view value = it.value();
    BlockHandle handle;
    if (DecodeBlockHandle(&value, &handle)) RepairBlock(file, handle, data_end);
  }
}

// A directory of this process for the mapped file, removed at exit.
std::string& TempDirName() {
  static std::string name;
  return name;
}
void RemoveTempDir() {
  ::unlink((TempDirName() + "/000001.sst").c_str());
  ::rmdir(TempDirName().c_str());
}
std::string TempDir() {
  std::string tmpl = "/tmp/kstone_sst_fuzz_XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  TempDirName() = tmpl;
  std::atexit(RemoveTempDir);
  return tmpl;
}

// A point read in steps (PrefetchStep, then GetAfterSteps) after 0 to 2
// steps finds what Get finds, errors included (sst_reader_steps.cc).
void CheckSteppedReads(const kstone::core::Table& table,
                       const std::string& key) {
  const auto plain = table.Get(key);
  for (int steps = 0; steps <= 2; ++steps) {
    uint64_t state = 0;
    const kstone::core::HashedKey hashed(key);
    for (int i = 0; i < steps; ++i) table.PrefetchStep(hashed, &state);
    const auto stepped = table.GetAfterSteps(hashed, state);
    CheckStatus(stepped.status());
    if (plain.ok() != stepped.ok()) std::abort();
    if (!plain.ok()) continue;
    if (plain->has_value() != stepped->has_value()) std::abort();
    if (plain->has_value() && ((*plain)->seq != (*stepped)->seq ||
                               (*plain)->type != (*stepped)->type ||
                               (*plain)->value != (*stepped)->value)) {
      std::abort();
    }
  }
}

// Opens `path`, scans it both ways, seeks and point-reads it (also in
// steps).
void Exercise(kstone::core::FileSystem* fs, const std::string& path,
              std::shared_ptr<kstone::core::BlockCache> cache, bool map,
              bool verify_data_now, std::string_view bytes) {
  auto reader = kstone::core::SstReader::Open(fs, path, 1, std::move(cache),
                                              map, verify_data_now);
  if (!reader.ok()) {
    CheckStatus(reader.status());
    return;
  }
  const kstone::core::Table& table = **reader;
  std::unique_ptr<TableIterator> it = table.NewIterator();
  std::vector<std::string> keys;
  it->SeekToFirst();
  for (int i = 0; it->Valid() && i < 64; ++i, it->Next()) {
    keys.emplace_back(it->record().key);
  }
  CheckStatus(it->status());
  for (const std::string& key : keys) {
    CheckStatus(table.Get(key).status());
    CheckSteppedReads(table, key);
  }
  it->SeekToFirst();
  Walk(it.get(), /*forward=*/true, 10000);
  it->SeekToLast();
  Walk(it.get(), /*forward=*/false, 10000);

  // Probe with slices of the input as keys, and with the table's own bounds.
  const size_t size = bytes.size();
  std::string probes[] = {std::string(bytes.substr(0, 8)),
                          std::string(bytes.substr(size / 2, 5)), "",
                          table.meta().smallest_key, table.meta().largest_key};
  for (const std::string& key : probes) {
    table.Prefetch(kstone::core::HashedKey(key));
    auto got = table.Get(key);
    CheckStatus(got.status());
    CheckSteppedReads(table, key);
    table.MayContain(key);
    it->Seek(key);
    Walk(it.get(), /*forward=*/true, 20);
    it->SeekForPrev(key);
    Walk(it.get(), /*forward=*/false, 20);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  // Half of the inputs keep their checksums as they are (exercising the
  // verification), half get them repaired (exercising what lies behind).
  if (size > 0 && (data[0] & 1) == 0) RepairChecksums(&input);
  const std::string_view bytes = input;
  std::unique_ptr<kstone::core::FileSystem> fs =
      kstone::core::NewMemFileSystem();
  if (!fs->CreateDir("/db").ok()) std::abort();
  {
    auto file = fs->NewWritableFile("/db/000001.sst");
    if (!file.ok() || !(*file)->Append(bytes).ok() || !(*file)->Close().ok()) {
      std::abort();
    }
  }
  auto cache = std::make_shared<kstone::core::BlockCache>(1 << 16);
  Exercise(fs.get(), "/db/000001.sst", cache, /*map=*/false,
           /*verify_data_now=*/false, bytes);
  // Half of the inputs also go through a mapped file (the default
  // reader of a database), verified block by block on first use or, like a
  // table the store just built, all at Open.
  if (size > 0 && (data[0] & 2) != 0) {
    static const std::string dir = TempDir();
    const std::string path = dir + "/000001.sst";
    std::unique_ptr<kstone::core::FileSystem> posix =
        kstone::core::NewPosixFileSystem();
    posix->DeleteFile(path).IgnoreError();
    auto file = posix->NewWritableFile(path);
    if (!file.ok() || !(*file)->Append(bytes).ok() || !(*file)->Close().ok()) {
      std::abort();
    }
    Exercise(posix.get(), path, nullptr, /*map=*/true,
             /*verify_data_now=*/(data[0] & 4) != 0, bytes);
  }
  return 0;
}
