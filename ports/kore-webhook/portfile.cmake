# kore-webhook: header-only, so one (release) configuration and nothing architecture dependent.
set(VCPKG_BUILD_TYPE release)

# BEGIN source
# This overlay port builds the kore-webhook checkout it sits in (ports/kore-webhook/../..), with no
# download. tools/release.sh writes the registry port from this file, with the lines from BEGIN to
# END replaced by vcpkg_from_github(... REF v<version> SHA512 <hash of that tag's tarball>).
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
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
