#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the .deb with cpack from a build directory and inspects it with dpkg-deb:
# binary, unit, udev rules, config (as a conffile), journald drop-in, docs, scripts; no test code
# (simulator, fault hook) in it.
# Then unpacks it into a throwaway root and checks the files (no dpkg database touched).
# usage: package_test.sh BUILD_DIR        (exit 77 = skipped)
set -euo pipefail
build="$(cd "$1" && pwd)"
for tool in cpack dpkg-deb; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool missing: skipped"; exit 77; }
done
[ -f "$build/CPackConfig.cmake" ] || { echo "no CPackConfig.cmake in $build: skipped"; exit 77; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$build" && cpack -G DEB -B "$out" --config "$build/CPackConfig.cmake") > "$out/cpack.log" 2>&1 || {
    cat "$out/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb="$(ls "$out"/cunxin_*.deb 2>/dev/null | head -n 1)"
[ -n "$deb" ] || { cat "$out/cpack.log"; echo "FAIL: no cunxin_*.deb produced"; exit 1; }
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

fail=0
contents="$(dpkg-deb -c "$deb")"
for path in ./usr/bin/cunxin ./lib/systemd/system/cunxin.service ./lib/udev/rules.d/60-cunxin-modems.rules \
            ./etc/cunxin/config.json ./usr/lib/systemd/journald.conf.d/cunxin.conf \
            ./usr/share/doc/cunxin/copyright ./usr/share/doc/cunxin/changelog.Debian.gz \
            ./usr/share/doc/cunxin/README.md ./usr/share/man/man1/cunxin.1.gz; do
    if ! grep -q " $path\$" <<<"$contents"; then echo "FAIL: $path not in package"; fail=1; fi
done
# Test code stays out: no modem simulator, no test daemon (cunxin-fault-test), in any path.
if grep -Eq 'modemsim|fault-test' <<<"$contents"; then
    echo "FAIL: test programs in the package:"; grep -E 'modemsim|fault-test' <<<"$contents"; fail=1
fi
# Every file owned by root (not the builder's uid).
if grep -v ' root/root ' <<<"$contents" | grep -q .; then
    echo "FAIL: files not owned by root/root:"; grep -v ' root/root ' <<<"$contents"; fail=1
fi
grep -q '^-rwxr-xr-x .* ./usr/bin/cunxin$' <<<"$contents" || { echo "FAIL: /usr/bin/cunxin not 0755"; fail=1; }

info="$(dpkg-deb -I "$deb")"
for field in 'Package: cunxin' 'Version: [0-9]+\.[0-9]+\.[0-9]+-[0-9]+' 'Architecture: (amd64|arm64|armhf)' \
             'Depends:.*adduser' 'Depends:.*init-system-helpers' 'Maintainer: ' 'Section: comm'; do
    grep -Eq "^ ?$field" <<<"$info" || { echo "FAIL: control lacks '$field'"; fail=1; }
done
for script in preinst postinst prerm postrm conffiles md5sums; do
    grep -Eq "^ +[0-9]+ bytes, +[0-9]+ lines +\*? *$script( |$)" <<<"$info" || { echo "FAIL: control member $script missing"; fail=1; }
done
ctrl="$out/control"
dpkg-deb -e "$deb" "$ctrl"
grep -qx '/etc/cunxin/config.json' "$ctrl/conffiles" || { echo "FAIL: config.json not a conffile"; fail=1; }
for script in preinst postinst prerm postrm; do
    [ -x "$ctrl/$script" ] || { echo "FAIL: $script not executable"; fail=1; }
    sh -n "$ctrl/$script" || { echo "FAIL: $script has a syntax error"; fail=1; }
done
grep -q 'deb-systemd-helper' "$ctrl/postinst" || { echo "FAIL: postinst does not enable the unit"; fail=1; }
grep -q '^DATA="${CUNXIN_PKG_DATA_DIR:-/var/lib/cunxin}"$' "$ctrl/postrm" || { echo "FAIL: postrm data dir"; fail=1; }
grep -q 'rm -rf "$DATA"' "$ctrl/postrm" || { echo "FAIL: purge keeps the data"; fail=1; }
# Data removed on purge only (behaviour: maintainer_scripts_test.sh).
awk '/"\$1" = "purge"/{p=1} /rm -rf "\$DATA"/{ if(!p) exit 1 }' "$ctrl/postrm" || {
    echo "FAIL: postrm removes data outside purge"; fail=1; }

# Throwaway root: unpack and check what the system would get.
root="$out/root"
dpkg-deb -x "$deb" "$root"
if command -v file >/dev/null 2>&1; then
    file "$root/usr/bin/cunxin" | grep -q 'ELF' || { echo "FAIL: /usr/bin/cunxin is not an ELF binary"; fail=1; }
fi
cmp -s "$root/lib/udev/rules.d/60-cunxin-modems.rules" "$(dirname "$0")/../../../board/udev/60-cunxin-modems.rules" || {
    echo "FAIL: packaged udev rules differ from board/udev"; fail=1; }
# The packaged (stripped) binary holds no simulator and no fault hook: their strings are absent
# (no_test_code_test.sh checks the symbols of the unstripped build).
for marker in clear_sent 'modemsim: control listens on loopback only' CUNXIN_FAULT_; do
    if LC_ALL=C grep -aqF -- "$marker" "$root/usr/bin/cunxin"; then
        echo "FAIL: /usr/bin/cunxin contains '$marker' (simulator or fault-injection code)"; fail=1
    fi
done
# The packaged binary runs on this machine when it was built for it.
if [ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ]; then
    "$root/usr/bin/cunxin" --help >/dev/null 2>&1 || { echo "FAIL: packaged cunxin --help failed"; fail=1; }
fi
if [ "$fail" -ne 0 ]; then exit 1; fi
echo "package OK: $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) $(dpkg-deb -f "$deb" Architecture)"
