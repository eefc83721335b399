#!/bin/bash
# client.sh NAME - issue a client certificate (make client NAME=alice) and
# write its bundle. The name is the identity the client sends (an FQDN-type
# IKE ID) and the certificate's dNSName SAN; its CN too.
#
# Environment: CA_DIR, OUT_CLIENTS.
. "$(dirname "$0")/lib.sh"

name=${1-}
check_name "$name"
require_ca
lock_ca

server=$(cat "$CA_DIR/server.id")
[ "$(ca_kind)" = site ] ||
	note "warning: issuing from the DEMO CA (server $server): fine for a trial, not for production"
[ "$name" != "$server" ] || die "NAME '$name' is the server's own name; pick another"

# A live certificate for the name already? (index.txt: status V, subject last.)
serial=$(awk -F'\t' -v s="/O=roadbox/CN=$name" '$1 == "V" && $6 == s { print $4 }' "$CA_DIR/index.txt")
[ -z "$serial" ] || die "'$name' already has a valid certificate (serial $serial); revoke it first: make revoke NAME=$name"

type=$(cat "$CA_DIR/key.type")
dir=$CA_DIR/clients/$name
rm -rf "$dir"
mkdir -p "$dir"
genkey "$dir/$name.key" "$type"
PKI_SAN="DNS:$name" PKI_KU=$(key_usage "$type") sign_csr ext_client "$CLIENT_DAYS" "$dir/$name.crt" < <(
	openssl req -config "$PKI_CNF" -new -key "$dir/$name.key" -subj "/O=roadbox/CN=$name")
printf '  CLIENT    %s: serial %s, expires %s\n' "$name" \
	"$(openssl x509 -in "$dir/$name.crt" -noout -serial | cut -d= -f2)" \
	"$(openssl x509 -in "$dir/$name.crt" -noout -enddate | cut -d= -f2)"

# The lock is released for bundle.sh, which only reads the CA.
exec 9>&-
"$PKI_LIB_DIR/bundle.sh" "$name" ||
	die "the certificate of '$name' was issued but its bundle could not be written; retry with: make bundle NAME=$name"
