#!/bin/bash
# revoke.sh NAME - revoke a client's certificate (make revoke NAME=alice) and
# regenerate the CRL; the next `make` packs it, so the next ISO rejects the
# client. The name may then be issued again.
#
# Environment: CA_DIR, OUT_CLIENTS.
. "$(dirname "$0")/lib.sh"

name=${1-}
check_name "$name"
require_ca
lock_ca
: "${OUT_CLIENTS:=$TOP/out/clients}"

dir=$CA_DIR/clients/$name
[ -s "$dir/$name.crt" ] || die "no valid certificate for '$name' (see make list-clients)"
serial=$(openssl x509 -in "$dir/$name.crt" -noout -serial | cut -d= -f2)
ossl "revoking '$name'" ca -config "$PKI_CNF" -revoke "$dir/$name.crt" -crl_reason cessationOfOperation
gencrl
# Keep the revoked certificate and key for the record, out of the way of a
# new certificate under the same name.
mv "$dir" "$CA_DIR/revoked/$name-$serial"
# The bundle holds a dead credential now: do not leave it around to hand out.
rm -rf "${OUT_CLIENTS:?}/$name"
printf '  REVOKED   %s (serial %s); run make to put the new CRL into the ISO\n' "$name" "$serial"
