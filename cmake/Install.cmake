# `cmake --install` puts libkstone, the public headers, a CMake package
# (find_package(kstone CONFIG) -> kstone::kstone) and a pkg-config file in place.
include(CMakePackageConfigHelpers)

install(TARGETS kstone_api EXPORT kstoneTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY api/include/kstone DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET kstone)
  install(TARGETS kstone RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT kstoneTargets NAMESPACE kstone::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kstone)
configure_package_config_file(cmake/kstoneConfig.cmake.in
  ${CMAKE_BINARY_DIR}/kstoneConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kstone)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/kstoneConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/kstoneConfig.cmake
              ${CMAKE_BINARY_DIR}/kstoneConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kstone)
# The .pc file finds the prefix relative to itself (lib may be multiarch).
file(RELATIVE_PATH KSTONE_PC_TO_PREFIX
     /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(cmake/kstone.pc.in ${CMAKE_BINARY_DIR}/kstone.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/kstone.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
