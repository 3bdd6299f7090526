#ifndef KSTONE_TESTS_CORE_ENGINE_ENGINE_TEST_UTIL_H_
#define KSTONE_TESTS_CORE_ENGINE_ENGINE_TEST_UTIL_H_

// Helpers shared by the engine suites: the backends they are parameterised
// over, keys, and a storage wrapper whose WAL can be made to fail.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/engine/engine.h"
#include "core/engine/engine_impl.h"
#include "core/storage/storage.h"
#include "gtest/gtest.h"

namespace kstone::core::testing {

// An engine key in `stripe`.
inline std::string K(uint32_t stripe, std::string_view rest) {
  return std::string(1, static_cast<char>(stripe)) + std::string(rest);
}

inline WriteBatch Batch(std::vector<Mutation> mutations) {
  WriteBatch batch;
  batch.mutations = std::move(mutations);
  return batch;
}
inline Mutation PutM(std::string key, std::string value) {
  return Mutation{RecordType::kValue, std::move(key), std::move(value)};
}
inline Mutation DelM(std::string key) {
  return Mutation{RecordType::kDeletion, std::move(key), ""};
}
inline absl::Status Put(Engine* e, std::string key, std::string value) {
  return e->Write(Batch({PutM(std::move(key), std::move(value))}));
}
inline absl::Status Del(Engine* e, std::string key) {
  return e->Write(Batch({DelM(std::move(key))}));
}
// Writes keys 0-69 (key_of(i), value "v<i>") so that 0-39 end up in tables
// (flushed in two rounds, so a stripe may hold two) and 40-69 stay in the
// memtable, then deletes every fifth: the places a read must find a key
// in. REQUIRES: an engine that flushes only when asked.
inline absl::Status WriteAcrossTablesAndMemtable(
    Engine* e, absl::FunctionRef<std::string(int)> key_of) {
  for (int i = 0; i < 70; ++i) {
    if (i == 20 || i == 40) {
      if (absl::Status s = e->Flush(); !s.ok()) return s;
    }
    if (absl::Status s = Put(e, key_of(i), "v" + std::to_string(i)); !s.ok()) {
      return s;
    }
  }
  for (int i = 0; i < 70; i += 5) {
    if (absl::Status s = Del(e, key_of(i)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// The engine's value of `key` (nullopt if absent or deleted); an error
// fails the test.
inline std::optional<std::string> GetOrDie(Engine* e, std::string_view key) {
  absl::StatusOr<std::optional<std::string>> r = e->Get(key);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::nullopt;
}

// A WAL that forwards to another and fails every Append from the Nth on
// (counting from 1; 0 = never).
class FailingWal final : public Wal {
 public:
  explicit FailingWal(Wal* base) : base_(base) {}
  void FailFrom(int64_t n) { fail_from_ = n; }
  absl::Status Append(const WriteBatch& batch, bool sync) override {
    const int64_t n = ++appends_;
    if (fail_from_ > 0 && n >= fail_from_) {
      return absl::UnavailableError("injected WAL append failure");
    }
    return base_->Append(batch, sync);
  }
  absl::Status Sync() override { return base_->Sync(); }
  absl::StatusOr<WalReplayReport> Replay(
      const std::function<absl::Status(const WriteBatch&)>& fn) override {
    return base_->Replay(fn);
  }
  absl::StatusOr<uint64_t> Rotate() override { return base_->Rotate(); }
  absl::Status RemoveSegmentsThrough(uint64_t segment) override {
    return base_->RemoveSegmentsThrough(segment);
  }
  WalStats stats() const override { return base_->stats(); }

 private:
  Wal* const base_;
  std::atomic<int64_t> appends_{0};
  std::atomic<int64_t> fail_from_{0};
};

class FailingStorage final : public Storage {
 public:
  explicit FailingStorage(std::unique_ptr<Storage> base)
      : base_(std::move(base)), wal_(base_->wal()) {}
  Wal* wal() override { return &wal_; }
  TableStore* tables() override { return base_->tables(); }
  bool created() const override { return base_->created(); }
  std::string description() const override { return base_->description(); }
  FailingWal* failing_wal() { return &wal_; }

 private:
  std::unique_ptr<Storage> base_;
  FailingWal wal_;
};

inline EngineImpl* Impl(Engine* e) { return static_cast<EngineImpl*>(e); }

}  // namespace kstone::core::testing

#endif  // KSTONE_TESTS_CORE_ENGINE_ENGINE_TEST_UTIL_H_
