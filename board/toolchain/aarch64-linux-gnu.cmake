# SPDX-License-Identifier: Apache-2.0
# Cross toolchain for arm64 (Raspberry Pi OS 64-bit / Debian 12) from an x86-64 Debian 12 host.
# Compiler: Debian's g++-aarch64-linux-gnu (crossbuild-essential-arm64).
# Libraries: Debian multiarch arm64 -dev packages (dpkg --add-architecture arm64;
# apt-get install libsqlite3-dev:arm64 ...), which live in /usr/lib/aarch64-linux-gnu
# and /usr/include/aarch64-linux-gnu beside the host's own. board/cross-build.sh installs them.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Multiarch: the target's root is the host's root; find_library/find_package pick
# <prefix>/lib/aarch64-linux-gnu because CMAKE_LIBRARY_ARCHITECTURE is set.
# /usr/aarch64-linux-gnu holds the cross libc (libc6-dev-arm64-cross).
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# Never link a host (x86-64) library by accident.
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu)

# pkg-config must see only arm64 .pc files (plus architecture-independent ones).
find_program(_cunxin_cross_pkgconfig aarch64-linux-gnu-pkg-config)
if(_cunxin_cross_pkgconfig)
  set(PKG_CONFIG_EXECUTABLE ${_cunxin_cross_pkgconfig} CACHE FILEPATH "pkg-config for arm64")
endif()
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Run arm64 test binaries (ctest, doctest discovery) through qemu user emulation.
# With multiarch libc6:arm64 installed the loader is at /lib/ld-linux-aarch64.so.1;
# otherwise point qemu at the cross libc.
find_program(_cunxin_qemu NAMES qemu-aarch64-static qemu-aarch64)
if(_cunxin_qemu)
  if(EXISTS /lib/ld-linux-aarch64.so.1)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${_cunxin_qemu})
  else()
    set(CMAKE_CROSSCOMPILING_EMULATOR ${_cunxin_qemu} -L /usr/aarch64-linux-gnu)
  endif()
endif()

