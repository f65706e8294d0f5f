# Install rules and the build-tree package of the header-only kore_webhook library (included from
# the top-level CMakeLists.txt when KORE_WEBHOOK_INSTALL is ON).
#
# Install tree (the layout vcpkg's and Conan's recipes expect; tests/packaging checks it):
#   include/kore/webhook.hpp, include/kore/webhook/...  headers (CMAKE_INSTALL_INCLUDEDIR)
#   share/cmake/kore_webhook/                          CMake package   (KORE_WEBHOOK_INSTALL_CMAKEDIR)
#   share/pkgconfig/kore_webhook.pc                    pkg-config file (KORE_WEBHOOK_INSTALL_PKGCONFIGDIR)
#   share/doc/kore_webhook/LICENSE                     GNU DOCDIR; vcpkg and Conan copy LICENSE themselves
# Nothing goes into lib/ by default: the library is header-only and architecture independent, so
# its package files sit in share/ (as nlohmann_json's do). A distribution that wants them in
# lib/ sets the two directories; relative values are taken from the install prefix.
# The command-line tool installs separately (component "cli", excluded from a plain install).
#
# Build tree: kore_webhookConfig.cmake, ...ConfigVersion.cmake and ...Targets.cmake are also
# written to the top of the build directory, so another project can use a configured (never
# installed) checkout with -Dkore_webhook_DIR=<build dir>.

set(KORE_WEBHOOK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/kore_webhook" CACHE STRING
  "Install directory of the CMake package files (kore_webhookConfig.cmake), relative to the prefix or absolute")
set(KORE_WEBHOOK_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig" CACHE STRING
  "Install directory of kore_webhook.pc, relative to the prefix or absolute")

include(CMakePackageConfigHelpers)

function(kore_webhook_install_rules)
  set(cmake_dir "${KORE_WEBHOOK_INSTALL_CMAKEDIR}")

  # Consumers spell the installed target kore::webhook, exactly like the in-tree alias.
  set_target_properties(kore_webhook PROPERTIES EXPORT_NAME webhook)

  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/kore"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
    COMPONENT devel
    FILES_MATCHING PATTERN "*.hpp")

  install(TARGETS kore_webhook EXPORT kore_webhookTargets)
  install(EXPORT kore_webhookTargets
    NAMESPACE kore::
    DESTINATION "${cmake_dir}"
    COMPONENT devel)

  # One Config template for both trees: it locates kore_webhookTargets.cmake next to itself.
  set(config_in "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/kore_webhookConfig.cmake.in")
  configure_package_config_file("${config_in}"
    "${PROJECT_BINARY_DIR}/package-install/kore_webhookConfig.cmake"
    INSTALL_DESTINATION "${cmake_dir}"
    NO_SET_AND_CHECK_MACRO)
  configure_package_config_file("${config_in}"
    "${PROJECT_BINARY_DIR}/kore_webhookConfig.cmake"
    INSTALL_DESTINATION "${PROJECT_BINARY_DIR}"
    INSTALL_PREFIX "${PROJECT_BINARY_DIR}"
    NO_SET_AND_CHECK_MACRO)
  export(EXPORT kore_webhookTargets
    NAMESPACE kore::
    FILE "${PROJECT_BINARY_DIR}/kore_webhookTargets.cmake")

  # SameMajorVersion, as issue #2 specifies: find_package(kore_webhook 0) must find any 0.y.z.
  # (Before 1.0.0 a minor release may still break the API; CHANGELOG.md says when one does.)
  write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/kore_webhookConfigVersion.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY SameMajorVersion
    ARCH_INDEPENDENT)

  install(FILES
    "${PROJECT_BINARY_DIR}/package-install/kore_webhookConfig.cmake"
    "${PROJECT_BINARY_DIR}/kore_webhookConfigVersion.cmake"
    DESTINATION "${cmake_dir}"
    COMPONENT devel)

  # pkg-config: with relative directories the prefix is found from the .pc file's own location,
  # so the install tree stays relocatable (cmake --install --prefix, DESTDIR, vcpkg and Conan
  # package folders). An absolute directory ties the file to this configure's prefix.
  set(pc_dir "${KORE_WEBHOOK_INSTALL_PKGCONFIGDIR}")
  if(IS_ABSOLUTE "${pc_dir}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(KORE_WEBHOOK_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
    set(KORE_WEBHOOK_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
  else()
    # The way up from the .pc directory to the prefix ("../.." for share/pkgconfig).
    file(RELATIVE_PATH up "/prefix/${pc_dir}" "/prefix")
    set(KORE_WEBHOOK_PC_PREFIX "\${pcfiledir}/${up}")
    set(KORE_WEBHOOK_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
  endif()
  configure_file("${CMAKE_CURRENT_FUNCTION_LIST_DIR}/kore_webhook.pc.in" "${PROJECT_BINARY_DIR}/kore_webhook.pc" @ONLY)
  install(FILES "${PROJECT_BINARY_DIR}/kore_webhook.pc" DESTINATION "${pc_dir}" COMPONENT devel)

  install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT devel)
endfunction()

kore_webhook_install_rules()

# `cmake --install <dir> --component cli` in a tree where the tool was not configured (tools off,
# or cpp-httplib / CLI11 missing) would install nothing and exit 0; it fails and says why instead.
# Checked once the whole project is configured (tools/ is added after this file).
function(kore_webhook_cli_component_check)
  if(NOT TARGET kore-webhook)
    install(CODE "if(CMAKE_INSTALL_COMPONENT STREQUAL \"cli\")
  message(FATAL_ERROR \"kore-webhook: the cli component is empty: this build tree has no kore-webhook \"
    \"command-line tool (KORE_WEBHOOK_BUILD_TOOLS=OFF, or cpp-httplib, CLI11 or nlohmann/json missing; \"
    \"see the configure output). Configure with -DKORE_WEBHOOK_BUILD_TOOLS=ON, run \"
    \"cmake --build <dir> --target kore-webhook, then install the component.\")
endif()" COMPONENT cli EXCLUDE_FROM_ALL)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY "${PROJECT_SOURCE_DIR}" CALL kore_webhook_cli_component_check)
