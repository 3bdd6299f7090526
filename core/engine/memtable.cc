#include "core/engine/memtable.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string_view>

#include "absl/base/attributes.h"
#include "core/util/coding.h"
#include "core/util/hash.h"

namespace kstone::core {
namespace {

inline std::string_view EntryKey(const char* entry, const char** after) {
  uint32_t key_len;
  const char* p = DecodeTrustedVarint32(entry, &key_len);
  *after = p + key_len;
  return std::string_view(p, key_len);
}

// Like memcmp plus a length tiebreak, inline: the skiplist compares keys
// ~10 times per insert, keys of a stripe share long prefixes (stripe,
// namespace, often much of the partition key), and a libc call per
// comparison cost more than the comparison. Eight bytes at a time, compared
// as big-endian words.
inline int CompareKeys(std::string_view a, std::string_view b) {
  static_assert(std::endian::native == std::endian::little);
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) {
      return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
    }
  }
  for (; i < n; ++i) {
    const unsigned char ca = static_cast<unsigned char>(a[i]);
    const unsigned char cb = static_cast<unsigned char>(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() < b.size()) return -1;
  return a.size() > b.size() ? 1 : 0;
}

}  // namespace

RecordView DecodeMemTableEntry(const char* entry) {
  RecordView view;
  const char* p;
  view.key = EntryKey(entry, &p);
  const uint64_t tag = DecodeFixed64(p);
  view.seq = tag >> 8;
  view.type = static_cast<RecordType>(tag & 0xff);
  const char* value = reinterpret_cast<const char*>(
      static_cast<uintptr_t>(DecodeFixed64(p + 8)));
  uint32_t value_len;
  DecodeTrustedVarint32(p + 16, &value_len);
  view.value = std::string_view(value_len > 0 ? value : "", value_len);
  return view;
}

// A skiplist node: the record it points at and its forward links. Allocated
// in the arena with room for `height` links (next_ is declared with one).
struct MemTable::Node {
  explicit Node(const char* e) : entry(e) {}

  Node* Next(int level) const {
    return next_[level].load(std::memory_order_acquire);
  }
  void SetNext(int level, Node* node) {
    next_[level].store(node, std::memory_order_release);
  }
  Node* NextRelaxed(int level) const {
    return next_[level].load(std::memory_order_relaxed);
  }
  void SetNextRelaxed(int level, Node* node) {
    next_[level].store(node, std::memory_order_relaxed);
  }

  const char* const entry;
  std::atomic<Node*> next_[1];
};

MemTable::MemTable(uint64_t id, size_t filter_bytes)
    : id_(id),
      head_(NewHead()),
      rnd_(static_cast<uint32_t>(id * 2654435761u) | 1u),
      filter_words_(filter_bytes / sizeof(uint64_t)) {
  if (filter_words_ > 0) {
    // Value-initialised: every word starts at zero.
    filter_ = std::make_unique<std::atomic<uint64_t>[]>(filter_words_);
  }
  for (Node*& node : splice_) node = head_;
}

bool MemTable::FilterMayContain(uint64_t filter_hash) const {
  if (filter_words_ == 0) return true;
  const uint64_t mask = FilterMask(filter_hash);
  return (filter_[FilterWord(filter_hash)].load(std::memory_order_relaxed) &
          mask) == mask;
}

MemTable::Node* MemTable::NewHead() {
  const size_t bytes =
      sizeof(Node) + sizeof(std::atomic<Node*>) * (kMaxHeight - 1);
  head_storage_ = std::make_unique<char[]>(bytes);
  Node* node = new (head_storage_.get()) Node(nullptr);
  for (int i = 0; i < kMaxHeight; ++i) {
    // Links beyond next_[0] live in the extra room allocated above.
    new (&node->next_[i]) std::atomic<Node*>(nullptr);
  }
  return node;
}

