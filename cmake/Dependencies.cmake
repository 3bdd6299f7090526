# Every dependency comes from Debian's packages (scripts/setup.sh installs them).
find_package(absl CONFIG REQUIRED)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
# xxHash is used header-only (XXH_INLINE_ALL in core/util/hash.h): no link
# dependency, and none for users of the installed package.
find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)

if(KSTONE_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
  include(GoogleTest)
endif()
if(KSTONE_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
