// SQLite as a kstone_bench peer: one WITHOUT ROWID table (k BLOB PRIMARY KEY,
// v BLOB), prepared statements, every write its own (autocommit) transaction.
// ":memory:" for the memory engine; on disk a WAL-mode file with
// synchronous=NORMAL (no sync per commit, like the LSM peers) or FULL with
// --sync. A 64 MiB page cache, like the block caches of the other engines.
// One connection shared by all threads, serialised by a mutex (SQLite has
// one writer at a time anyway).

#include <errno.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "bench/compare/bench_engine.h"

namespace kstone::bench {
namespace {

class SqliteEngine final : public BenchEngine {
 public:
  SqliteEngine(bool in_memory, const EngineConfig& config)
      : in_memory_(in_memory), config_(config) {}
  SqliteEngine(const SqliteEngine&) = delete;
  SqliteEngine& operator=(const SqliteEngine&) = delete;
  ~SqliteEngine() override { Close().IgnoreError(); }  // best effort

  absl::Status Open() {
    absl::MutexLock lock(&mu_);
    const std::string path =
        in_memory_ ? ":memory:" : absl::StrCat(config_.dir, "/bench.sqlite");
    if (!in_memory_) {
      if (int rc = ::mkdir(config_.dir.c_str(), 0755);
          rc != 0 && errno != EEXIST) {
        return absl::ErrnoToStatus(errno, config_.dir);
      }
    }
    if (sqlite3_open_v2(
            path.c_str(), &db_,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
            nullptr) != SQLITE_OK) {
      return Error("open");
    }
    std::string setup = "PRAGMA cache_size=-65536;";
    if (!in_memory_) {
      absl::StrAppend(&setup, "PRAGMA journal_mode=WAL;PRAGMA synchronous=",
                      config_.sync ? "FULL;" : "NORMAL;");
    }
    absl::StrAppend(&setup,
                    "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, "
                    "v BLOB) WITHOUT ROWID;");
    if (sqlite3_exec(db_, setup.c_str(), nullptr, nullptr, nullptr) !=
        SQLITE_OK) {
      return Error("setup");
    }
    if (!Prepare("INSERT OR REPLACE INTO kv (k, v) VALUES (?1, ?2)", &put_) ||
        !Prepare("SELECT v FROM kv WHERE k = ?1", &get_) ||
        !Prepare("SELECT k, v FROM kv WHERE k >= ?1 ORDER BY k LIMIT ?2",
                 &scan_)) {
      return Error("prepare");
    }
    return absl::OkStatus();
  }

  absl::Status Put(const BenchOp& op) override {
    absl::MutexLock lock(&mu_);
    return PutLocked(op);
  }

  absl::Status Load(const std::vector<BenchOp>& ops) override {
    absl::MutexLock lock(&mu_);
    if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error("begin");
    }
    for (const BenchOp& op : ops) {
      absl::Status s = PutLocked(op);
      if (!s.ok()) return s;
    }
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error("commit");
    }
    return absl::OkStatus();
  }

  absl::Status Get(const BenchOp& op, bool* found) override {
    absl::MutexLock lock(&mu_);
    sqlite3_bind_blob(get_, 1, op.key.data(), static_cast<int>(op.key.size()),
                      SQLITE_STATIC);
    int rc = sqlite3_step(get_);
    *found = false;
    if (rc == SQLITE_ROW) {
      *found = sqlite3_column_bytes(get_, 0) > 0 &&
               sqlite3_column_blob(get_, 0) != nullptr;
      rc = sqlite3_step(get_);
    }
    sqlite3_reset(get_);
    if (rc != SQLITE_DONE) return Error("get");
    return absl::OkStatus();
  }

  absl::Status Scan(std::string_view start, uint64_t limit,
                    uint64_t* items) override {
    absl::MutexLock lock(&mu_);
    sqlite3_bind_blob(scan_, 1, start.data(), static_cast<int>(start.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(scan_, 2,
                       limit == 0 ? -1 : static_cast<sqlite3_int64>(limit));
    int rc;
    uint64_t n = 0;
    size_t bytes = 0;
    while ((rc = sqlite3_step(scan_)) == SQLITE_ROW) {
      bytes += static_cast<size_t>(sqlite3_column_bytes(scan_, 1));
      ++n;
    }
    sqlite3_reset(scan_);
    *items += n;
    if (rc != SQLITE_DONE) return Error("scan");
    if (bytes == 0 && n > 0) return absl::InternalError("sqlite: empty value");
    return absl::OkStatus();
  }

  absl::Status Close() override {
    absl::MutexLock lock(&mu_);
    for (sqlite3_stmt** st : {&put_, &get_, &scan_}) {
      sqlite3_finalize(*st);
      *st = nullptr;
    }
    if (db_ != nullptr && sqlite3_close(db_) != SQLITE_OK) {
      return absl::InternalError("sqlite: close failed");
    }
    db_ = nullptr;
    return absl::OkStatus();
  }

 private:
  absl::Status PutLocked(const BenchOp& op) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    sqlite3_bind_blob(put_, 1, op.key.data(), static_cast<int>(op.key.size()),
                      SQLITE_STATIC);
    sqlite3_bind_blob(put_, 2, op.encoded.data(),
                      static_cast<int>(op.encoded.size()), SQLITE_STATIC);
    int rc = sqlite3_step(put_);
    sqlite3_reset(put_);
    if (rc != SQLITE_DONE) return Error("put");
    return absl::OkStatus();
  }

  bool Prepare(const char* sql, sqlite3_stmt** st)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return sqlite3_prepare_v2(db_, sql, -1, st, nullptr) == SQLITE_OK;
  }

  absl::Status Error(absl::string_view what) {
    return absl::InternalError(absl::StrCat(
        "sqlite: ", what, ": ", db_ ? sqlite3_errmsg(db_) : "no connection"));
  }

  const bool in_memory_;
  const EngineConfig config_;
  absl::Mutex mu_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* put_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* get_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* scan_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace

absl::StatusOr<std::unique_ptr<BenchEngine>> OpenSqlite(
    bool in_memory, const EngineConfig& config) {
  auto engine = std::make_unique<SqliteEngine>(in_memory, config);
  absl::Status s = engine->Open();
  if (!s.ok()) return s;
  return engine;
}

}  // namespace kstone::bench
