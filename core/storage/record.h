#ifndef KSTONE_CORE_STORAGE_RECORD_H_
#define KSTONE_CORE_STORAGE_RECORD_H_

// The unit every storage trait moves: a mutation of one engine key.
//
// Engine keys are opaque byte strings ordered bytewise (unsigned). Their first
// byte is the stripe index (0..255) the key belongs to, so that a key alone
// routes itself (WAL replay, flush, compaction need nothing else); the bytes
// after it are produced by core/types/key_codec and are not interpreted by the
// storage layer or the engine.
//
// Within a table and a memtable, records are ordered by (key ascending,
// sequence number descending): the newest version of a key comes first.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kstone::core {

inline constexpr int kStripeCount = 256;

// The stripe an engine key belongs to. REQUIRES: !key.empty().
inline uint32_t StripeOfKey(std::string_view key) {
  return static_cast<unsigned char>(key[0]);
}

enum class RecordType : uint8_t {
  kDeletion = 0,  // a tombstone: the key has no value at this sequence
  kValue = 1,
};

// One mutation, owned.
struct Mutation {
  RecordType type = RecordType::kValue;
  std::string key;
  std::string value;  // empty for kDeletion
};

// An atomic group of mutations. Mutation i carries sequence number
// first_seq + i. A batch is appended to the WAL as one record and recovered
// wholly or not at all.
struct WriteBatch {
  uint64_t first_seq = 0;
  std::vector<Mutation> mutations;
};

// A borrowed view of one record in a table or memtable.
struct RecordView {
  std::string_view key;
  uint64_t seq = 0;
  RecordType type = RecordType::kValue;
  std::string_view value;
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_STORAGE_RECORD_H_
