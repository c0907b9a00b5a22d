#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks board/systemd/cunxin.service with systemd's own parser:
#   systemd-analyze verify (any diagnostic fails), the sandbox exposure score, and the
#   directives the appliance relies on. Exit 77 (skipped) without systemd-analyze.
# usage: systemd_verify.sh UNIT [CUNXIN_BINARY]
set -euo pipefail
unit="$1"
binary="${2:-}"
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "systemd-analyze not installed: skipped"
    exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# verify checks that ExecStart's program exists: point it at the built binary (or true).
exe="/bin/true"
if [ -n "$binary" ] && [ -x "$binary" ]; then exe="$binary"; fi
sed "s#^ExecStart=/usr/bin/cunxin #ExecStart=$exe #" "$unit" > "$work/cunxin.service"
grep -q "^ExecStart=$exe " "$work/cunxin.service" || { echo "FAIL: ExecStart=/usr/bin/cunxin not found"; exit 1; }

fail=0
# 1) systemd's parser: it exits 0 on unknown keys, so any output counts as a failure.
out="$(systemd-analyze verify --man=no "$work/cunxin.service" 2>&1)" || fail=1
if [ -n "$out" ]; then
    echo "FAIL: systemd-analyze verify said:"; echo "$out"; fail=1
fi
# Self-check: the same command does complain about a broken copy.
sed 's/^Type=notify/Type=notfy/' "$work/cunxin.service" > "$work/broken.service"
if [ -z "$(systemd-analyze verify --man=no "$work/broken.service" 2>&1)" ]; then
    echo "FAIL: verify did not notice a broken Type= (test would be blind)"; fail=1
fi
# 2) sandbox exposure (0 = locked down, 10 = none): keep it below 4 (threshold in tenths).
if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
    if ! score="$(systemd-analyze security --offline=true --threshold=40 "$work/cunxin.service" 2>&1 | tail -n 1)"; then
        echo "FAIL: exposure above 4: $score"; fail=1
    else
        echo "exposure: $score"
    fi
fi
# 3) directives the daemon and the package rely on.
for want in '^Type=notify$' '^WatchdogSec=[0-9]+' '^Restart=on-failure$' '^User=cunxin$' \
            '^SupplementaryGroups=.*dialout' '^StateDirectory=cunxin$' '^ProtectSystem=strict$' \
            '^ReadWritePaths=/var/lib/cunxin$' '^NoNewPrivileges=yes$' '^PrivateTmp=yes$' \
            '^ProtectHome=yes$' '^RestrictAddressFamilies=' '^CapabilityBoundingSet=CAP_SYS_TIME$' \
            '^AmbientCapabilities=CAP_SYS_TIME$' '^SystemCallFilter=.*@clock' '^MemoryMax=' \
            '^NotifyAccess=main$' '--config /etc/cunxin/config.json' '--data-dir /var/lib/cunxin'; do
    if ! grep -Eq -- "$want" "$unit"; then echo "FAIL: unit lacks $want"; fail=1; fi
done
# ProtectClock= would take CAP_SYS_TIME away and break setting the clock from the network.
if grep -Eq '^ProtectClock=(yes|true|1)' "$unit"; then echo "FAIL: ProtectClock blocks clock_settime"; fail=1; fi
if [ "$fail" -ne 0 ]; then exit 1; fi
echo "cunxin.service: verify clean, directives present"