int MemTable::RandomHeight() {
  int height = 1;
  while (height < kMaxHeight) {
    // xorshift32
    rnd_ ^= rnd_ << 13;
    rnd_ ^= rnd_ >> 17;
    rnd_ ^= rnd_ << 5;
    if ((rnd_ & 3) != 0) break;  // grow with probability 1/4
    ++height;
  }
  return height;
}

int MemTable::Compare(const char* a, const char* b) {
  const char* pa;
  const char* pb;
  const int r = CompareKeys(EntryKey(a, &pa), EntryKey(b, &pb));
  if (r != 0) return r;
  const uint64_t sa = DecodeFixed64(pa) >> 8;
  const uint64_t sb = DecodeFixed64(pb) >> 8;
  if (sa > sb) return -1;  // newer first
  return sa < sb ? 1 : 0;
}

// Inlined into the walks: a call per node visited cost a tenth of the
// walk's instructions.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline int MemTable::CompareWith(
    const char* entry, std::string_view key, uint64_t seq) {
  const char* p;
  const int r = CompareKeys(EntryKey(entry, &p), key);
  if (r != 0) return r;
  const uint64_t s = DecodeFixed64(p) >> 8;
  if (s > seq) return -1;
  return s < seq ? 1 : 0;
}

template <typename OnNode>
MemTable::Node* MemTable::Walk(std::string_view key, uint64_t seq, Node** prev,
                               OnNode on_node) const {
  Node* x = head_;
  int level = max_height() - 1;
  while (true) {
    Node* next = x->Next(level);
    // The walk is a chain of cache misses; overlap them. While `next` is
    // loaded and compared, start loading both nodes the walk may visit
    // after it: x's successor one level down (if `next` is past the key,
    // the walk descends there; x is in cache, so its link costs nothing)
    // and `next`'s successor on this level (if it advances).
    if (level > 0) __builtin_prefetch(x->NextRelaxed(level - 1));
    if (next != nullptr) __builtin_prefetch(next->NextRelaxed(level));
    const bool before =
        next != nullptr && CompareWith(next->entry, key, seq) < 0;
    if (next != nullptr) on_node();
    if (before) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      --level;
    }
  }
}

MemTable::Node* MemTable::FindGreaterOrEqual(std::string_view key, uint64_t seq,
                                             Node** prev) const {
  return Walk(key, seq, prev, [] {});
}

void MemTable::PrepareAdd(std::string_view key,
                          absl::Span<const int> step_nodes,
                          absl::FunctionRef<void()> on_step) {
  assert(std::is_sorted(step_nodes.begin(), step_nodes.end()));
  // Noted for the Add that follows (see prepared_key_).
  prepared_size_ = 0;
  if (!key.empty() && key.size() <= kPreparedKeyBytes) {
    std::memcpy(prepared_key_, key.data(), key.size());
    prepared_size_ = key.size();
  }
  size_t taken = 0;
  // (key, kMaxSeq) sorts before every record of `key`, which is where a
  // newer record of it goes. Keys arriving in order are bracketed by the
  // last Add's splice already: no walk.
  if (!SpliceFits(key, kMaxSeq, max_height())) {
    // Inlined into the walk's loop: a count and one comparison per node.
    int visited = 0;
    int stop = step_nodes.empty() ? 0 : step_nodes[0];
    Walk(key, kMaxSeq, splice_, [&] {
      if (++visited != stop) return;
      on_step();
      ++taken;
      stop = taken < step_nodes.size() ? step_nodes[taken] : 0;
    });
  }
  for (; taken < step_nodes.size(); ++taken) on_step();
}

bool MemTable::SpliceFits(std::string_view key, uint64_t seq,
                          int height) const {
  for (int i = 0; i < height; ++i) {
    const Node* prev = splice_[i];
    if (prev != head_ && CompareWith(prev->entry, key, seq) >= 0) return false;
    // Only this writer stores links, so a relaxed load sees its own stores.
    const Node* next = prev->NextRelaxed(i);
    if (next != nullptr && CompareWith(next->entry, key, seq) <= 0) {
      return false;
    }
  }
  return true;
}

