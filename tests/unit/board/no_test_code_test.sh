#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The production binary carries no test code: no modem simulator (cunxin::modemsim, its control
# commands) and no fault injection (CUNXIN_FAULT_*, the hang hook). Each check is run on the
# binary that must have the thing too (cunxin-modemsim, cunxin-fault-test), so that a renamed
# symbol or a stripped binary cannot make it pass vacuously.
# usage: no_test_code_test.sh NM CUNXIN CUNXIN_MODEMSIM CUNXIN_FAULT_TEST
set -euo pipefail
nm_tool="$1" cunxin="$2" modemsim="$3" faulty="$4"
fail=0
symbols() { "$nm_tool" -C "$1" 2>/dev/null || true; }
has_string() { LC_ALL=C grep -aqF -- "$2" "$1"; }

cunxin_syms="$(symbols "$cunxin")"
sim_syms="$(symbols "$modemsim")"
fault_syms="$(symbols "$faulty")"
# The binaries have symbols at all (an unstripped build): else nothing below means anything.
grep -q 'cunxin::app::cmd_demo' <<<"$cunxin_syms" || { echo "FAIL: no symbols in $cunxin (stripped?)"; exit 1; }

# 1) No simulator code: symbols of the cunxin::modemsim namespace and its control commands.
grep -q 'cunxin::modemsim::' <<<"$sim_syms" || { echo "FAIL: check broken: no cunxin::modemsim symbol in $modemsim"; fail=1; }
if grep -q 'cunxin::modemsim::' <<<"$cunxin_syms"; then
    echo "FAIL: cunxin contains simulator code ($(grep -c 'cunxin::modemsim::' <<<"$cunxin_syms") symbols), e.g.:"
    grep 'cunxin::modemsim::' <<<"$cunxin_syms" | sed -n '1,5p'
    fail=1
fi
for marker in clear_sent 'modemsim: control listens on loopback only'; do
    has_string "$modemsim" "$marker" || { echo "FAIL: check broken: '$marker' not in $modemsim"; fail=1; }
    if has_string "$cunxin" "$marker"; then echo "FAIL: cunxin contains the simulator's '$marker'"; fail=1; fi
done

# 2) No fault injection: the hook's functions and its environment variable.
for sym in 'cunxin::app::parse_fault_hang_after' 'cunxin::app::hang_forever'; do
    grep -qF "$sym" <<<"$fault_syms" || { echo "FAIL: check broken: $sym not in $faulty"; fail=1; }
    if grep -qF "$sym" <<<"$cunxin_syms"; then echo "FAIL: cunxin contains $sym"; fail=1; fi
done
has_string "$faulty" CUNXIN_FAULT_ || { echo "FAIL: check broken: no CUNXIN_FAULT_ in $faulty"; fail=1; }
if has_string "$cunxin" CUNXIN_FAULT_; then
    echo "FAIL: cunxin reads a fault-injection variable: $(LC_ALL=C grep -aoE 'CUNXIN_FAULT_[A-Z_]+' "$cunxin" | sort -u | tr '\n' ' ')"
    fail=1
fi
if [ "$fail" -ne 0 ]; then exit 1; fi
echo "OK: cunxin has no simulator code and no fault hook ($(wc -l <<<"$cunxin_syms") symbols checked)"
