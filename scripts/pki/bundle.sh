#!/bin/bash
# bundle.sh NAME - (re)write the client bundle OUT_CLIENTS/NAME/ of a client
# whose certificate exists in CA_DIR, with a new random password that is
# printed once (make client calls this; make bundle NAME=... redoes it if
# the password was lost).
#
# Environment: CA_DIR, OUT_CLIENTS (default out/clients).
. "$(dirname "$0")/lib.sh"

name=${1-}
check_name "$name"
require_ca
: "${OUT_CLIENTS:=$TOP/out/clients}"
src=$CA_DIR/clients/$name
if [ ! -s "$src/$name.crt" ] || [ ! -s "$src/$name.key" ]; then
	die "no valid certificate for '$name' in $CA_DIR: make client NAME=$name"
fi

ike=$(bundle_proposal IKE) || die "cannot read the bundle proposal from $TRANSFORMS_DEF"
esp=$(bundle_proposal ESP) || die "cannot read the bundle proposal from $TRANSFORMS_DEF"

# 20 characters from an alphabet without look-alikes (0/O, 1/l/I): about
# 114 bits, and still typeable on a phone.
password=$(python3 -c 'import secrets; a = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"; print("".join(secrets.choice(a) for _ in range(20)))')
[ ${#password} = 20 ] || die "could not generate a password"

ca_cn=$(openssl x509 -in "$CA_DIR/ca.crt" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')

mkdir -p "$OUT_CLIENTS"
tmp=$(mktemp -d "$OUT_CLIENTS/.$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$CA_DIR/ca.crt" "$tmp/ca.crt"
cp "$src/$name.crt" "$tmp/$name.crt"

# The password reaches openssl through a pipe (fd 3), never argv or a file.
# Windows and Apple importers still require the legacy PBE: 3DES for key
# and certificates, SHA-1 MAC.
openssl pkcs12 -export -legacy -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 \
	-inkey "$src/$name.key" -in "$src/$name.crt" -certfile "$CA_DIR/ca.crt" \
	-name "$name" -caname "$ca_cn" \
	-passout fd:3 -out "$tmp/$name.p12" 3< <(printf '%s\n' "$password") ||
	die "could not write $name.p12"
# The same key, encrypted with the same password, for strongSwan on Linux.
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in "$src/$name.key" \
	-passout fd:3 -out "$tmp/$name.key" 3< <(printf '%s\n' "$password") ||
	die "could not write $name.key"

python3 "$PKI_LIB_DIR/bundle.py" --name "$name" --server "$(cat "$CA_DIR/server.id")" \
	--keytype "$(cat "$CA_DIR/key.type")" --ike "$ike" --esp "$esp" --ca-cn "$ca_cn" --dir "$tmp" ||
	die "could not write the profiles"
chmod 0600 "$tmp"/*
chmod 0700 "$tmp"

rm -rf "${OUT_CLIENTS:?}/$name"
mv "$tmp" "$OUT_CLIENTS/$name"
trap - EXIT

printf '  BUNDLE    %s/\n' "$OUT_CLIENTS/$name"
printf '  PASSWORD  %s   <- password of %s.p12 / %s.key: shown only now, give it to %s separately\n' \
	"$password" "$name" "$name" "$name"
password=
