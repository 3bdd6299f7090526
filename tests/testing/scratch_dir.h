#ifndef KSTONE_TESTS_TESTING_SCRATCH_DIR_H_
#define KSTONE_TESTS_TESTING_SCRATCH_DIR_H_

// ScratchDir: a fresh directory for one test, removed with everything in it
// when the ScratchDir goes away.
//
//   ScratchDir dir;                       // /tmp/kstone_Suite_Test_Ab12Cd
//   OpenDiskStorage(fs, dir.Sub("db"), options);
//
// The directory is made under the system temp dir (TMPDIR, else /tmp), its
// name starting with the running test's name so that one left behind (by a
// crash) says whose it was. If it cannot be made the program aborts with
// the reason on stderr: a test must never go on with an empty path, which
// would put its files in the working directory or under "/". (A fixture
// member is constructed where a gtest assertion cannot stop the test.)
//
// Const methods are safe for concurrent use. A forked child must leave
// with _exit, or its copy's destructor removes the parent's directory.

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "gtest/gtest.h"

namespace kstone::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::error_code ec;
    const std::filesystem::path root = std::filesystem::temp_directory_path(ec);
    if (ec) Die("no temp dir", ec.message());
    std::string pattern = (root / (NamePrefix() + "XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) {
      Die(pattern, std::strerror(errno));
    }
    path_ = std::move(pattern);
  }
  // Errors are ignored: a directory left behind fails no test.
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // The directory (absolute, without a trailing slash).
  const std::string& path() const { return path_; }
  // A path inside the directory (not created).
  std::string Sub(std::string_view name) const {
    return path_ + "/" + std::string(name);
  }

 private:
  // "kstone_<suite>_<test>_" for the running test, every character that is
  // not a letter or digit made '_' (parameterised names hold '/'); shortened
  // to stay well inside a file name's limit. "kstone_" outside a test.
  static std::string NamePrefix() {
    std::string name;
    if (const ::testing::TestInfo* test =
            ::testing::UnitTest::GetInstance()->current_test_info()) {
      name = std::string(test->test_suite_name()) + "_" + test->name() + "_";
    }
    constexpr size_t kMaxName = 96;
    if (name.size() > kMaxName) name.resize(kMaxName);
    for (char& c : name) {
      const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9');
      if (!keep) c = '_';
    }
    return "kstone_" + name;
  }

  [[noreturn]] static void Die(const std::string& what,
                               const std::string& why) {
    std::fprintf(stderr, "ScratchDir: cannot create %s: %s\n", what.c_str(),
                 why.c_str());
    std::fflush(stderr);
    std::abort();
  }

  std::string path_;
};

}  // namespace kstone::testing

#endif  // KSTONE_TESTS_TESTING_SCRATCH_DIR_H_
