#include "shell/interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <atomic>

namespace kstone::shell {
namespace {

// Lock-free atomics are async-signal-safe ([support.signal]).
std::atomic<int> g_interrupted{0};
// The write end of the wake-up pipe, or -1.
std::atomic<int> g_wake_write{-1};
std::atomic<int> g_wake_read{-1};
static_assert(std::atomic<int>::is_always_lock_free);

// Runs on whichever thread the kernel picks (the engine's background
// threads do not block SIGINT); uses only a lock-free atomic and write(2).
extern "C" void OnSigint(int) {
  g_interrupted.store(1);
  const int fd = g_wake_write.load();
  if (fd >= 0) {
    const int saved_errno = errno;
    const char byte = 'i';
    // A full pipe already holds a wake-up; nothing to do then.
    [[maybe_unused]] ssize_t ignored = write(fd, &byte, 1);
    errno = saved_errno;
  }
}

void DrainWakeFd() {
  const int fd = g_wake_read.load();
  if (fd < 0) return;
  char buf[64];
  while (read(fd, buf, sizeof(buf)) > 0) {
  }
}

}  // namespace

ScopedInterruptHandler::ScopedInterruptHandler() {
  memset(&previous_, 0, sizeof(previous_));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return;
  g_wake_read.store(fds[0]);
  g_wake_write.store(fds[1]);
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = OnSigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ClearInterrupt();
  installed_ = sigaction(SIGINT, &action, &previous_) == 0;
}

ScopedInterruptHandler::~ScopedInterruptHandler() {
  if (installed_) sigaction(SIGINT, &previous_, nullptr);
  const int r = g_wake_read.exchange(-1), w = g_wake_write.exchange(-1);
  if (r >= 0) close(r);
  if (w >= 0) close(w);
}

bool InterruptPending() { return g_interrupted.load() != 0; }

bool TakeInterrupt() {
  DrainWakeFd();
  return g_interrupted.exchange(0) != 0;
}

void ClearInterrupt() {
  DrainWakeFd();
  g_interrupted.store(0);
}

void RequestInterrupt() { g_interrupted.store(1); }

int InterruptWakeFd() { return g_wake_read.load(); }

}  // namespace kstone::shell
