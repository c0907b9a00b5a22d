#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the amd64 .deb with dpkg into a throwaway Debian 12 root (mmdebstrap minbase,
# chroot) and checks what Debian users expect through install, upgrade (a second build
# with a higher version: backup first, then the schema migrated), remove and purge.
# Services cannot start in a chroot: the scripts must cope, both without
# /run/systemd/system and with it plus a policy-rc.d that denies (image builders do that).
#
# The root (minbase + the package's Depends + sqlite3) is cached as a tarball in
# ${CUNXIN_CACHE_DIR:-~/.cache/cunxin}, keyed by mirror, suite and package list; creating
# it needs the Debian mirror of /etc/apt/sources.list* (or CUNXIN_DEBIAN_MIRROR) and fails
# the test, with a message, when the mirror cannot be reached.
# usage: package_install_test.sh BUILD_DIR MAKE_OLD_DB   (root only; exit 77 = skipped, not root)
set -euo pipefail
build="$(cd "$1" && pwd)"
make_old_db="$2"
t0=$(date +%s)

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIPPED: needs root (chroot, dpkg into a throwaway root); run as root or in CI"
    exit 77
fi
missing=""
for tool in cpack dpkg-deb mmdebstrap unshare chroot sqlite3; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "FAIL: missing tools:$missing (tools/debian-packages.txt lists their packages; tools/setup.sh installs them)"
    exit 1
fi
[ -f "$build/CPackConfig.cmake" ] || { echo "FAIL: no CPackConfig.cmake in $build"; exit 1; }
[ "$(dpkg --print-architecture)" = amd64 ] || { echo "SKIPPED: host is not amd64"; exit 77; }

work="$(mktemp -d /tmp/cunxin-pkg-install.XXXXXX)"
trap 'rm -rf "$work"' EXIT
fail=0
check() {  # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

# --- two builds of the package: the build's version and a higher one (release + 1) ----------
for rel in 1 2; do
    (cd "$build" && cpack -G DEB -B "$work/deb$rel" --config "$build/CPackConfig.cmake" \
        -D CPACK_DEBIAN_PACKAGE_RELEASE="$rel") > "$work/cpack$rel.log" 2>&1 || {
        cat "$work/cpack$rel.log"; echo "FAIL: cpack (release $rel)"; exit 1; }
done
deb1="$(ls "$work"/deb1/cunxin_*_amd64.deb)"
deb2="$(ls "$work"/deb2/cunxin_*_amd64.deb)"
v1="$(dpkg-deb -f "$deb1" Version)"
v2="$(dpkg-deb -f "$deb2" Version)"
dpkg --compare-versions "$v2" gt "$v1" || { echo "FAIL: $v2 is not newer than $v1"; exit 1; }
echo "packages: $v1 and $v2 ($(( $(date +%s) - t0 )) s)"

# --- the root: cached tarball, else mmdebstrap from the machine's Debian mirror --------------
mirror="${CUNXIN_DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
    # First Debian archive URI of the apt sources (one-line or deb822 format), not security.
    mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE '(https?|file)://[^ ]+/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ')" || true
fi
mirror="${mirror:-http://deb.debian.org/debian}"
# Depends of the package (first alternative, no version), plus sqlite3 (Recommends; the checks use it).
includes="$( (dpkg-deb -f "$deb1" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/[[:space:]]//g'; echo sqlite3) |
    grep . | sort -u | paste -sd, -)"
key="$(printf 'v1|bookworm|%s|%s' "$mirror" "$includes" | sha256sum | cut -c1-16)"
cache="${CUNXIN_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/cunxin}"
tarball="$cache/debian-bookworm-root-$key.tar"
mkdir -p "$cache"
if [ ! -f "$tarball" ]; then
    echo "creating the Debian 12 root (once; cached as $tarball) from $mirror with: $includes"
    s=$(date +%s)
    if ! mmdebstrap --quiet --format=tar --variant=minbase --include="$includes" bookworm "$tarball.tmp.$$" "$mirror" \
            > "$work/mmdebstrap.log" 2>&1; then
        tail -n 20 "$work/mmdebstrap.log"
        rm -f "$tarball.tmp.$$"
        echo "FAIL: could not create the Debian root from $mirror (is the Debian mirror reachable?)."
        echo "      The test needs it once per machine; set CUNXIN_DEBIAN_MIRROR to a reachable mirror,"
        echo "      or copy a root tarball made elsewhere to $tarball"
        exit 1
    fi
    mv "$tarball.tmp.$$" "$tarball"
    # Roots made for other package lists are stale.
    find "$cache" -maxdepth 1 -name 'debian-bookworm-root-*.tar' ! -name "$(basename "$tarball")" -delete
    echo "root created in $(( $(date +%s) - s )) s ($(du -m "$tarball" | cut -f1) MB)"
