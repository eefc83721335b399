# scripts/pki/lib.sh - shared helpers of the PKI scripts (sourced, not run).
#
# Inputs come from the environment the make targets set:
#   CA_DIR      the CA state directory (default ./ca), created mode 0700
#   TOP         the repository (for transforms.def and openssl.cnf)
# Every script sources this first; it sets a strict shell and umask 077 so
# that no key or password file is ever created readable by others.
set -euo pipefail
umask 077
export LC_ALL=C

PKI_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${TOP:=$(cd "$PKI_LIB_DIR/../.." && pwd)}"
: "${CA_DIR:=$TOP/ca}"
PKI_CNF=$PKI_LIB_DIR/openssl.cnf
TRANSFORMS_DEF=${TRANSFORMS_DEF:-$TOP/src/vpnd/transforms.def}

# Public, documented value of the embedded demo CA (docs/pki.md).
DEMO_PASSPHRASE=demo
DEMO_SERVER_NAME=roadbox.demo

# Validity (days). The CA outlives every certificate it signs; the server
# certificate stays within Apple's 825-day limit for server certificates.
CA_DAYS=3650
SERVER_DAYS=825
CLIENT_DAYS=730
CRL_DAYS=3650
# A client name: lowercase DNS-style labels, it is also the identity the
# client sends (an FQDN-type ID) and its certificate's dNSName SAN.
NAME_MAX=63

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# The variables openssl.cnf reads with $ENV::; all must be set because
# OpenSSL expands every one of them when it loads the file.
export PKI_CA_DIR PKI_SAN=DNS:unset PKI_KU=digitalSignature
PKI_CA_DIR=$CA_DIR

ca_exists() { [ -s "$CA_DIR/ca.crt" ] && [ -s "$CA_DIR/ca.key" ]; }

# ca_kind: "demo" or "site" (the embedded demo CA is marked at creation).
ca_kind() { if [ "$(cat "$CA_DIR/ca.info" 2>/dev/null)" = demo ]; then echo demo; else echo site; fi; }

require_ca() {
	ca_exists || die "no CA in $CA_DIR: run 'make ca SERVER_NAME=vpn.example.org' first (or plain 'make' for the demo CA)"
	[ -d "$CA_DIR/clients" ] || die "$CA_DIR does not look like a roadbox CA (no clients/ directory)"
}

# lock_ca: serialize every change of the CA database (index, serials, CRL).
lock_ca() {
	exec 9>"$CA_DIR/.lock"
	flock 9
}

# check_name NAME: the client names we accept. They end up in file names,
# a DN, a SAN, a PowerShell script and a plist, so only a small safe set.
check_name() {
	local n=$1
	[ -n "$n" ] || die "NAME is empty: use 'make client NAME=alice'"
	[ ${#n} -le $NAME_MAX ] || die "NAME is too long (${#n} characters, at most $NAME_MAX)"
	if [[ ! $n =~ ^[a-z][a-z0-9.-]*$ ]]; then
		die "invalid NAME $(printf '%q' "$n"): use lowercase letters, digits, '-' and '.', starting with a letter (no spaces, slashes or shell characters)"
	fi
	local re='^[a-z]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$'
	[[ $n =~ $re ]] ||
		die "invalid NAME '$n': each dot-separated part must start and end with a letter or digit"
}

# check_hostname NAME: a DNS name (the server's identity, RemoteIdentifier).
check_hostname() {
	local h=$1 re='^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$'
	[ -n "$h" ] || die "SERVER_NAME is empty"
	[ ${#h} -le 253 ] || die "SERVER_NAME is too long"
	[[ $h =~ $re ]] || die "invalid SERVER_NAME $(printf '%q' "$h"): expected a DNS name like vpn.example.org"
}

# check_ip ADDR: an IPv4 or IPv6 address (python's parser, not a regex).
check_ip() {
	python3 -c 'import ipaddress, sys; ipaddress.ip_address(sys.argv[1])' "$1" 2>/dev/null ||
		die "invalid SERVER_IP $(printf '%q' "$1"): expected an IPv4 or IPv6 address"
}

# ossl WHAT ARGS...: run openssl quietly, showing its messages only when it
# fails (openssl ca chats on stderr even on success).
ossl() {
	local what=$1 err
	shift
	err=$(openssl "$@" 2>&1 >/dev/null) || { printf '%s\n' "$err" >&2; die "$what failed"; }
}

# genkey FILE TYPE: a new private key (PKCS#8, unencrypted, mode 0600) of
# the CA's key type: rsa = RSA-3072, ec = ECDSA P-256.
genkey() {
	case $2 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$1" 2>/dev/null ;;
	ec)  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	         -pkeyopt ec_param_enc:named_curve -out "$1" ;;
	*)   die "KEY must be rsa or ec, not '$2'" ;;
	esac
}

# key_usage TYPE: keyEncipherment only makes sense for RSA keys.
key_usage() { if [ "$1" = rsa ]; then echo digitalSignature,keyEncipherment; else echo digitalSignature; fi; }

# gencrl: regenerate the CRL from the index (after creation or a revoke).
gencrl() {
	ossl "generating the CRL" ca -config "$PKI_CNF" -gencrl -crldays $CRL_DAYS -out "$CA_DIR/crl.pem.new"
	mv -f "$CA_DIR/crl.pem.new" "$CA_DIR/crl.pem"
}

# sign_csr EXT DAYS OUT: sign the CSR on stdin with the CA using extension
# section EXT of openssl.cnf; never later than the CA's own expiry.
sign_csr() {
	local ext=$1 days=$2 out=$3 ca_end end
	ca_end=$(date -u -d "$(openssl x509 -in "$CA_DIR/ca.crt" -noout -enddate | cut -d= -f2)" +%s)
	end=$(( $(date -u +%s) + days * 86400 ))
	[ "$end" -lt "$ca_end" ] || end=$((ca_end - 86400))
	ossl "signing" ca -config "$PKI_CNF" -batch -notext -extensions "$ext" \
		-enddate "$(date -u -d "@$end" +%Y%m%d%H%M%SZ)" -in /dev/stdin -out "$out"
}

# bundle_proposal KIND: the proposal (IKE or ESP) of the BUNDLE(...) line of
# transforms.def, after checking that each keyword is a DEFAULT transform.
bundle_proposal() {
	awk -v kind="$1" -v def="$TRANSFORMS_DEF" '
	/^T\(/ {
		line = $0; gsub(/[ \t"()]/, "", line); sub(/^T/, "", line)
		split(line, f, ",")
		if (f[5] == "DEFAULT") ok[f[4]] = 1
	}
	/^BUNDLE\(/ {
		line = $0; gsub(/[ \t"()]/, "", line); sub(/^BUNDLE/, "", line)
		split(line, f, ",")
		if (f[1] == kind) { prop = f[2]; n++ }
	}
	END {
		if (n != 1) { printf "%s: expected one BUNDLE(%s, ...) line, found %d\n", def, kind, n > "/dev/stderr"; exit 1 }
		k = split(prop, w, "-")
		for (i = 1; i <= k; i++)
			if (!(w[i] in ok)) { printf "%s: BUNDLE(%s) keyword \"%s\" is not a DEFAULT transform\n", def, kind, w[i] > "/dev/stderr"; exit 1 }
		print prop
	}' "$TRANSFORMS_DEF"
}
