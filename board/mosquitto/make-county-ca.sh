#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The county's broker certificates, made offline with openssl (no CA service, no internet):
#   make-county-ca.sh OUTDIR NAME [NAME...]
# NAME: each host name or IP address the boxes use to reach the broker (e.g. hub.county.lan
# 10.20.0.5); the first is the certificate's common name. Writes into OUTDIR:
#   ca.key      the county CA's private key (0600): keep it offline, it signs server certificates
#   ca.crt      the county CA certificate: the broker's cafile and every box's federation "ca"
#   server.key  the broker's private key (0600)
#   server.crt  the broker's certificate, signed by the CA, valid for every NAME
# An existing ca.key/ca.crt is reused (a new server certificate for a new address keeps every
# box's trust); a new CA needs every box's ca.crt replaced. EC P-256 keys; the CA is valid for
# 20 years and the server certificate for 10, since a board's clock may be far off.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 OUTDIR NAME [NAME...]   (NAME: host name or IP address of the broker)" >&2
    exit 2
fi
out=$1
shift
command -v openssl >/dev/null || { echo "$0: openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
umask 077

san=""
for name in "$@"; do
    case "$name" in
        *[!0-9.]*)
            case "$name" in
                *:*) entry="IP:$name" ;;              # IPv6 address
                *) entry="DNS:$name" ;;
            esac ;;
        *) entry="IP:$name" ;;                         # IPv4 address
    esac
    san="${san:+$san,}$entry"
done
cn=$1

if [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$out/ca.key" -out "$out/ca.crt" -days 7300 -sha256 \
        -subj "/O=Cunxin county/CN=Cunxin county CA" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    echo "new county CA: $out/ca.crt"
else
    echo "reusing the county CA in $out"
fi

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$out/server.key" -out "$out/server.csr" -sha256 \
    -subj "/O=Cunxin county/CN=$cn" 2>/dev/null
ext="$out/server.ext"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" > "$ext"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
    -out "$out/server.crt" -days 3650 -sha256 -extfile "$ext" 2>/dev/null
rm -f "$out/server.csr" "$ext" "$out/ca.srl"
chmod 0644 "$out/ca.crt" "$out/server.crt"
chmod 0600 "$out/ca.key" "$out/server.key"
echo "server certificate for $san: $out/server.crt"
openssl x509 -in "$out/ca.crt" -noout -fingerprint -sha256 | sed 's/^/county CA /'
