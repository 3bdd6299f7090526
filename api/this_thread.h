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

template <typename T>
T& ThisThreadsInstance() {
  static thread_local T* instance __attribute__((tls_model("initial-exec"))) =
      nullptr;
  if (instance != nullptr) [[likely]] {
    return *instance;
  }
  thread_local T owned;
  instance = &owned;
  return owned;
}

}  // namespace kstone

#endif  // KSTONE_API_THIS_THREAD_H_
