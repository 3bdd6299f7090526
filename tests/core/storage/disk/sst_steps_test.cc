// SstReader's lookup in steps (PrefetchStep, GetAfterSteps): after 0, 1, 2
// or 3 steps GetAfterSteps returns what Get returns, status included, for
// every key of a table, its neighbours and keys it lacks; on tables of
// format version 1 and 2, read through the block cache (MemFileSystem,
// POSIX pread) or mapped (blocks verified on first use or at Open), with
// blocks too large for a hash index, and with a corrupt data block.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/storage/disk/block_cache.h"
#include "core/storage/disk/mem_file_system.h"
#include "core/storage/disk/posix_file_system.h"
#include "core/storage/disk/sst_builder.h"
#include "core/storage/disk/sst_format.h"
#include "core/storage/disk/sst_reader.h"
#include "gtest/gtest.h"
#include "tests/core/storage/disk/sst_test_dir.h"
#include "tests/testing/scratch_dir.h"
#include "tests/testing/status_matchers.h"

namespace kstone::core {
namespace {

using Mode = SstReadMode;

using Param = std::tuple<Mode, uint32_t>;  // and the format version

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  return absl::StrCat(SstReadModeName(std::get<0>(info.param)), "V",
                      std::get<1>(info.param));
}

std::string Key(int i) { return absl::StrCat("key", 10000 + 3 * i); }

class SstStepsTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override { MakeSstTestDir(mode(), &fs_, &dir_, &scratch_); }

  Mode mode() const { return std::get<0>(GetParam()); }
  uint32_t version() const { return std::get<1>(GetParam()); }
  std::string Path(uint64_t number) const {
    return absl::StrCat(dir_, "/", SstFileName(number));
  }

  // Table `number` with `n` keys (Key(i)): key i's newest record is a
  // deletion when i % 5 == 0, else a value of `value_size` bytes (an older
  // version under it either way).
  void Write(uint64_t number, int n, uint64_t block_size, size_t value_size) {
    SstBuilderOptions options;
    options.block_size = block_size;
    options.format_version = version();
    KS_ASSERT_OK_AND_ASSIGN(
        auto builder, SstBuilder::Create(fs_.get(), dir_, number, options));
    for (int i = 0; i < n; ++i) {
      const std::string value(value_size, static_cast<char>('a' + i % 26));
      if (i % 5 == 0) {
        KS_ASSERT_OK(builder->Add({Key(i), 30, RecordType::kDeletion, ""}));
      }
      KS_ASSERT_OK(builder->Add({Key(i), 20, RecordType::kValue, value}));
      KS_ASSERT_OK(builder->Add({Key(i), 10, RecordType::kValue, "old"}));
    }
    KS_ASSERT_OK(builder->Finish().status());
  }

  // The ways this test's mode opens table `number`: on POSIX mapped files
  // with data blocks verified on use and at Open; otherwise with and
  // without a block cache.
  std::vector<std::shared_ptr<const SstReader>> OpenAll(uint64_t number) {
    std::vector<std::shared_ptr<const SstReader>> readers;
    for (bool second : {false, true}) {
      const bool map = mode() == Mode::kPosixMapped;
      std::shared_ptr<BlockCache> cache =
          !map && second ? std::make_shared<BlockCache>(1 << 20) : nullptr;
      auto reader = SstReader::Open(fs_.get(), Path(number), number, cache, map,
                                    /*verify_data_now=*/map && second);
      EXPECT_TRUE(reader.ok()) << reader.status();
      if (!reader.ok()) continue;
      EXPECT_EQ((*reader)->mapped(), map);
      readers.push_back(*reader);
    }
    return readers;
  }

  // Every key of an n-key table, the strings around it, and keys before
  // and after them all.
  static std::vector<std::string> Probes(int n) {
    std::vector<std::string> probes = {"", "a", "key", "zzz", Key(-1), Key(n)};
    for (int i = 0; i < n; ++i) {
      const std::string key = Key(i);
      probes.push_back(key);
      probes.push_back(key + '\0');  // just after the key
      probes.push_back(key + "x");
      probes.push_back(key.substr(0, key.size() - 1));           // a prefix
      probes.push_back(absl::StrCat("key", 10000 + 3 * i + 1));  // missing
    }
    return probes;
  }

