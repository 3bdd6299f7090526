// Mapped SST reads (SstReader over FileSystem::NewMappedFile) against pread
// reads of the same file: same records, both directions, hits and misses;
// corruption is found on first use and on every later use; mapped tables
// bypass the block cache; file systems that cannot map fall back.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block_cache.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/posix_file_system.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using ::kstone::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

struct OwnedRecord {
  std::string key;
  uint64_t seq = 0;
  RecordType type = RecordType::kValue;
  std::string value;
};

class SstMmapTest : public ::testing::Test {
 protected:
  std::string Path(uint64_t number) {
    return absl::StrCat(dir_, "/", SstFileName(number));
  }

  // Writes table 1 from `records` (sorted by key asc, seq desc).
  void Write(FileSystem* fs, const std::string& dir,
             const std::vector<OwnedRecord>& records) {
    SstBuilderOptions options;
    options.block_size = 512;
    KS_ASSERT_OK_AND_ASSIGN(auto builder,
                            SstBuilder::Create(fs, dir, 1, options));
    for (const OwnedRecord& r : records) {
      KS_ASSERT_OK(builder->Add({r.key, r.seq, r.type, r.value}));
    }
    KS_ASSERT_OK(builder->Finish().status());
  }

  const ::kstone::testing::ScratchDir scratch_;
  const std::unique_ptr<FileSystem> fs_ = NewPosixFileSystem();
  const std::string dir_ = scratch_.path();
};

// Random records: `n` distinct keys of random lengths, some with an older
// version or a tombstone.
std::vector<OwnedRecord> RandomRecords(std::mt19937_64& rng, int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) {
    keys.push_back(absl::StrCat("k", rng() % 100000000, "-",
                                std::string(rng() % 40, 'x')));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<OwnedRecord> records;
  for (const std::string& key : keys) {
    uint64_t seq = 1000 + rng() % 1000;
    if (rng() % 5 == 0) {
      records.push_back({key, seq, RecordType::kDeletion, ""});
    } else {
      records.push_back(
          {key, seq, RecordType::kValue,
           std::string(rng() % 300, static_cast<char>('a' + rng() % 26))});
    }
    if (rng() % 3 == 0) {
      records.push_back({key, seq - 500, RecordType::kValue, "old"});
    }
  }
  return records;
}

std::vector<OwnedRecord> ScanForward(const SstReader& reader) {
  std::vector<OwnedRecord> out;
  auto it = reader.NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    RecordView r = it->record();
    out.push_back({std::string(r.key), r.seq, r.type, std::string(r.value)});
  }
  EXPECT_TRUE(it->status().ok()) << it->status();
  return out;
}

std::vector<OwnedRecord> ScanBackward(const SstReader& reader) {
  std::vector<OwnedRecord> out;
  auto it = reader.NewIterator();
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    RecordView r = it->record();
    out.insert(out.begin(),
               {std::string(r.key), r.seq, r.type, std::string(r.value)});
  }
  EXPECT_TRUE(it->status().ok()) << it->status();
  return out;
}

bool SameRecords(const std::vector<OwnedRecord>& a,
                 const std::vector<OwnedRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].seq != b[i].seq ||
        a[i].type != b[i].type || a[i].value != b[i].value) {
      return false;
    }
  }
  return true;
}

TEST_F(SstMmapTest, MappedReadsEqualPreadReads) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed=", seed));
  std::mt19937_64 rng(seed);
  const std::vector<OwnedRecord> records = RandomRecords(rng, 3000);
  Write(fs_.get(), dir_, records);

  auto cache = std::make_shared<BlockCache>(1 << 20);
  KS_ASSERT_OK_AND_ASSIGN(auto mapped,
                          SstReader::Open(fs_.get(), Path(1), 1, cache, true));
  KS_ASSERT_OK_AND_ASSIGN(auto pread,
                          SstReader::Open(fs_.get(), Path(1), 1, cache, false));
  ASSERT_TRUE(mapped->mapped());
  ASSERT_FALSE(pread->mapped());

  EXPECT_TRUE(SameRecords(ScanForward(*mapped), records));
  EXPECT_TRUE(SameRecords(ScanBackward(*mapped), records));
  EXPECT_TRUE(SameRecords(ScanForward(*pread), records));

  // Gets of present keys (twice: the second finds the block verified) and
  // of absent ones.
  for (int round = 0; round < 2; ++round) {
    for (const OwnedRecord& r : records) {
      KS_ASSERT_OK_AND_ASSIGN(auto a, mapped->Get(r.key));
      KS_ASSERT_OK_AND_ASSIGN(auto b, pread->Get(r.key));
      ASSERT_TRUE(a.has_value());
      ASSERT_TRUE(b.has_value());
      EXPECT_EQ(a->seq, b->seq);
      EXPECT_EQ(a->type, b->type);
      EXPECT_EQ(a->value, b->value);
    }
  }
  for (int i = 0; i < 2000; ++i) {
    std::string key = absl::StrCat("k", rng() % 100000000, "-absent");
    KS_ASSERT_OK_AND_ASSIGN(auto a, mapped->Get(key));
    KS_ASSERT_OK_AND_ASSIGN(auto b, pread->Get(key));
    EXPECT_EQ(a.has_value(), b.has_value()) << key;
  }
  // Seeks agree too.
  auto ma = mapped->NewIterator();
  auto pa = pread->NewIterator();
  for (int i = 0; i < 500; ++i) {
    std::string key = absl::StrCat("k", rng() % 100000000);
    ma->Seek(key);
    pa->Seek(key);
    ASSERT_EQ(ma->Valid(), pa->Valid()) << key;
    if (ma->Valid()) {
      EXPECT_EQ(ma->record().key, pa->record().key);
    }
    ma->SeekForPrev(key);
    pa->SeekForPrev(key);
    ASSERT_EQ(ma->Valid(), pa->Valid()) << key;
    if (ma->Valid()) {
      EXPECT_EQ(ma->record().key, pa->record().key);
    }
  }
}

