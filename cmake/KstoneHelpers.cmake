# Compiler flags for kstone's own targets (not for generated or third-party code).
set(KSTONE_WARNINGS -Wall -Wextra -Wshadow -Wsign-compare -Wnon-virtual-dtor
    -Wunused-result -Werror)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  list(APPEND KSTONE_WARNINGS -Wthread-safety)
elseif(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 at -O3 reports impossible overlaps inside std::string's own
  # memcpy (GCC bugs 105329, 105651); the warning says nothing about our code.
  list(APPEND KSTONE_WARNINGS -Wno-restrict)
endif()

# Code generation for all targets. GCC, unlike clang, assumes by default
# that any global function of position-independent code may be replaced
# at load time, so it neither inlines one into its callers in the same file
# nor calls it directly; kstone's functions are never replaced (the shared
# library binds its calls to them, api/CMakeLists.txt).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-fno-semantic-interposition)
endif()

if(KSTONE_SANITIZE)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # ASan's instrumentation defeats GCC 12's flow analysis: it reports
    # std::variant moves as maybe-uninitialized. The sanitizer itself checks
    # real uninitialised use at run time (UBSan, ASan), so only the
    # compile-time guess is switched off, and only in this build.
    list(APPEND KSTONE_WARNINGS -Wno-maybe-uninitialized)
  endif()
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(KSTONE_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# kstone_library(NAME <target> SOURCES ... DEPS ...): a static library of ours,
# with the repository root on the include path and our warnings.
function(kstone_library)
  cmake_parse_arguments(K "" "NAME" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(${K_NAME} STATIC ${K_SOURCES})
  target_include_directories(${K_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${K_NAME} PRIVATE ${KSTONE_WARNINGS})
  target_link_libraries(${K_NAME} PUBLIC ${K_PUBLIC_DEPS} PRIVATE ${K_DEPS})
endfunction()

# kstone_glob(<var> <dir>): the .cc files below dir (re-globbed at build time).
function(kstone_glob var dir)
  file(GLOB_RECURSE _srcs CONFIGURE_DEPENDS ${dir}/*.cc)
  set(${var} ${_srcs} PARENT_SCOPE)
endfunction()

# kstone_area(NAME <target> DIRS <dir>... DEPS ...): one static library per
# area of a layer, from the .cc files directly inside DIRS (not below them).
# An area without sources yet is an INTERFACE library, so the tree always
# configures.
function(kstone_area)
  cmake_parse_arguments(K "" "NAME" "DIRS;DEPS" ${ARGN})
  set(_srcs)
  foreach(d IN LISTS K_DIRS)
    file(GLOB _d CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${d}/*.cc)
    list(APPEND _srcs ${_d})
  endforeach()
  if(_srcs)
    add_library(${K_NAME} STATIC ${_srcs})
    target_include_directories(${K_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
    target_include_directories(${K_NAME} SYSTEM PUBLIC ${XXHASH_INCLUDE_DIR})
    target_compile_options(${K_NAME} PRIVATE ${KSTONE_WARNINGS})
    target_link_libraries(${K_NAME} PUBLIC ${K_DEPS})
  else()
    add_library(${K_NAME} INTERFACE)
    target_include_directories(${K_NAME} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${K_NAME} INTERFACE ${K_DEPS})
  endif()
endfunction()
