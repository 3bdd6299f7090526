#ifndef KSTONE_SHELL_INTERRUPT_H_
#define KSTONE_SHELL_INTERRUPT_H_

// Ctrl-C in the interactive shell. The SIGINT handler only stores into a
// lock-free atomic flag and writes one byte to a non-blocking pipe (both
// async-signal-safe; the "self-pipe trick"). The kernel may run the handler
// on any thread (the engine's threads do not block SIGINT), so the pipe is
// what wakes the thread waiting for input:
//   - while waiting for input, the line reader (line_reader.cc) polls the
//     terminal and the pipe, reports the line as interrupted, and the shell
//     cancels the current input (a fresh prompt, any multi-line statement
//     dropped);
//   - long-running shell work (transfer.h: the item count of .stats,
//     .import, .export, .save) checks it between pages or lines and stops
//     early.
// The handler is installed with SA_RESTART, so the engine's blocking system
// calls (read, write, fsync) are restarted, never failed with EINTR.
//
// Installed only for an interactive shell (stdin is a terminal); a piped or
// scripted shell keeps the default disposition (Ctrl-C ends it).
//
// Thread safety: InterruptPending/TakeInterrupt/ClearInterrupt may be called
// from any thread (Take/Clear by one at a time); ScopedInterruptHandler must be
// created and destroyed on one thread and not nested.

#include <signal.h>

namespace kstone::shell {

// Installs the SIGINT handler for the object's lifetime and restores the
// previous disposition when destroyed.
class ScopedInterruptHandler {
 public:
  ScopedInterruptHandler();
  ~ScopedInterruptHandler();

  ScopedInterruptHandler(const ScopedInterruptHandler&) = delete;
  ScopedInterruptHandler& operator=(const ScopedInterruptHandler&) = delete;

  // False if the pipe or sigaction failed (Ctrl-C then keeps its default
  // effect and ends the shell).
  bool installed() const { return installed_; }

 private:
  bool installed_ = false;
  struct sigaction previous_;
};

// True if a SIGINT arrived since the last TakeInterrupt/ClearInterrupt.
bool InterruptPending();
// Returns InterruptPending() and clears the flag.
bool TakeInterrupt();
void ClearInterrupt();
// Sets the flag (no wake-up; for tests).
void RequestInterrupt();
// The read end of the wake-up pipe (readable after a SIGINT), or -1 when no
// handler is installed. Take/ClearInterrupt empty it.
int InterruptWakeFd();

}  // namespace kstone::shell

#endif  // KSTONE_SHELL_INTERRUPT_H_
