# Cross-compiles with Debian's g++-<triple> and runs the tests under qemu-user (ctest uses
# CMAKE_CROSSCOMPILING_EMULATOR for every test that runs a target of this project).
#   cmake -S . -B build/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/debian-cross.cmake \
#         -DKORE_CROSS_ARCH=arm64 -DKORE_CROSS_SYSROOT=<dir>
# KORE_CROSS_ARCH is a Debian architecture (arm64, s390x, ...). KORE_CROSS_SYSROOT holds the
# foreign packages the build links or includes, unpacked with dpkg -x (OpenSSL for that
# architecture, Catch2, nlohmann/json): the C library and libstdc++ come from the cross
# compiler's own /usr/<triple>. tools/cross-test.sh makes the sysroot and the build.
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES KORE_CROSS_ARCH KORE_CROSS_SYSROOT)
if(NOT KORE_CROSS_ARCH OR NOT KORE_CROSS_SYSROOT)
  message(FATAL_ERROR "debian-cross.cmake: set KORE_CROSS_ARCH (arm64, s390x, ...) and KORE_CROSS_SYSROOT")
endif()

set(_kore_triples arm64=aarch64-linux-gnu armhf=arm-linux-gnueabihf ppc64el=powerpc64le-linux-gnu
  s390x=s390x-linux-gnu riscv64=riscv64-linux-gnu)
set(_kore_qemu arm64=aarch64 armhf=arm ppc64el=ppc64le s390x=s390x riscv64=riscv64)
foreach(_pair IN LISTS _kore_triples)
  if(_pair MATCHES "^${KORE_CROSS_ARCH}=(.*)$")
    set(_kore_triple "${CMAKE_MATCH_1}")
  endif()
endforeach()
foreach(_pair IN LISTS _kore_qemu)
  if(_pair MATCHES "^${KORE_CROSS_ARCH}=(.*)$")
    set(_kore_qemu_arch "${CMAKE_MATCH_1}")
  endif()
endforeach()
if(NOT _kore_triple)
  message(FATAL_ERROR "debian-cross.cmake: no GNU triple known for Debian architecture '${KORE_CROSS_ARCH}'")
endif()
string(REGEX REPLACE "-.*" "" _kore_processor "${_kore_triple}")

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR "${_kore_processor}")
set(CMAKE_LIBRARY_ARCHITECTURE "${_kore_triple}")
set(CMAKE_C_COMPILER "${_kore_triple}-gcc")
set(CMAKE_CXX_COMPILER "${_kore_triple}-g++")

# Packages and libraries only from the sysroot; programs (pkg-config, python3, git) from the host.
set(CMAKE_FIND_ROOT_PATH "${KORE_CROSS_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} "${KORE_CROSS_SYSROOT}/usr/lib/${_kore_triple}/pkgconfig:${KORE_CROSS_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${KORE_CROSS_SYSROOT}")
# Debian keeps OpenSSL's configuration.h in the multiarch include directory, which a cross
# compiler does not search by itself.
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES "${KORE_CROSS_SYSROOT}/usr/include/${_kore_triple}")
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES "${KORE_CROSS_SYSROOT}/usr/include/${_kore_triple}")

set(CMAKE_CROSSCOMPILING_EMULATOR "qemu-${_kore_qemu_arch};-L;/usr/${_kore_triple};-E;LD_LIBRARY_PATH=${KORE_CROSS_SYSROOT}/usr/lib/${_kore_triple}")