fi
root="$work/root"
mkdir "$root"
s=$(date +%s)
tar -C "$root" -xf "$tarball"
echo "root unpacked in $(( $(date +%s) - s )) s"
cp "$deb1" "$deb2" "$root/tmp/"

# Runs a command in the root: own mount and pid namespaces with a fresh /proc (gone at exit).
inroot() {
    unshare --mount --pid --fork --mount-proc="$root/proc" \
        chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
        DEBIAN_FRONTEND=noninteractive HOME=/root "$@"
}
export -f inroot
export root
status_of() { inroot dpkg-query -W -f='${Status} ${Version}' cunxin 2>/dev/null || true; }
owner() { inroot stat -c '%U:%G %a' "$1" 2>/dev/null || echo missing; }  # names of the root
sql() { sqlite3 "$root$1" "$2"; }

# --- 1. install (plain chroot: no /run/systemd/system) --------------------------------------
if inroot dpkg -i "/tmp/$(basename "$deb1")" > "$work/install.log" 2>&1; then
    echo "ok: dpkg -i $v1 in a chroot"
else
    cat "$work/install.log"; echo "FAIL: dpkg -i $v1"; exit 1
fi
check "installed: $(status_of)" [ "$(status_of)" = "install ok installed $v1" ]
pw="$(inroot getent passwd cunxin || true)"
uid="$(cut -d: -f3 <<<"$pw")"
check "system user cunxin (${pw:-none})" [ -n "$pw" ]
check "uid $uid below 1000, no login shell, home /var/lib/cunxin" \
    bash -c "[ '${uid:-1000}' -lt 1000 ] && [ '$(cut -d: -f6 <<<"$pw")' = /var/lib/cunxin ] && [ '$(cut -d: -f7 <<<"$pw")' = /usr/sbin/nologin ]"
check "cunxin in group dialout" bash -c "inroot id -nG cunxin | tr ' ' '\n' | grep -qx dialout"
check "/var/lib/cunxin cunxin:cunxin 750 ($(owner /var/lib/cunxin))" [ "$(owner /var/lib/cunxin)" = "cunxin:cunxin 750" ]
check "/etc/cunxin/config.json root:cunxin 640 ($(owner /etc/cunxin/config.json))" \
    [ "$(owner /etc/cunxin/config.json)" = "root:cunxin 640" ]
check "unit enabled (multi-user.target.wants link)" \
    [ -L "$root/etc/systemd/system/multi-user.target.wants/cunxin.service" ]
check "packaged binary runs in the root (its libraries are in Depends)" \
    bash -c "inroot /usr/bin/cunxin --help >/dev/null 2>&1"
check "nothing tried to start the service (no /run/systemd/system)" \
    bash -c "! grep -qi 'systemctl\|Could not execute' '$work/install.log'"

# The service user writes its data directory, as the daemon does (token create opens and migrates).
check "cunxin (the service user) creates the database in /var/lib/cunxin" \
    bash -c "inroot runuser -u cunxin -- cunxin token create --data-dir /var/lib/cunxin --name pkgtest --role viewer >/dev/null 2>&1"
check "database owned by cunxin ($(owner /var/lib/cunxin/cunxin.db))" \
    [ "$(owner /var/lib/cunxin/cunxin.db | cut -d' ' -f1)" = cunxin:cunxin ]

# The older version's database: schema 3 (before the settings-key migration 4), with data.
rm -f "$root"/var/lib/cunxin/cunxin.db*
read -r old_version latest < <("$make_old_db" "$root/var/lib/cunxin/cunxin.db" 3)
sql /var/lib/cunxin/cunxin.db "INSERT OR REPLACE INTO settings(key, value) VALUES ('anniversary.hour', '7');
    INSERT INTO contacts(name, mobile, created_at, updated_at) VALUES ('张三', '13800138000', 1, 1);"
inroot chown cunxin:cunxin /var/lib/cunxin/cunxin.db
chmod 0640 "$root/var/lib/cunxin/cunxin.db"
# A local edit of the conffile must survive the upgrade.
printf '// local edit: keep me\n' >> "$root/etc/cunxin/config.json"

# --- 2. upgrade, "systemd present" but policy-rc.d forbids starting (image-builder chroot) -----
mkdir -p "$root/run/systemd/system"
cat > "$root/usr/sbin/policy-rc.d" <<'EOF'
#!/bin/sh
echo "$*" >> /tmp/policy-rc.d.log
exit 101
EOF
chmod 0755 "$root/usr/sbin/policy-rc.d"
if inroot dpkg -i "/tmp/$(basename "$deb2")" > "$work/upgrade.log" 2>&1; then
    echo "ok: upgrade $v1 -> $v2 with policy-rc.d denying service actions"
else
    cat "$work/upgrade.log"; echo "FAIL: dpkg -i $v2 (upgrade)"; exit 1
