#include "core/util/spin_mutex.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/util/mutex.h"
#include "gtest/gtest.h"

namespace kstone::core {
namespace {

// Threads increment a plain (non-atomic) counter under the lock, reading
// it, copying it twice and writing it back: without mutual exclusion
// increments are lost and a holder sees another's half-done copies (and
// TSan reports the race). The threads start together, to contend. (The
// names of tests that start threads hold "Concurren" or "Thread": the TSan
// run of scripts/test.sh selects them so.)
TEST(SpinMutexTest, ConcurrentIncrementsAreNotLost) {
  SpinMutex mu;
  uint64_t count = 0;
  uint64_t first = 0;
  uint64_t second = 0;
  bool torn = false;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int i = 0; i < kPerThread; ++i) {
        MutexLock lock(&mu);
        const uint64_t c = count;
        if (first != c || second != c) torn = true;
        first = c + 1;
        second = c + 1;
        count = c + 1;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(count, uint64_t{kThreads} * kPerThread);
  EXPECT_FALSE(torn);
}

// A waiter spins past kSpinsBeforeYield while the holder keeps the lock,
// and gets it once the holder lets go: the yielding part of the slow path.
TEST(SpinMutexTest, WaiterThreadGetsTheLockAfterALongHold) {
  SpinMutex mu;
  std::atomic<bool> waiter_started{false};
  std::atomic<bool> waiter_done{false};
  mu.Lock();
  std::thread waiter([&] {
    waiter_started.store(true);
    mu.Lock();
    waiter_done.store(true);
    mu.Unlock();
  });
  while (!waiter_started.load()) std::this_thread::yield();
  // Give the waiter many turns at spinning and yielding before letting go;
  // it cannot have the lock meanwhile.
  for (int i = 0; i < 1000; ++i) std::this_thread::yield();
  EXPECT_FALSE(waiter_done.load());
  mu.Unlock();
  waiter.join();
  EXPECT_TRUE(waiter_done.load());
}

}  // namespace
}  // namespace kstone::core
