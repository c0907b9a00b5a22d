#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cross-build Cunxin for arm64 (Raspberry Pi OS 64-bit / Debian 12) on an x86-64
# Debian 12 machine, then run the unit tests of that build under qemu-user-static.
#
#   board/cross-build.sh deps          install the cross compiler, arm64 -dev packages, qemu
#   board/cross-build.sh build         deps + configure + build (build-arm64/)
#   board/cross-build.sh test          build + ctest -L unit through qemu-aarch64-static
#   board/cross-build.sh package       build + cpack (DEB for arm64)
#
# Environment:
#   CUNXIN_MODULES  modules to build (default "all"), e.g. CUNXIN_MODULES="sms;board"
#   BUILD_DIR       build directory (default <repo>/build-arm64)
#   JOBS            parallel jobs (default 1: the build machine is shared)
# Not part of .ci/run: a full cross build takes far longer than CI's budget on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-arm64}"
JOBS="${JOBS:-1}"
MODULES="${CUNXIN_MODULES:-all}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# Same hardening as the release/arm64 presets (lintian's hardening checks).
HARDEN="-D_FORTIFY_SOURCE=2 -fstack-protector-strong"
APT_OPTS=(-y -qq --no-install-recommends -o DPkg::Lock::Timeout=600)

# arm64 libraries the project links (tools/debian-packages.txt, arch-dependent ones).
ARM64_DEV=(libboost-dev libserialport-dev libsqlite3-dev libcpp-httplib-dev libssl-dev
           zlib1g-dev libbrotli-dev libsodium-dev libsystemd-dev)
# Host tools: compiler, emulator; header-only libraries are architecture independent.
HOST_PKGS=(crossbuild-essential-arm64 qemu-user-static binfmt-support cmake ninja-build
           pkg-config nlohmann-json3-dev doctest-dev)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

deps() {
    local missing=() p
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        echo "cross-build: adding dpkg architecture arm64"
        $SUDO dpkg --add-architecture arm64
        $SUDO apt-get update -qq
    fi
    for p in "${HOST_PKGS[@]}"; do installed "$p" || missing+=("$p"); done
    for p in "${ARM64_DEV[@]}"; do installed "$p:arm64" || missing+=("$p:arm64"); done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "cross-build: installing ${missing[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install "${APT_OPTS[@]}" "${missing[@]}"
    fi
}

build() {
    cmake -S "$ROOT" -B "$BUILD" -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$ROOT/board/toolchain/aarch64-linux-gnu.cmake" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_C_FLAGS="$HARDEN" -DCMAKE_CXX_FLAGS="$HARDEN" \
        -DCMAKE_EXE_LINKER_FLAGS="-Wl,-z,relro -Wl,-z,now" \
        -DCUNXIN_MODULES="$MODULES"
    # nice: leave the shared machine's CPU to interactive work.
    nice -n 15 cmake --build "$BUILD" -j "$JOBS"
}

run_tests() {
    # Tests that exec a second arm64 program themselves (cunxin pdu, cunxin-modemsim)
    # need the kernel's binfmt_misc to hand it to qemu; containers often lack it.
    if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
        $SUDO update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    fi
    if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
        echo "cross-build: note: no binfmt_misc registration for qemu-aarch64 here;" \
             "tests that start another arm64 program directly will fail"
    fi
    # CMAKE_CROSSCOMPILING_EMULATOR (set by the toolchain file) makes ctest run
    # each test binary through qemu-aarch64-static; binfmt is not required.
    nice -n 15 ctest --test-dir "$BUILD" -L unit --output-on-failure -j "$JOBS" --timeout 600
}

case "${1:-test}" in
    deps) deps ;;
    build) deps; build ;;
    test) deps; build; run_tests ;;
    package) deps; build; (cd "$BUILD" && cpack -G DEB) ;;
    *) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
