#!/bin/bash
# ca.sh create|demo|server - create the roadbox CA, or re-issue the box's
# server certificate.
#
#   create  a site CA (make ca): KEY=rsa|ec, SERVER_NAME, SERVER_IP
#   demo    the embedded demo CA that plain `make` creates when there is none
#   server  a new server certificate from the existing CA (make server-cert),
#           e.g. after changing SERVER_NAME/SERVER_IP (SERVER_IP=none drops
#           the address) or before it expires; the old one is revoked
#
# Environment: CA_DIR, KEY, SERVER_NAME, SERVER_IP (see docs/pki.md).
. "$(dirname "$0")/lib.sh"

mode=${1:-}
KEY=${KEY:-rsa}
SERVER_NAME=${SERVER_NAME:-}
SERVER_IP=${SERVER_IP:-}

# issue_server DIR: key + certificate for the box in CA directory DIR.
issue_server() {
	local dir=$1 type san
	type=$(cat "$dir/key.type")
	san="DNS:$SERVER_NAME"
	# Windows wants the IP as a dNSName when the user connects by address,
	# Android compares an IP identity with an iPAddress SAN: both.
	if [ "$SERVER_NAME" = "$SERVER_IP" ]; then
		san="DNS:$SERVER_IP,IP:$SERVER_IP"
	elif [ -n "$SERVER_IP" ]; then
		san="$san,DNS:$SERVER_IP,IP:$SERVER_IP"
	fi
	genkey "$dir/server.key.new" "$type"
	PKI_SAN=$san PKI_KU=$(key_usage "$type") PKI_CA_DIR=$dir CA_DIR=$dir \
		sign_csr ext_server "$SERVER_DAYS" "$dir/server.crt.new" < <(
		openssl req -config "$PKI_CNF" -new -key "$dir/server.key.new" \
			-subj "/O=roadbox/CN=$SERVER_NAME")
	mv -f "$dir/server.key.new" "$dir/server.key"
	mv -f "$dir/server.crt.new" "$dir/server.crt"
	openssl x509 -in "$dir/server.crt" -noout -serial | cut -d= -f2 >>"$dir/server.serials"
	printf '%s\n' "$SERVER_NAME" >"$dir/server.id"
	printf '%s\n' "$SERVER_IP" >"$dir/server.ip"
}

# check_server: validate SERVER_NAME/SERVER_IP; with only an address, the
# address is the server's identity (clients connect to it by address).
check_server() {
	[ -z "$SERVER_IP" ] || check_ip "$SERVER_IP"
	SERVER_NAME=${SERVER_NAME:-$SERVER_IP}
	[ "$SERVER_NAME" = "$SERVER_IP" ] || check_hostname "$SERVER_NAME"
}

