# kore-webhook: header-only, so one (release) configuration and nothing architecture dependent.
set(VCPKG_BUILD_TYPE release)

# BEGIN source
# This overlay port builds the kore-webhook checkout it sits in (ports/kore-webhook/../..), with no
# download. tools/release.sh writes the registry port from this file, with the lines from BEGIN to
# END replaced by vcpkg_from_github(... REF v<version> SHA512 <hash of that tag's tarball>).
# A copy of this directory elsewhere would configure whatever project sits two levels above it,
# so it refuses unless that is a kore-webhook checkout of this port's version.
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(_kore_version_header "${SOURCE_PATH}/include/kore/webhook/version.hpp")
if(EXISTS "${_kore_version_header}")
    file(STRINGS "${_kore_version_header}" _kore_version REGEX "^#define KORE_WEBHOOK_VERSION_(MAJOR|MINOR|PATCH) ")
    string(REGEX REPLACE "#define KORE_WEBHOOK_VERSION_[A-Z]+ " "" _kore_version "${_kore_version}")
    string(REPLACE ";" "." _kore_version "${_kore_version}")
endif()
if(NOT EXISTS "${SOURCE_PATH}/CMakeLists.txt" OR NOT EXISTS "${_kore_version_header}")
    message(FATAL_ERROR "kore-webhook's overlay port builds the kore-webhook checkout it sits in "
        "(ports/kore-webhook/../..), but ${SOURCE_PATH} is not a kore-webhook checkout. Use "
        "--overlay-ports=<a kore-webhook clone>/ports without copying the port, or the registry "
        "port that tools/release.sh writes (it downloads a release).")
endif()
if(NOT _kore_version STREQUAL VERSION)
    message(FATAL_ERROR "kore-webhook's overlay port (version ${VERSION}) sits in a checkout whose "
        "version.hpp says '${_kore_version}': use the port of that checkout, ${SOURCE_PATH}/ports.")
endif()
# END source

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DKORE_WEBHOOK_BUILD_TESTS=OFF
        -DKORE_WEBHOOK_BUILD_EXAMPLES=OFF
        -DKORE_WEBHOOK_BUILD_TOOLS=OFF
        -DKORE_WEBHOOK_BUILD_BENCH=OFF
        -DKORE_WEBHOOK_INSTALL=ON
        -DKORE_WEBHOOK_INSTALL_CMAKEDIR=share/kore_webhook
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME kore_webhook)
vcpkg_fixup_pkgconfig()

# vcpkg keeps the license as share/kore-webhook/copyright; drop the project's own copy.
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/share/doc")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
