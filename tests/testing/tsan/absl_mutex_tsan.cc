// ThreadSanitizer support for the system Abseil (TSan builds only).
//
// Debian's libabsl_synchronization.so is not built with -fsanitize=thread,
// so TSan never sees an absl::Mutex being locked or unlocked and reports
// races on data that is in fact protected by one. Rather than touch the code
// that uses absl::Mutex, tests/CMakeLists.txt links this file into every
// test executable when KSTONE_TSAN is ON. Definitions in the executable
// interpose the shared library's: each member below forwards to the real
// implementation (looked up once with dlsym(RTLD_NEXT, <mangled name>)) and
// tells TSan about the happens-before edge the mutex provides:
//   - __tsan_acquire(mu) after the mutex is acquired,
//   - __tsan_release(mu) before it is released,
//   - around waits that drop and retake the mutex (Mutex::Await*,
//     CondVar::Wait*): release before, acquire after.
// Only the members our code calls out of line are covered (see `nm -C -u`
// on the objects); Signal/SignalAll need nothing, as the woken thread
// synchronises through the mutex it retakes. Readers also acquire/release,
// which orders readers among themselves: a (harmless) source of missed
// reports, never of false ones. The mangled names carry Debian's inline
// namespace (absl::debian3); a mismatch fails loudly at the first call.
//
// Abseil's deadlock detector keeps a graph of lock orders guarded by an
// internal spin lock TSan does not see either; its libc calls (memmove) from
// the uninstrumented library are reported as races. The default
// suppressions below ignore the interceptors called from those libraries
// only; our own code is still checked in full.

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace {

// The next definition of `mangled` after this executable, i.e. Abseil's.
void* RealSymbol(const char* mangled) {
  void* sym = dlsym(RTLD_NEXT, mangled);
  if (sym == nullptr) {
    std::fprintf(stderr, "absl_mutex_tsan: dlsym(%s) failed: %s\n", mangled,
                 dlerror());
    std::abort();
  }
  return sym;
}

// Resolves the real member function once; `Fn` is its plain-function form
// (the object pointer first, as the Itanium ABI passes it).
template <typename Fn>
Fn Real(const char* mangled) {
  return reinterpret_cast<Fn>(RealSymbol(mangled));
}

#define KSTONE_REAL(type, mangled) static const type real = Real<type>(mangled)

}  // namespace

extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libabsl_graphcycles_internal.so\n"
         "called_from_lib:libabsl_malloc_internal.so\n";
}

namespace absl {
ABSL_NAMESPACE_BEGIN

using MuFn = void (*)(Mutex*);
using MuTryFn = bool (*)(Mutex*);
using MuCondFn = bool (*)(Mutex*, const Condition&);
using MuAwaitFn = void (*)(Mutex*, const Condition&);
using MuCondTimeoutFn = bool (*)(Mutex*, const Condition&, Duration);
using MuCondDeadlineFn = bool (*)(Mutex*, const Condition&, Time);
using CvWaitFn = void (*)(CondVar*, Mutex*);
using CvTimeoutFn = bool (*)(CondVar*, Mutex*, Duration);
using CvDeadlineFn = bool (*)(CondVar*, Mutex*, Time);

void Mutex::Lock() {
  KSTONE_REAL(MuFn, "_ZN4absl7debian35Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderLock() {
  KSTONE_REAL(MuFn, "_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}

bool Mutex::TryLock() {
  KSTONE_REAL(MuTryFn, "_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  KSTONE_REAL(MuTryFn, "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::Unlock() {
  KSTONE_REAL(MuFn, "_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  KSTONE_REAL(MuFn, "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  KSTONE_REAL(MuAwaitFn, "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  real(this, cond);
  __tsan_acquire(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  KSTONE_REAL(MuAwaitFn,
              "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  real(this, cond);
  __tsan_acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  KSTONE_REAL(MuCondTimeoutFn,
              "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_"
              "9ConditionENS0_8DurationE");
  const bool met = real(this, cond, timeout);
  __tsan_acquire(this);  // held on return either way
  return met;
}

void Mutex::Await(const Condition& cond) {
  KSTONE_REAL(MuAwaitFn, "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  __tsan_release(this);
  real(this, cond);
  __tsan_acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  KSTONE_REAL(MuCondTimeoutFn,
              "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_"
              "9ConditionENS0_8DurationE");
  __tsan_release(this);
  const bool met = real(this, cond, timeout);
  __tsan_acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  KSTONE_REAL(MuCondDeadlineFn,
              "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_"
              "9ConditionENS0_4TimeE");
  __tsan_release(this);
  const bool met = real(this, cond, deadline);
  __tsan_acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  KSTONE_REAL(CvWaitFn, "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  KSTONE_REAL(CvTimeoutFn,
              "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_"
              "5MutexENS0_8DurationE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, timeout);
  __tsan_acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  KSTONE_REAL(CvDeadlineFn,
              "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_"
              "5MutexENS0_4TimeE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, deadline);
  __tsan_acquire(mu);
  return timed_out;
}

ABSL_NAMESPACE_END
}  // namespace absl