create() {
	local kind=$1 tmp
	case $KEY in rsa|ec) ;; *) die "KEY must be rsa (RSA-3072, default) or ec (ECDSA P-256), not '$KEY'" ;; esac
	if [ "$kind" = demo ]; then
		SERVER_NAME=$DEMO_SERVER_NAME
	elif [ -z "$SERVER_NAME" ] && [ -z "$SERVER_IP" ]; then
		die "the box needs a name or an address: make ca SERVER_NAME=vpn.example.org [SERVER_IP=192.0.2.1] [KEY=ec]"
	fi
	check_server
	if ca_exists; then
		if [ "$kind" = site ] && [ "$(ca_kind)" = demo ]; then
			note "replacing the demo CA in $CA_DIR (its client certificates stop working)"
		else
			die "a CA already exists in $CA_DIR; move it away first if you really want a new one"
		fi
	elif [ -d "$CA_DIR" ]; then
		local f
		for f in "$CA_DIR"/* "$CA_DIR"/.[!.]*; do
			case ${f##*/} in '*'|'.[!.]*'|smtp.pass|.lock) ;;
			*) die "$CA_DIR exists and is not a CA; move it away or choose another CA_DIR" ;;
			esac
		done
	fi

	# Build the new CA next to CA_DIR and rename it into place: an
	# interrupted run leaves no half-made CA behind.
	mkdir -p "$(dirname "$CA_DIR")"
	tmp=$(mktemp -d "$CA_DIR.new.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 0700 "$tmp"
	mkdir -m 0700 "$tmp/newcerts" "$tmp/clients" "$tmp/revoked"
	: >"$tmp/index.txt"
	echo 'unique_subject = no' >"$tmp/index.txt.attr"
	echo 1000 >"$tmp/crlnumber"
	echo "$KEY" >"$tmp/key.type"
	genkey "$tmp/ca.key" "$KEY"
	openssl req -config "$PKI_CNF" -x509 -new -key "$tmp/ca.key" -days "$CA_DAYS" \
		-extensions ext_ca -subj "/O=roadbox/CN=roadbox CA $SERVER_NAME" -out "$tmp/ca.crt"
	issue_server "$tmp"
	PKI_CA_DIR=$tmp CA_DIR=$tmp gencrl
	echo "$kind" >"$tmp/ca.info"
	# The report relay password is site configuration, not CA state: keep it.
	[ ! -f "$CA_DIR/smtp.pass" ] || cp -p "$CA_DIR/smtp.pass" "$tmp/smtp.pass"

	if [ -e "$CA_DIR" ]; then
		rm -rf "$CA_DIR.old"
		mv "$CA_DIR" "$CA_DIR.old"
		mv "$tmp" "$CA_DIR"
		rm -rf "$CA_DIR.old"
	else
		mv "$tmp" "$CA_DIR"
	fi
	trap - EXIT
	chmod 0700 "$CA_DIR"
}

server() {
	require_ca
	lock_ca
	local old_id old_ip
	old_id=$(cat "$CA_DIR/server.id")
	old_ip=$(cat "$CA_DIR/server.ip" 2>/dev/null || true)
	# Keep the address unless a new one is given; SERVER_IP=none drops it.
	case $SERVER_IP in
	'') SERVER_IP=$old_ip ;;
	none) SERVER_IP= ;;
	esac
	# Keep the name; a box known only by its address follows the address.
	if [ -z "$SERVER_NAME" ] && [ "$old_id" != "$old_ip" ]; then
		SERVER_NAME=$old_id
	fi
	[ -n "$SERVER_NAME$SERVER_IP" ] || die "the box needs a name or an address: SERVER_NAME=... or SERVER_IP=..."
	check_server
	cp -p "$CA_DIR/server.crt" "$CA_DIR/revoked/server-$(openssl x509 -in "$CA_DIR/server.crt" -noout -serial | cut -d= -f2).crt"
	ossl "revoking the old server certificate" ca -config "$PKI_CNF" -revoke "$CA_DIR/server.crt" -crl_reason superseded
	issue_server "$CA_DIR"
	gencrl
}

banner_demo() {
	cat >&2 <<'EOF'
  ######################################################################
  ##  DEMO CA created: server name roadbox.demo, passphrase "demo".   ##
  ##  Its keys are public knowledge - NOT FOR PRODUCTION.             ##
  ##  For a real site: make ca SERVER_NAME=vpn.example.org            ##
  ######################################################################
EOF
}

case $mode in
create)
	create site
	echo "  CA        $CA_DIR: $(cat "$CA_DIR/key.type") CA, server $(cat "$CA_DIR/server.id")${SERVER_IP:+ ($SERVER_IP)}"
	echo "            next: make client NAME=alice; 'make' packs the encrypted CA tarball into the ISO"
	;;
demo)
	create demo
	banner_demo
	;;
server)
	server
	echo "  SERVER    new certificate for $(cat "$CA_DIR/server.id"), expires $(openssl x509 -in "$CA_DIR/server.crt" -noout -enddate | cut -d= -f2)"
	;;
*)
	die "usage: ca.sh create|demo|server"
	;;
esac
