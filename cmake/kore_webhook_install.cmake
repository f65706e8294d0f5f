# Install rules for the header-only kore_webhook library (included from the top-level
# CMakeLists.txt when KORE_WEBHOOK_INSTALL is ON).
#
# Install tree (the layout vcpkg's and Conan's recipes expect; tests/packaging checks it):
#   include/kore/webhook.hpp, include/kore/webhook/*.hpp   headers
#   share/cmake/kore_webhook/                              CMake package (find_package(kore_webhook))
#   share/pkgconfig/kore_webhook.pc                        pkg-config (header-only: share/, as nlohmann_json)
#   share/doc/kore_webhook/LICENSE                         GNU DOCDIR; vcpkg and Conan copy LICENSE themselves
# Nothing goes into lib/: the library is header-only and architecture independent.
# The command-line tool installs separately (component "cli", excluded from a plain install).

include(CMakePackageConfigHelpers)

set(_kore_cmake_dir "${CMAKE_INSTALL_DATADIR}/cmake/kore_webhook")

# Consumers spell the installed target kore::webhook, exactly like the in-tree alias.
set_target_properties(kore_webhook PROPERTIES EXPORT_NAME webhook)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/kore"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT devel
  FILES_MATCHING PATTERN "*.hpp")

install(TARGETS kore_webhook EXPORT kore_webhookTargets)
install(EXPORT kore_webhookTargets
  NAMESPACE kore::
  DESTINATION "${_kore_cmake_dir}"
  COMPONENT devel)

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/kore_webhookConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/kore_webhookConfig.cmake"
  INSTALL_DESTINATION "${_kore_cmake_dir}"
  NO_SET_AND_CHECK_MACRO)

# SameMajorVersion, as issue #2 specifies: find_package(kore_webhook 0) must find any 0.y.z.
# (Before 1.0.0 a minor release may still break the API; CHANGELOG.md says when one does.)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/kore_webhookConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)

install(FILES
  "${PROJECT_BINARY_DIR}/kore_webhookConfig.cmake"
  "${PROJECT_BINARY_DIR}/kore_webhookConfigVersion.cmake"
  DESTINATION "${_kore_cmake_dir}"
  COMPONENT devel)

# pkg-config: the prefix is found relative to the .pc file, so the install tree stays relocatable
# (cmake --install --prefix, DESTDIR, vcpkg and Conan package folders).
set(_kore_pc_dir "${CMAKE_INSTALL_DATADIR}/pkgconfig")
file(RELATIVE_PATH _kore_pc_up "${CMAKE_INSTALL_FULL_DATADIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" _kore_pc_up "${_kore_pc_up}")
set(KORE_WEBHOOK_PC_PREFIX "\${pcfiledir}/${_kore_pc_up}")
file(RELATIVE_PATH _kore_pc_inc "${CMAKE_INSTALL_PREFIX}" "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
set(KORE_WEBHOOK_PC_INCLUDEDIR "\${prefix}/${_kore_pc_inc}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/kore_webhook.pc.in" "${PROJECT_BINARY_DIR}/kore_webhook.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/kore_webhook.pc" DESTINATION "${_kore_pc_dir}" COMPONENT devel)

install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT devel)

unset(_kore_cmake_dir)
unset(_kore_compat)
unset(_kore_pc_dir)
unset(_kore_pc_up)
unset(_kore_pc_inc)
