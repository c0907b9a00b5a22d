#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One entry point for a fresh Debian machine:
#   tools/setup.sh demo   install what is missing, build, run the appliance in demo mode
#   tools/setup.sh test   install what is missing, build, run every test
#   tools/setup.sh deps   only install what is missing
#   tools/setup.sh build  install and build (release-like build in build/)
#   tools/setup.sh fuzz [SECONDS]  build the libFuzzer targets with clang and fuzz each for SECONDS
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-$(nproc)}"
BUILD="${BUILD_DIR:-$ROOT/build}"
# ccache: paths below the checkout are hashed relative to it, so a fresh clone elsewhere (CI)
# reuses what an earlier build of the same sources compiled.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

deps() {
    local missing=()
    while read -r pkg; do
        case "$pkg" in ''|'#'*) continue ;; esac
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done < "$ROOT/tools/debian-packages.txt"
    if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "setup: installing ${missing[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

configure_and_build() {
    local dir="$1"; shift
    cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >/dev/null
    cmake --build "$dir" -j "$JOBS"
}

build() {
    configure_and_build "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo
}

browser_deps() {
    if [ -f "$ROOT/tests/browser/package.json" ]; then
        (cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

case "${1:-}" in
    deps) deps ;;
    build) deps; build ;;
    demo)
        deps; build
        shift
        exec "$BUILD/firmware/app/cunxin" demo --listen 127.0.0.1:8080 \
            --data-dir "${CUNXIN_DEMO_DIR:-$ROOT/build/demo-data}" "$@"
        ;;
    test)
        deps; browser_deps
        # 1) sanitizer build (ASan + UBSan): every unit test
        configure_and_build "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DCUNXIN_SANITIZE=ON
        ctest --test-dir "$ROOT/build-asan" -L unit --output-on-failure -j "$JOBS" --timeout 300
        # 2) optimised build: every test, ending with ctest's summary
        build
        ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" --timeout 600
        ;;
    fuzz)
        deps
        secs="${2:-60}"
        cmake -S "$ROOT" -B "$ROOT/build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCUNXIN_FUZZ=ON -DCUNXIN_TESTS=OFF \
            -DCUNXIN_MODULES="sms;serial;at;store;messaging" >/dev/null
        # Only the fuzz targets and what they link; one that fails to build does not stop the
        # others from being fuzzed, but still fails this command at the end.
        build_failed=0
        cmake --build "$ROOT/build-fuzz" -j "$JOBS" --target fuzz_targets -- -k 0 || build_failed=1
        # The whole run stays within FUZZ_TOTAL_SECONDS (210 s by default) however many targets
        # there are: each gets SECONDS, or its share of the total when that is less.
        count=0
        for f in "$ROOT"/build-fuzz/tests/fuzz/fuzz_*; do [ -x "$f" ] && count=$((count + 1)); done
        total="${FUZZ_TOTAL_SECONDS:-210}"
        if [ "$count" -gt 0 ] && [ $((total / count)) -lt "$secs" ]; then secs=$((total / count)); fi
        for f in "$ROOT"/build-fuzz/tests/fuzz/fuzz_*; do
            [ -x "$f" ] || continue
            name="$(basename "$f")"
            corpus="$ROOT/tests/fuzz/corpus/${name#fuzz_}"
            work="$(mktemp -d)"
            # Per-target time: FUZZ_SECONDS_<name> (e.g. FUZZ_SECONDS_at_framing=120), else
            # SECONDS for the PDU decoder and reassembly and ${FUZZ_SHORT_SECONDS:-30} for every
            # other target, so that the whole step stays around 3-4 minutes in CI.
            var="FUZZ_SECONDS_${name#fuzz_}"
            case "${name#fuzz_}" in
                pdu_decode|reassembly) t="${!var:-$secs}" ;;
                *) t="${!var:-${FUZZ_SHORT_SECONDS:-30}}" ;;
            esac
            echo "fuzz: $name for ${t}s"
            mkdir -p "$ROOT/build-fuzz/artifacts"
            "$f" -max_total_time="$t" -print_final_stats=1 -artifact_prefix="$ROOT/build-fuzz/artifacts/" \
                "$work" "$corpus" 2>&1 | tail -n 12
            rm -rf "$work"
        done
        if [ "$build_failed" -ne 0 ]; then echo "fuzz: some fuzz targets did not build" >&2; exit 1; fi
        ;;
    *)
        sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