MemTable::Node* MemTable::FindLessThan(const char* entry) const {
  Node* x = head_;
  int level = max_height() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr && Compare(next->entry, entry) < 0) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

MemTable::Node* MemTable::FindLastKeyAtMost(std::string_view key) const {
  Node* x = head_;
  int level = max_height() - 1;
  while (true) {
    Node* next = x->Next(level);
    const char* p;
    if (next != nullptr && CompareKeys(EntryKey(next->entry, &p), key) <= 0) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

MemTable::Node* MemTable::FindLast() const {
  Node* x = head_;
  int level = max_height() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next != nullptr) {
      x = next;
    } else {
      if (level == 0) return x;
      --level;
    }
  }
}

void MemTable::Add(uint64_t seq, RecordType type, std::string_view key,
                   std::string_view value, uint64_t filter_hash) {
  assert(seq <= kMaxSeq);
  assert(filter_words_ == 0 || filter_hash == KeyHash(key));
  const size_t key_len = key.size();
  const size_t value_len = value.size();
  const size_t entry_len =
      VarintLength(key_len) + key_len + 8 + 8 + VarintLength(value_len);
  // The filter word is a random cache line: start loading it now, so that
  // the miss overlaps the encoding and the search below.
  if (filter_words_ > 0) {
    __builtin_prefetch(&filter_[FilterWord(filter_hash)], 1);
  }
  const int height = RandomHeight();
  // The node and its record in one allocation: node first (aligned), record
  // right after its links.
  const size_t node_len =
      sizeof(Node) + sizeof(std::atomic<Node*>) * (height - 1);
  char* mem = arena_.AllocateAligned(node_len + entry_len);
  char* entry = mem + node_len;
  char* p = EncodeVarint64(entry, static_cast<uint32_t>(key_len));
  if (key_len > 0) std::memcpy(p, key.data(), key_len);
  p += key_len;
  EncodeFixed64(p, (seq << 8) | static_cast<uint64_t>(type));
  p += 8;
  char* value_copy = nullptr;
  if (value_len > 0) {
    value_copy = arena_.AllocateFromEnd(value_len);
    std::memcpy(value_copy, value.data(), value_len);
  }
  EncodeFixed64(p,
                static_cast<uint64_t>(reinterpret_cast<uintptr_t>(value_copy)));
  p += 8;
  EncodeVarint64(p, static_cast<uint32_t>(value_len));

  Node* prev[kMaxHeight];
  const int old_height = max_height();
  // After PrepareAdd(key), splice_ brackets (key, kMaxSeq) at every level,
  // and so (key, seq) too if seq is above every record's here (then no
  // record of key sorts between the two).
  const bool newest =
      seq > max_seq_ || records_.load(std::memory_order_relaxed) == 0;
  const bool prepared = prepared_size_ > 0 && newest &&
                        key == std::string_view(prepared_key_, prepared_size_);
  prepared_size_ = 0;
  assert(!prepared || SpliceFits(key, seq, height));
  if (prepared || SpliceFits(key, seq, height)) {
    // splice_ is head_ at every level >= old_height (no node has them yet).
    for (int i = 0; i < height; ++i) prev[i] = splice_[i];
  } else {
    Node* found = FindGreaterOrEqual(key, seq, prev);
    assert(found == nullptr || CompareWith(found->entry, key, seq) != 0);
    (void)found;
    // The search's predecessors above the new node's levels are a better
    // hint for the next Add than the old ones (they bracket this key).
    for (int i = height; i < old_height; ++i) splice_[i] = prev[i];
  }
  if (height > old_height) {
    for (int i = old_height; i < height; ++i) prev[i] = head_;
    // Readers that see the new height before the node find null links from
    // head_ at the new levels, which is fine.
    max_height_.store(height, std::memory_order_relaxed);
  }
  if (filter_words_ > 0) {
    // Set before the record is published below (release), so a reader that
    // can see the record sees its bits. Only this writer stores here.
    std::atomic<uint64_t>& word = filter_[FilterWord(filter_hash)];
    word.store(word.load(std::memory_order_relaxed) | FilterMask(filter_hash),
               std::memory_order_relaxed);
  }
  Node* node = new (mem) Node(entry);
  for (int i = 0; i < height; ++i) {
    new (&node->next_[i]) std::atomic<Node*>(nullptr);
  }
  for (int i = 0; i < height; ++i) {
    // The node is private until the release store into prev[i] publishes it.
    node->SetNextRelaxed(i, prev[i]->NextRelaxed(i));
    prev[i]->SetNext(i, node);
    splice_[i] = node;
  }
  if (records_.load(std::memory_order_relaxed) == 0 || seq < min_seq_) {
    min_seq_ = seq;
  }
  if (seq > max_seq_) max_seq_ = seq;
  // Only this writer changes the count: a plain store (release) instead of
  // a locked read-modify-write.
  records_.store(records_.load(std::memory_order_relaxed) + 1,
                 std::memory_order_release);
}

