// kstone: the command-line tool and interactive shell. See docs/cli.md.

#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "shell/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  return kstone::shell::RunCli(args, &std::cin, &std::cout, &std::cerr,
                               isatty(STDIN_FILENO) != 0);
}
