#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The package's preinst, run as dpkg runs it for an upgrade, against a real SQLite
# database in WAL mode in a temp dir: a consistent backup is taken, only 3 are kept,
# and a fresh install (no data yet) does nothing. Exit 77 without sqlite3.
# usage: preinst_backup_test.sh PREINST
set -euo pipefail
preinst="$1"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 missing: skipped"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data"
mkdir -p "$data"
export CUNXIN_PKG_DATA_DIR="$data"
export CUNXIN_PKG_SYSTEMD_RUN="$work/no-systemd"
fail=0

# Fresh install: nothing to back up, nothing created.
sh "$preinst" install
[ ! -e "$data/backups" ] || { echo "FAIL: install created backups"; fail=1; }

# A database with rows, in WAL mode (as the daemon leaves it).
sqlite3 "$data/cunxin.db" "PRAGMA journal_mode=WAL; CREATE TABLE messages(id INTEGER PRIMARY KEY, text TEXT);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 500)
  INSERT INTO messages(text) SELECT '村信 ' || i FROM n;" >/dev/null
sh "$preinst" upgrade 0.0.1 > "$work/out.txt"
grep -q "backed up" "$work/out.txt" || { echo "FAIL: no backup message"; cat "$work/out.txt"; fail=1; }
backup="$(find "$data/backups" -name 'cunxin-0.0.1-*.db' | head -n 1)"
if [ -z "$backup" ]; then
    echo "FAIL: no backup file"; fail=1
else
    [ "$(sqlite3 "$backup" 'PRAGMA integrity_check')" = ok ] || { echo "FAIL: backup corrupt"; fail=1; }
    [ "$(sqlite3 "$backup" 'SELECT count(*) FROM messages')" = 500 ] || { echo "FAIL: backup lacks rows"; fail=1; }
    [ "$(sqlite3 "$backup" "SELECT text FROM messages WHERE id = 500")" = "村信 500" ] || {
        echo "FAIL: backup text differs"; fail=1; }
fi
[ "$(stat -c %a "$data/backups")" = 750 ] || { echo "FAIL: backups dir not 0750"; fail=1; }

# Five upgrades later only the newest three backups remain.
for v in 0.0.2 0.0.3 0.0.4 0.0.5 0.0.6; do
    sleep 0.05
    sh "$preinst" upgrade "$v" >/dev/null
done
count="$(find "$data/backups" -name 'cunxin-*.db' | wc -l)"
[ "$count" = 3 ] || { echo "FAIL: $count backups kept, want 3"; ls -l "$data/backups"; fail=1; }
find "$data/backups" -name 'cunxin-0.0.6-*.db' | grep -q . || { echo "FAIL: newest backup removed"; fail=1; }
find "$data/backups" -name 'cunxin-0.0.1-*.db' | grep -q . && { echo "FAIL: oldest backup kept"; fail=1; }

# Unknown action: refused like dpkg expects.
if sh "$preinst" bogus >/dev/null 2>&1; then echo "FAIL: unknown action accepted"; fail=1; fi
[ "$fail" -eq 0 ] || exit 1
echo "preinst: backup consistent (500 rows), 3 kept, install untouched"
