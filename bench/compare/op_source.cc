#include "bench/compare/op_source.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/types/item.h"
#include "core/types/item_codec.h"
#include "core/types/value.h"
#include "kstone/kstone.h"

namespace kstone::bench {

BenchOp::BenchOp() = default;
BenchOp::~BenchOp() = default;
BenchOp::BenchOp(BenchOp&&) noexcept = default;
BenchOp& BenchOp::operator=(BenchOp&&) noexcept = default;

namespace {

constexpr std::string_view kKeyName = "pk";
constexpr std::string_view kValueName = "v";

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Letters and digits (valid UTF-8, barely compressible), from index+version.
std::string Filler(uint64_t index, uint64_t version, int size) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  std::string out(static_cast<size_t>(size), ' ');
  uint64_t state = index * 0x100000001B3ull + version;
  uint64_t bits = 0;
  int left = 0;
  for (char& c : out) {
    if (left == 0) {
      bits = SplitMix64(&state);
      left = 10;
    }
    c = kAlphabet[bits & 63];
    bits >>= 6;
    --left;
  }
  return out;
}

// kstone's stored bytes for {pk: key, v: filler}: the codec's encoding
// without the key attribute, exactly as the api layer stores the item.
std::string Encode(const std::string& key, const std::string& filler) {
  core::Item item;
  item.Set(std::string(kKeyName), core::Value::String(key));
  item.Set(std::string(kValueName), core::Value::String(filler));
  const std::string_view skip[] = {kKeyName};
  return core::EncodeItem(item, skip);
}

}  // namespace

absl::StatusOr<OpSource> OpSource::Create(int value_size) {
  const int empty_size = static_cast<int>(Encode("key", "").size());
  // The filler's varint length grows by a byte past 127.
  int filler = value_size - empty_size;
  if (filler > 127) --filler;
  if (filler < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("kstone_bench: --value_size ", value_size,
                     " is below the minimum ", empty_size + 1));
  }
  const int encoded =
      static_cast<int>(Encode("key", Filler(0, 0, filler)).size());
  return OpSource(filler, encoded);
}

std::string OpSource::Key(uint64_t index) const {
  return absl::StrFormat("key%012d", index);
}

std::string OpSource::MissingKey(uint64_t index) const {
  return absl::StrCat(Key(index), ".");
}

void OpSource::MakeWrite(uint64_t index, uint64_t version, BenchOp* op) const {
  op->key = Key(index);
  std::string filler = Filler(index, version, filler_size_);
  op->encoded = Encode(op->key, filler);
  op->item = std::make_unique<Item>(ItemBuilder()
                                        .String(kKeyName, op->key)
                                        .String(kValueName, filler)
                                        .Build());
  op->is_write = true;
}

void OpSource::MakeRead(std::string key, BenchOp* op) const {
  op->key = std::move(key);
  op->item.reset();
  op->encoded.clear();
  op->is_write = false;
}

}  // namespace kstone::bench