std::optional<LookupResult> MemTable::Get(std::string_view key,
                                          uint64_t filter_hash) const {
  assert(filter_words_ == 0 || filter_hash == KeyHash(key));
  if (!FilterMayContain(filter_hash)) return std::nullopt;
  LookupResult result;
  if (!ResultIfKey(FindGreaterOrEqual(key, kMaxSeq, nullptr), key, &result)) {
    return std::nullopt;
  }
  return result;
}

bool MemTable::GetPreparedInto(std::string_view key, LookupResult* out) const {
  // PrepareAdd left splice_[0] as the last node before (key, kMaxSeq).
  assert(SpliceFits(key, kMaxSeq, 1));
  return ResultIfKey(splice_[0]->NextRelaxed(0), key, out);
}

bool MemTable::ResultIfKey(const Node* node, std::string_view key,
                           LookupResult* out) {
  if (node == nullptr) return false;
  // The key first: the node is usually another key's (a read of a key
  // that is not here), whose record need not be decoded further.
  const char* after_key;
  if (EntryKey(node->entry, &after_key) != key) return false;
  const RecordView record = DecodeMemTableEntry(node->entry);
  out->seq = record.seq;
  out->type = record.type;
  out->value.assign(record.value.data(), record.value.size());
  return true;
}

// Iterates the skiplist. Not thread-safe; safe against the concurrent writer.
class MemTable::Iterator final : public TableIterator {
 public:
  explicit Iterator(const MemTable* table) : table_(table) {}

  bool Valid() const override { return node_ != nullptr; }
  void SeekToFirst() override { node_ = table_->head_->Next(0); }
  void SeekToLast() override { SetOrNull(table_->FindLast()); }
  void Seek(std::string_view key) override {
    node_ = table_->FindGreaterOrEqual(key, kMaxSeq, nullptr);
  }
  void SeekForPrev(std::string_view key) override {
    SetOrNull(table_->FindLastKeyAtMost(key));
  }
  void Next() override {
    assert(Valid());
    node_ = node_->Next(0);
  }
  void Prev() override {
    assert(Valid());
    SetOrNull(table_->FindLessThan(node_->entry));
  }
  RecordView record() const override {
    assert(Valid());
    return DecodeMemTableEntry(node_->entry);
  }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  void SetOrNull(Node* node) { node_ = node == table_->head_ ? nullptr : node; }

  const MemTable* const table_;
  Node* node_ = nullptr;
};

std::unique_ptr<TableIterator> MemTable::NewIterator() const {
  return std::make_unique<Iterator>(this);
}

}  // namespace kstone::core
