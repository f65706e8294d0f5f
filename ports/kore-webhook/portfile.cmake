# Header-only: one (release) configuration, nothing architecture dependent.
set(VCPKG_BUILD_TYPE release)

vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO kore-webhook/kore-webhook
    REF "v${VERSION}"
    SHA512 0 # replaced on release by the SHA512 of the v${VERSION} tarball (vcpkg prints it on mismatch)
    HEAD_REF main
)

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DKORE_WEBHOOK_BUILD_TESTS=OFF
        -DKORE_WEBHOOK_BUILD_EXAMPLES=OFF
        -DKORE_WEBHOOK_BUILD_TOOLS=OFF
        -DKORE_WEBHOOK_BUILD_BENCH=OFF
        -DKORE_WEBHOOK_INSTALL=ON
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME kore_webhook CONFIG_PATH share/cmake/kore_webhook)
vcpkg_fixup_pkgconfig()

# The project installs no libraries; drop the empty directories vcpkg leaves behind, and the
# license copy under share/doc (vcpkg keeps it as share/kore-webhook/copyright).
file(REMOVE_RECURSE
    "${CURRENT_PACKAGES_DIR}/debug"
    "${CURRENT_PACKAGES_DIR}/lib"
    "${CURRENT_PACKAGES_DIR}/share/doc")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
