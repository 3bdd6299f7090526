#ifndef KSTONE_API_THIS_THREAD_H_
#define KSTONE_API_THIS_THREAD_H_

// ThisThreadsInstance<T>(): the calling thread's own T, constructed on the
// thread's first call and destroyed when the thread exits, for the
// per-thread memos of the write paths (PreparedUpdateMemo, the existence
// check of a conditional Put).
//
// Why not a plain function-local thread_local: in a shared library it is
// reached through __tls_get_addr (the general-dynamic model) behind an
// initialisation guard, ~100 instructions per access, as much as the memo
// lookup it serves. Here each later call loads one pointer at a fixed
// offset from the thread pointer (the initial-exec model): the dynamic
// loader reserves its 8 bytes when it loads the library, also by dlopen,
// from the static TLS space glibc keeps spare for that.
//
// Thread safety: each thread sees only its own instance.

namespace kstone {
namespace this_thread_internal {

template <typename T>
inline thread_local T* instance __attribute__((tls_model("initial-exec"))) =
    nullptr;

// The first call's work, out of line: what the callers inline is the load
// and the test.
template <typename T>
[[gnu::noinline]] T& Construct() {
  thread_local T owned;
  instance<T> = &owned;
  return owned;
}

}  // namespace this_thread_internal

template <typename T>
inline T& ThisThreadsInstance() {
  T* const instance = this_thread_internal::instance<T>;
  if (instance != nullptr) [[likely]] {
    return *instance;
  }
  return this_thread_internal::Construct<T>();
}

}  // namespace kstone

#endif  // KSTONE_API_THIS_THREAD_H_