TEST_F(SstMmapTest, MappedTablesBypassTheBlockCache) {
  std::mt19937_64 rng(7);
  const std::vector<OwnedRecord> records = RandomRecords(rng, 500);
  Write(fs_.get(), dir_, records);
  auto cache = std::make_shared<BlockCache>(1 << 20);
  KS_ASSERT_OK_AND_ASSIGN(auto mapped,
                          SstReader::Open(fs_.get(), Path(1), 1, cache, true));
  for (const OwnedRecord& r : records)
    KS_ASSERT_OK(mapped->Get(r.key).status());
  ScanForward(*mapped);
  EXPECT_EQ(cache->stats().inserts, 0u);
  EXPECT_EQ(cache->stats().hits + cache->stats().misses, 0u);
}

TEST_F(SstMmapTest, FileSystemsThatCannotMapFallBackToTheCache) {
  auto mem = NewMemFileSystem();
  KS_ASSERT_OK(mem->CreateDir("/db"));
  std::mt19937_64 rng(11);
  const std::vector<OwnedRecord> records = RandomRecords(rng, 500);
  Write(mem.get(), "/db", records);
  auto cache = std::make_shared<BlockCache>(1 << 20);
  KS_ASSERT_OK_AND_ASSIGN(
      auto reader,
      SstReader::Open(mem.get(), absl::StrCat("/db/", SstFileName(1)), 1, cache,
                      /*map_file=*/true));
  EXPECT_FALSE(reader->mapped());
  EXPECT_TRUE(SameRecords(ScanForward(*reader), records));
  EXPECT_GT(cache->stats().inserts, 0u);
}

TEST_F(SstMmapTest, MappedReaderOutlivesTheUnlinkedFile) {
  std::mt19937_64 rng(3);
  const std::vector<OwnedRecord> records = RandomRecords(rng, 400);
  Write(fs_.get(), dir_, records);
  KS_ASSERT_OK_AND_ASSIGN(
      auto reader, SstReader::Open(fs_.get(), Path(1), 1, nullptr, true));
  auto it = reader->NewIterator();
  it->SeekToFirst();
  KS_ASSERT_OK(fs_->DeleteFile(Path(1)));
  reader.reset();  // the iterator keeps the reader and its mapping
  size_t n = 0;
  for (; it->Valid(); it->Next()) ++n;
  KS_EXPECT_OK(it->status());
  EXPECT_EQ(n, records.size());
}

// Threads read one mapped reader at once: each block's first use is
// verified by whichever thread gets there (maybe several), and everyone
// reads the same records.
TEST_F(SstMmapTest, ConcurrentReadersOfAMappedTable) {
  std::mt19937_64 rng(5);
  const std::vector<OwnedRecord> records = RandomRecords(rng, 2000);
  Write(fs_.get(), dir_, records);
  KS_ASSERT_OK_AND_ASSIGN(
      auto reader, SstReader::Open(fs_.get(), Path(1), 1, nullptr, true));
  ASSERT_TRUE(reader->mapped());
  constexpr int kThreads = 4;
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread walks the keys from a different start.
      for (size_t i = 0; i < records.size(); ++i) {
        const size_t j = (i + static_cast<size_t>(t) * 397) % records.size();
        const OwnedRecord& r = records[j];
        // A key's newest version comes first; Get returns that one.
        if (j > 0 && records[j - 1].key == r.key) continue;
        auto got = reader->Get(r.key);
        if (!got.ok() || !got->has_value() || (*got)->seq != r.seq ||
            (*got)->type != r.type || (*got)->value != r.value) {
          ++wrong[t];
        }
      }
      if (!SameRecords(ScanForward(*reader), records)) ++wrong[t];
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace kstone::core