fi
check "upgraded: $(status_of)" [ "$(status_of)" = "install ok installed $v2" ]
check "deb-systemd-invoke asked policy-rc.d (stop, restart) and was refused" \
    bash -c "grep -q 'cunxin.service stop' '$root/tmp/policy-rc.d.log' && grep -q 'cunxin.service restart' '$root/tmp/policy-rc.d.log'"
backup="$(ls "$root"/var/lib/cunxin/backups/cunxin-"$v1"-*.db 2>/dev/null | head -n 1)"
check "backup taken by preinst: ${backup#"$root"}" [ -n "$backup" ]
if [ -n "$backup" ]; then
    check "backup is of the old schema $old_version, with its data (taken before migrating)" \
        [ "$(sqlite3 "$backup" 'PRAGMA user_version; SELECT value FROM settings WHERE key = '"'anniversary.hour'"'; SELECT count(*) FROM contacts;' | paste -sd' ')" = "$old_version 7 1" ]
    check "backup owned by cunxin ($(owner "${backup#"$root"}"))" [ "$(owner "${backup#"$root"}" | cut -d' ' -f1)" = cunxin:cunxin ]
fi
check "local edit of /etc/cunxin/config.json kept" grep -q 'local edit: keep me' "$root/etc/cunxin/config.json"
check "config still root:cunxin 640 ($(owner /etc/cunxin/config.json))" [ "$(owner /etc/cunxin/config.json)" = "root:cunxin 640" ]
# The new daemon migrates at its first start; the service user opens the database as it would.
check "the new version opens the old database as cunxin (migration)" \
    bash -c "inroot runuser -u cunxin -- cunxin token list --data-dir /var/lib/cunxin >/dev/null 2>&1"
check "schema migrated $old_version -> $latest, data kept (setting key renamed, contact there)" \
    [ "$(sql /var/lib/cunxin/cunxin.db "PRAGMA user_version; SELECT value FROM settings WHERE key = 'anniversary_hour'; SELECT name FROM contacts;" | paste -sd' ')" = "$latest 7 张三" ]
rm -f "$root/usr/sbin/policy-rc.d"
rm -rf "$root/run/systemd"

# --- 3. remove: program gone, configuration and data kept ------------------------------------
if inroot dpkg -r cunxin > "$work/remove.log" 2>&1; then echo "ok: dpkg -r"; else
    cat "$work/remove.log"; echo "FAIL: dpkg -r"; exit 1; fi
check "removed, config files remain: $(status_of)" [ "$(status_of)" = "deinstall ok config-files $v2" ]
check "/usr/bin/cunxin gone" [ ! -e "$root/usr/bin/cunxin" ]
check "/lib/systemd/system/cunxin.service gone" [ ! -e "$root/lib/systemd/system/cunxin.service" ]
check "config kept on remove" grep -q 'local edit: keep me' "$root/etc/cunxin/config.json"
check "database kept on remove" [ -f "$root/var/lib/cunxin/cunxin.db" ]
check "backups kept on remove" [ -n "$(ls "$root"/var/lib/cunxin/backups/*.db 2>/dev/null)" ]

# --- 4. purge: configuration and data gone; the system user stays (documented) --------------
if inroot dpkg -P cunxin > "$work/purge.log" 2>&1; then echo "ok: dpkg -P"; else
    cat "$work/purge.log"; echo "FAIL: dpkg -P"; exit 1; fi
check "purged: '$(status_of)'" bash -c "[ -z '$(status_of)' ] || [ '$(status_of | cut -d' ' -f1-3)' = 'unknown ok not-installed' ]"
check "/etc/cunxin gone on purge" [ ! -e "$root/etc/cunxin" ]
check "/var/lib/cunxin gone on purge" [ ! -e "$root/var/lib/cunxin" ]
check "unit no longer enabled" [ ! -e "$root/etc/systemd/system/multi-user.target.wants/cunxin.service" ]
check "system user cunxin kept (Debian practice)" bash -c "inroot getent passwd cunxin >/dev/null"

# --- 5. install again after purge: the existing user is reused --------------------------------
if inroot dpkg -i "/tmp/$(basename "$deb2")" > "$work/reinstall.log" 2>&1; then
    check "reinstall after purge reuses uid $uid" [ "$(inroot id -u cunxin)" = "$uid" ]
    check "/var/lib/cunxin recreated cunxin:cunxin 750" [ "$(owner /var/lib/cunxin)" = "cunxin:cunxin 750" ]
else
    cat "$work/reinstall.log"; echo "FAIL: dpkg -i after purge"; fail=1
fi

echo "total $(( $(date +%s) - t0 )) s"
if [ "$fail" -ne 0 ]; then
    for f in install upgrade remove purge; do echo "--- $f.log"; cat "$work/$f.log"; done
    exit 1
fi
echo "package install/upgrade/remove/purge OK in a Debian 12 chroot"