  std::optional<::kstone::testing::ScratchDir> scratch_;  // POSIX only
  std::unique_ptr<FileSystem> fs_;
  std::string dir_;
};

// GetAfterSteps(key) after `steps` steps of key returns Get(key)'s answer.
void ExpectStepsAgreeWithGet(const SstReader& reader, const std::string& key) {
  const auto want = reader.Get(key);
  for (int steps = 0; steps <= 3; ++steps) {
    SCOPED_TRACE(absl::StrCat("key ", key, " after ", steps, " steps"));
    const HashedKey hashed(key);
    reader.Prefetch(hashed);
    uint64_t state = 0;
    for (int n = 0; n < steps; ++n) reader.PrefetchStep(hashed, &state);
    if (steps > 0) {
      EXPECT_NE(state, 0u);  // step 1 always decides something
    }
    const auto got = reader.GetAfterSteps(hashed, state);
    ASSERT_EQ(got.status(), want.status());
    if (!want.ok()) continue;
    ASSERT_EQ(got->has_value(), want->has_value());
    if (!want->has_value()) continue;
    EXPECT_EQ((*got)->seq, (*want)->seq);
    EXPECT_EQ((*got)->type, (*want)->type);
    EXPECT_EQ((*got)->value, (*want)->value);
  }
}

TEST_P(SstStepsTest, GetAfterStepsAgreesWithGet) {
  // Small blocks (many, a few keys each) and blocks of the usual size.
  for (uint64_t block_size : {uint64_t{256}, uint64_t{4096}}) {
    SCOPED_TRACE(absl::StrCat("block size ", block_size));
    const uint64_t number = block_size;
    const int n = 400;
    Write(number, n, block_size, /*value_size=*/20);
    const std::vector<std::string> probes = Probes(n);
    for (const auto& reader : OpenAll(number)) {
      int present = 0;
      for (const std::string& key : probes) {
        ASSERT_NO_FATAL_FAILURE(ExpectStepsAgreeWithGet(*reader, key));
        KS_ASSERT_OK_AND_ASSIGN(auto got, reader->Get(key));
        present += got.has_value();
      }
      EXPECT_EQ(present, n);  // the probes do find every key
    }
  }
}

// Entries starting beyond 64 KiB into a block cannot be indexed: a
// version-2 table then has blocks without a hash index, read as in
// version 1.
TEST_P(SstStepsTest, BlocksWithoutAHashIndex) {
  const int n = 40;
  Write(1, n, /*block_size=*/200 << 10, /*value_size=*/30000);
  for (const auto& reader : OpenAll(1)) {
    for (const std::string& key : Probes(n)) {
      ASSERT_NO_FATAL_FAILURE(ExpectStepsAgreeWithGet(*reader, key));
    }
  }
}

// A corrupt data block: the keys it holds are DataLoss after any number of
// steps, each time (a block that failed is not remembered as verified),
// and every other key still reads.
TEST_P(SstStepsTest, ACorruptBlockIsDataLossAfterSteps) {
  const int n = 400;
  Write(1, n, /*block_size=*/256, /*value_size=*/20);
  KS_ASSERT_OK_AND_ASSIGN(std::string contents, fs_->ReadFile(Path(1)));
  contents[contents.size() / 3] ^= 0x40;  // in a data block
  {
    KS_ASSERT_OK_AND_ASSIGN(auto file, fs_->NewWritableFile(Path(1)));
    KS_ASSERT_OK(file->Append(contents));
    KS_ASSERT_OK(file->Close());
  }
  for (bool map : {false, true}) {
    if (map && mode() != Mode::kPosixMapped) continue;
    KS_ASSERT_OK_AND_ASSIGN(
        auto reader, SstReader::Open(fs_.get(), Path(1), 1, nullptr, map));
    int lost = 0;
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < n; ++i) {
        ASSERT_NO_FATAL_FAILURE(ExpectStepsAgreeWithGet(*reader, Key(i)));
        lost += !reader->Get(Key(i)).ok();
      }
    }
    EXPECT_GT(lost, 0);
    EXPECT_LT(lost, 2 * n);
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllReaders, SstStepsTest,
    ::testing::Combine(::testing::Values(Mode::kMem, Mode::kPosixPread,
                                         Mode::kPosixMapped),
                       ::testing::Values(1u, 2u)),
    ParamName);

}  // namespace
}  // namespace kstone::core
