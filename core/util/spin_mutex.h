#ifndef KSTONE_CORE_UTIL_SPIN_MUTEX_H_
#define KSTONE_CORE_UTIL_SPIN_MUTEX_H_

// SpinMutex: a lock for critical sections of a few instructions (a pointer
// copy or swap), taken on every read and conditional write: a stripe's view
// pointer (core/engine/stripe.h).
//
// Why not core::Mutex there: std::mutex is a call into pthreads each way,
// ~110 instructions and two atomic read-modify-writes per lock and unlock;
// this is one exchange to lock and a plain release store to unlock, inline.
// A waiter spins (the holder is done within nanoseconds unless preempted)
// and yields the processor after a while, so a holder that was preempted
// gets to run. Never hold it across anything that can block or take long.
//
// Thread safety: this is the synchronisation primitive. Annotated for
// Clang's thread-safety analysis like core::Mutex; MutexLock holds it.

#include <atomic>
#include <thread>

#include "absl/base/attributes.h"
#include "absl/base/thread_annotations.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace kstone::core {

class ABSL_LOCKABLE SpinMutex {
 public:
  SpinMutex() = default;
  SpinMutex(const SpinMutex&) = delete;
  SpinMutex& operator=(const SpinMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    if (!locked_.exchange(true, std::memory_order_acquire)) return;
    LockSlow();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    locked_.store(false, std::memory_order_release);
  }

 private:
  // Spins until the lock looks free, then tries again; out of line, as
  // contention is rare.
  ABSL_ATTRIBUTE_NOINLINE void LockSlow() {
    int spins = 0;
    do {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < kSpinsBeforeYield) {
          Pause();
        } else {
          std::this_thread::yield();
        }
      }
    } while (locked_.exchange(true, std::memory_order_acquire));
  }

  static void Pause() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
  }

  // A pause is ~10-100 cycles depending on the processor: this spins for
  // about the time of a short critical section's preemption-free run
  // several times over before giving the holder the processor.
  static constexpr int kSpinsBeforeYield = 128;

  std::atomic<bool> locked_{false};
};

}  // namespace kstone::core

#endif  // KSTONE_CORE_UTIL_SPIN_MUTEX_H_
