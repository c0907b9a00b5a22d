#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the package's maintainer scripts through install, upgrade, remove and purge
# as dpkg calls them, with the system commands they use (adduser, deb-systemd-helper,
# deb-systemd-invoke, systemctl, udevadm, getent, chown, chgrp) replaced by stubs that
# record their arguments, and the data/config/systemd paths pointed at a temp dir.
# usage: maintainer_scripts_test.sh DEBIAN_DIR
set -euo pipefail
scripts="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stubs="$work/bin"
mkdir -p "$stubs" "$work/run-systemd" "$work/etc"
log="$work/calls.log"
: > "$log"
for cmd in adduser deb-systemd-helper deb-systemd-invoke systemctl udevadm chown chgrp; do
    cat > "$stubs/$cmd" <<STUB
#!/bin/sh
echo "$cmd \$*" >> "$log"
case "$cmd \$*" in
    "adduser --system"*) touch "$work/user-exists" ;;
    "deb-systemd-helper --quiet was-enabled"*) [ -e "$work/enabled" ] || exit 1 ;;
    "deb-systemd-helper enable"*) touch "$work/enabled" ;;
esac
exit 0
STUB
done
cat > "$stubs/getent" <<STUB
#!/bin/sh
echo "getent \$*" >> "$log"
[ "\$1 \$2" = "passwd cunxin" ] && [ -e "$work/user-exists" ] && echo "cunxin:x:999:999::/var/lib/cunxin:/usr/sbin/nologin" && exit 0
exit 2
STUB
chmod +x "$stubs"/*
export PATH="$stubs:$PATH"
export CUNXIN_PKG_DATA_DIR="$work/var-lib-cunxin"
export CUNXIN_PKG_CONF_DIR="$work/etc/cunxin"
export CUNXIN_PKG_SYSTEMD_RUN="$work/run-systemd"
mkdir -p "$CUNXIN_PKG_CONF_DIR"
echo '{}' > "$CUNXIN_PKG_CONF_DIR/config.json"

fail=0
expect() {  # expect "description" "pattern in calls.log"
    grep -Eq -- "$2" "$log" || { echo "FAIL: $1 (no call matching '$2')"; cat "$log"; fail=1; }
}
refuse() {
    if grep -Eq -- "$2" "$log"; then echo "FAIL: $1 (unexpected '$2')"; cat "$log"; fail=1; fi
}

# First install: dpkg runs preinst install, unpacks, postinst configure "".
sh "$scripts/preinst" install
sh "$scripts/postinst" configure ""
expect "system user created" '^adduser --system --group --home /var/lib/cunxin --no-create-home .* cunxin$'
expect "user joins dialout" '^adduser cunxin dialout$'
expect "data dir owned by cunxin" "^chown cunxin:cunxin $CUNXIN_PKG_DATA_DIR\$"
expect "udev rules reloaded" '^udevadm control --reload-rules$'
expect "unit enabled" '^deb-systemd-helper enable cunxin.service$'
expect "unit started" '^deb-systemd-invoke start cunxin.service$'
[ "$(stat -c %a "$CUNXIN_PKG_DATA_DIR")" = 750 ] || { echo "FAIL: data dir not 0750"; fail=1; }
[ "$(stat -c %a "$CUNXIN_PKG_CONF_DIR/config.json")" = 640 ] || { echo "FAIL: config not 0640"; fail=1; }

# Upgrade: old prerm upgrade, new preinst upgrade, new postinst configure OLD.
echo "messages" > "$CUNXIN_PKG_DATA_DIR/keep.txt"
: > "$log"
sh "$scripts/prerm" upgrade 0.1.0-1
sh "$scripts/preinst" upgrade 0.1.0-1
sh "$scripts/postinst" configure 0.1.0-1
expect "daemon stopped before the upgrade" '^deb-systemd-invoke stop cunxin.service$'
expect "daemon restarted after the upgrade" '^deb-systemd-invoke restart cunxin.service$'
refuse "user not created twice" '^adduser --system'
[ -f "$CUNXIN_PKG_DATA_DIR/keep.txt" ] || { echo "FAIL: upgrade lost data"; fail=1; }

# Remove: data and config stay.
: > "$log"
sh "$scripts/prerm" remove
sh "$scripts/postrm" remove
expect "daemon stopped on remove" '^deb-systemd-invoke stop cunxin.service$'
expect "unit masked on remove" '^deb-systemd-helper mask cunxin.service$'
[ -f "$CUNXIN_PKG_DATA_DIR/keep.txt" ] || { echo "FAIL: remove deleted the data"; fail=1; }
[ -f "$CUNXIN_PKG_CONF_DIR/config.json" ] || { echo "FAIL: remove deleted the config"; fail=1; }

# Purge: data and config gone, unit state purged.
: > "$log"
sh "$scripts/postrm" purge
expect "unit state purged" '^deb-systemd-helper purge cunxin.service$'
[ ! -e "$CUNXIN_PKG_DATA_DIR" ] || { echo "FAIL: purge kept the data"; fail=1; }
[ ! -e "$CUNXIN_PKG_CONF_DIR" ] || { echo "FAIL: purge kept the config"; fail=1; }

# Without systemd running (chroot, image build): nothing started, still succeeds.
rmdir "$work/run-systemd"
: > "$log"
sh "$scripts/postinst" configure ""
refuse "no start without systemd" '^deb-systemd-invoke'
expect "still enabled for the next boot" '^deb-systemd-helper enable cunxin.service$'

[ "$fail" -eq 0 ] || exit 1
echo "maintainer scripts: install, upgrade, remove, purge, no-systemd: as expected"
