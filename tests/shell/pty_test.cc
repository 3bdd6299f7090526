// The interactive shell on a real pseudo-terminal: `kstone shell :memory:`
// driven through forkpty, as a user at a terminal would. Ctrl-C (the
// terminal's interrupt character, turned into SIGINT by the line discipline)
// must cancel the current input and keep the shell running; Ctrl-D on an
// empty line must end it.
//
// Every step waits (with poll and a deadline) for the shell's answer,
// normally the next prompt with the terminal in raw mode, before typing
// more, so the input never races the shell.

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/scratch_dir.h"

#ifndef KSTONE_BINARY
#error "KSTONE_BINARY must name the kstone executable"
#endif

namespace {

using ::testing::HasSubstr;

constexpr char kPrompt[] = "kstone> ";
constexpr char kMorePrompt[] = "   ...> ";

class PtyShell {
 public:
  // Starts `kstone shell :memory:` on a new pseudo-terminal; HOME is `home`
  // (for the history file).
  bool Start(const std::string& home) {
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      setenv("HOME", home.c_str(), 1);
      setenv("TERM", "dumb", 1);
      execl(KSTONE_BINARY, KSTONE_BINARY, "shell",
            ":memory:", static_cast<char*>(nullptr));
      _exit(127);
    }
    return true;
  }

  ~PtyShell() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }

  void Type(const std::string& keys) {
    ASSERT_EQ(write(master_, keys.data(), keys.size()),
              static_cast<ssize_t>(keys.size()));
  }

  // Reads until `text` has appeared `times` times in the whole output, or
  // 10 s pass. True if it did.
  bool WaitFor(const std::string& text, int times = 1) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Count(text) < times) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      struct pollfd p = {master_, POLLIN, 0};
      int n = poll(&p, 1, static_cast<int>(left.count()));
      if (n <= 0) continue;
      char buf[4096];
      ssize_t got = read(master_, buf, sizeof(buf));
      if (got <= 0) {  // the shell closed the terminal (it exited)
        closed_ = true;
        return Count(text) >= times;
      }
      output_.append(buf, static_cast<size_t>(got));
    }
    return true;
  }

  // Waits until the shell shows prompt number `n` and its line editor has
  // put the terminal into raw mode. Until then, typed keys would reach the
  // terminal in cooked mode, where Ctrl-C and Ctrl-D mean something else
  // (libedit prints the prompt a moment before it switches modes). The mode
  // change has no event to wait for, so this polls it (1 ms steps, 10 s
  // deadline).
  bool WaitForPrompt(const std::string& prompt, int n) {
    if (!WaitFor(prompt, n)) return false;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      struct termios t;
      if (tcgetattr(master_, &t) == 0 && (t.c_lflag & ICANON) == 0) {
        return true;
      }
      poll(nullptr, 0, 1);
    }
    return false;
  }

  // Waits for the shell to exit; its exit status, or -1 (then it is
  // killed).
  int Wait() {
    // Drain the output until the shell closes the terminal.
    WaitFor("\x01never\x01");
    if (!closed_) return -1;  // the destructor kills it
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return -1;
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  int Count(const std::string& text) const {
    int n = 0;
    for (size_t p = output_.find(text); p != std::string::npos;
         p = output_.find(text, p + text.size())) {
      ++n;
    }
    return n;
  }

  const std::string& output() const { return output_; }

 private:
  int master_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  bool closed_ = false;
  std::string output_;
};

TEST(PtyShellTest, CtrlCCancelsTheLineAndCtrlDExits) {
  const kstone::testing::ScratchDir home;
  {
    PtyShell shell;
    if (!shell.Start(home.path())) GTEST_SKIP() << "no pseudo-terminals here";
    ASSERT_TRUE(shell.WaitForPrompt(kPrompt, 1)) << shell.output();
    EXPECT_THAT(shell.output(), HasSubstr("interactive shell"));

    shell.Type("put a {\"n\": 1}\r");
    ASSERT_TRUE(shell.WaitForPrompt(kPrompt, 2)) << shell.output();
    EXPECT_THAT(shell.output(), HasSubstr("Item stored"));

    // A half-typed line, then Ctrl-C: a fresh prompt, the line not run.
    shell.Type("delete a");
    ASSERT_TRUE(shell.WaitFor("delete a")) << shell.output();
    shell.Type("\x03");
    ASSERT_TRUE(shell.WaitForPrompt(kPrompt, 3)) << shell.output();
    EXPECT_THAT(shell.output(), HasSubstr("delete a^C"));

    // A multi-line statement, then Ctrl-C: dropped, back to the main
    // prompt.
    shell.Type("SELECT *\r");
    ASSERT_TRUE(shell.WaitForPrompt(kMorePrompt, 1)) << shell.output();
    shell.Type("\x03");
    ASSERT_TRUE(shell.WaitForPrompt(kPrompt, 4)) << shell.output();

    // Ctrl-C on an empty prompt: another prompt.
    shell.Type("\x03");
    ASSERT_TRUE(shell.WaitForPrompt(kPrompt, 5)) << shell.output();

    // The shell still runs, and the item was not deleted.
    shell.Type("get a\r");
    ASSERT_TRUE(shell.WaitForPrompt(kPrompt, 6)) << shell.output();
    EXPECT_THAT(shell.output(), HasSubstr("\"n\": 1"));
    EXPECT_EQ(shell.Count("Error:"), 0) << shell.output();

    // Ctrl-D on an empty line leaves, with status 0 (nothing failed).
    shell.Type("\x04");
    EXPECT_EQ(shell.Wait(), 0) << shell.output();
  }
}

}  // namespace
