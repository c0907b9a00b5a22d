#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Events per second through the county broker as shipped (board/mosquitto/: TLS with a county CA,
# passwords, the ACL), on loopback: one box publishes N events at QoS 1 (mosquitto_pub -l, each
# a ~180-byte JSON event), the hub receives them (mosquitto_sub, QoS 1). Prints the rate.
#   tools/bench/bench_broker.sh [path to cunxin] [N]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
cunxin=${1:-$here/build/firmware/app/cunxin}
n=${2:-20000}
dir=$(mktemp -d)
trap 'kill $broker 2>/dev/null || true; rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$here/board/mosquitto/make-county-ca.sh" "$dir/etc" localhost 127.0.0.1 >/dev/null
for who in hub xinglong; do
    "$cunxin" hub add-box "$who" --broker "mqtts://127.0.0.1:$port" --ca "$dir/etc/ca.crt" --json > "$dir/$who.json"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password_file_line"])' "$dir/$who.json" >> "$dir/etc/passwd"
done
pw() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$dir/$1.json"; }
cp "$here/board/mosquitto/acl" "$dir/etc/acl"
sed -e '/^pid_file/d' -e 's|^persistence true|persistence false|' -e 's|^log_dest file .*|log_dest stderr|' \
    -e "s|^listener 8883\$|listener $port 127.0.0.1|" -e "s|/etc/mosquitto/cunxin/|$dir/etc/|g" \
    "$here/board/mosquitto/mosquitto.conf" > "$dir/mosquitto.conf"
[ "$(id -u)" = 0 ] && echo "user root" >> "$dir/mosquitto.conf"
/usr/sbin/mosquitto -c "$dir/mosquitto.conf" 2> "$dir/broker.log" &
broker=$!
sleep 0.5

# mosquitto_pub / mosquitto_sub over TLS with the county CA, MQTT 3.1.1, QoS 1.
mq() { tool=$1; shift; "$tool" -h 127.0.0.1 -p "$port" --cafile "$dir/etc/ca.crt" -V mqttv311 -q 1 "$@"; }
python3 - "$n" > "$dir/events" <<'PY'
import json, sys
for i in range(1, int(sys.argv[1]) + 1):
    print(json.dumps({"v": 1, "id": f"xinglong:{i}", "type": "reply", "at": 1765000000 + i, "notice_id": None,
                      "village": "兴隆村", "category": "02", "text": "村口路灯坏了，请尽快修理。"}, ensure_ascii=False))
PY
bytes=$(head -1 "$dir/events" | wc -c)

mq mosquitto_sub -u hub -P "$(pw hub)" -i hub -t 'cunxin/v1/box/+/event' -C "$n" > "$dir/got" &
sub=$!
sleep 0.5
start=$(date +%s.%N)
mq mosquitto_pub -u xinglong -P "$(pw xinglong)" -i xinglong -t cunxin/v1/box/xinglong/event -l < "$dir/events"
wait $sub
end=$(date +%s.%N)
got=$(wc -l < "$dir/got")
echo "events: $got of $n received (${bytes}-byte JSON, QoS 1, TLS, ACL) in $(python3 -c "print(round($end-$start,2))") s: $(python3 -c "print(int($n/($end-$start)))") events/s"
