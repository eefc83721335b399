#!/bin/bash
# pack.sh TARBALL INFO - the encrypted CA tarball the ISO carries
# (/etc/roadbox/ca.tar.gpg) and its info file (/etc/roadbox/ca.info:
# "demo" or "site").
#
# With no CA in CA_DIR it first creates the embedded demo CA. The tar is
# reproducible (sorted names, fixed mtime/owner/mode) and hashed in a pipe;
# it is encrypted again only when that hash changes, because GnuPG output
# is randomized and an unchanged CA must give a byte-identical ISO. The
# ciphertext and its hash are kept in CA_DIR (ca.tar.gpg, ca.tar.gpg.sha256),
# so that a clean build directory gets the same bytes too. The plaintext
# tar exists only in pipes, never on disk.
#
# Environment: CA_DIR, CA_KEY_ON_BOX (yes|no), CA_PASSPHRASE_FILE,
# SOURCE_DATE_EPOCH.
. "$(dirname "$0")/lib.sh"

tarball=${1:?usage: pack.sh TARBALL INFO}
info=${2:?usage: pack.sh TARBALL INFO}
CA_KEY_ON_BOX=${CA_KEY_ON_BOX:-yes}
CA_PASSPHRASE_FILE=${CA_PASSPHRASE_FILE:-}
: "${SOURCE_DATE_EPOCH:=0}"
# Bump when the tar layout or the encryption parameters change, so that
# existing tarballs are redone.
PACK_VERSION=roadbox-ca-pack-1

case $CA_KEY_ON_BOX in yes|no) ;; *) die "CA_KEY_ON_BOX must be yes or no, not '$CA_KEY_ON_BOX'" ;; esac
ca_exists || "$PKI_LIB_DIR/ca.sh" demo
require_ca
lock_ca
kind=$(ca_kind)

files=(ca.crt crl.pem server.crt server.id server.key)
[ "$CA_KEY_ON_BOX" = no ] || files+=(ca.key)
[ ! -f "$CA_DIR/smtp.pass" ] || files+=(smtp.pass)
for f in "${files[@]}"; do [ -s "$CA_DIR/$f" ] || die "$CA_DIR/$f is missing or empty"; done
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort)
cache=$CA_DIR/ca.tar.gpg

# tar_stream MTIME: the plaintext tar on stdout.
tar_stream() {
	tar -C "$CA_DIR" --format=gnu --sort=name --mtime="@$1" \
		--owner=0 --group=0 --numeric-owner --mode=0600 -cf - -- "${files[@]}"
}

# The content hash leaves the mtime out (fixed at 0): a new commit moves
# SOURCE_DATE_EPOCH, and that alone must not force a new encryption (and
# a passphrase prompt) of an unchanged CA.
hash=$( { echo "$PACK_VERSION"; tar_stream 0; } | sha256sum | cut -d' ' -f1)

mkdir -p "$(dirname "$tarball")" "$(dirname "$info")"
# The info file only changes when the CA kind does (reproducible ISO).
if [ "$(cat "$info" 2>/dev/null)" != "$kind" ]; then
	echo "$kind" >"$info.new" && chmod 0644 "$info.new" && mv -f "$info.new" "$info"
fi
if [ "$kind" = demo ]; then
	printf '  CA        WARNING: the image carries the DEMO CA (passphrase "demo"): NOT FOR PRODUCTION\n' >&2
fi
# install: copy the cached ciphertext to TARBALL unless it is already
# identical there (an untouched file keeps its mtime: nothing is rebuilt).
install_tarball() {
	cmp -s "$cache" "$tarball" && return 0
	cp "$cache" "$tarball.new" && chmod 0644 "$tarball.new" && mv -f "$tarball.new" "$tarball"
}
if [ -s "$cache" ] && [ "$(cat "$cache.sha256" 2>/dev/null)" = "$hash" ]; then
	install_tarball
	exit 0
fi

# Where the passphrase comes from; it travels only through fd 3.
# The demo CA always uses its public passphrase: the box tells the console
# it is "demo".
if [ "$kind" = demo ]; then
	[ -z "$CA_PASSPHRASE_FILE" ] || note "the demo CA's passphrase is always \"demo\": CA_PASSPHRASE_FILE is not used"
	exec 3< <(printf '%s\n' "$DEMO_PASSPHRASE")
	how="DEMO passphrase \"demo\" - not for production"
elif [ -n "$CA_PASSPHRASE_FILE" ]; then
	if [ ! -f "$CA_PASSPHRASE_FILE" ] || [ ! -r "$CA_PASSPHRASE_FILE" ]; then
		die "CA_PASSPHRASE_FILE=$CA_PASSPHRASE_FILE is not a readable file"
	fi
	[ -s "$CA_PASSPHRASE_FILE" ] || die "CA_PASSPHRASE_FILE=$CA_PASSPHRASE_FILE is empty"
	if [ -n "$(find "$CA_PASSPHRASE_FILE" -perm /077)" ]; then
		note "warning: $CA_PASSPHRASE_FILE is readable by others; chmod 600 it"
	fi
	exec 3<"$CA_PASSPHRASE_FILE"
	how="passphrase from CA_PASSPHRASE_FILE"
elif [ -t 0 ] && { : </dev/tty; } 2>/dev/null; then
	echo "  CA        the CA tarball must be encrypted again (its content changed)" >/dev/tty
	IFS= read -rsp "  passphrase for $tarball: " pp </dev/tty; echo >/dev/tty
	IFS= read -rsp "  the same passphrase again: " pp2 </dev/tty; echo >/dev/tty
	[ "$pp" = "$pp2" ] || { pp='' pp2=''; die "the passphrases do not match"; }
	[ ${#pp} -ge 8 ] || { pp='' pp2=''; die "the passphrase is too short (at least 8 characters)"; }
	exec 3< <(printf '%s\n' "$pp")
	pp='' pp2=''
	how="passphrase typed in"
else
	die "the CA tarball must be encrypted again but no passphrase is available: run make on a terminal, or pass CA_PASSPHRASE_FILE=path (a mode 0600 file)"
fi

# A throw-away GnuPG home: no keyring, agent or cache of the builder's is
# touched, and the agent started for it is stopped before it is removed.
GNUPGHOME=$(mktemp -d "${TMPDIR:-/tmp}/roadbox-gpg.XXXXXX")
export GNUPGHOME
cleanup() {
	gpgconf --kill gpg-agent 2>/dev/null || true
	rm -rf "$GNUPGHOME" "$cache.new"
}
trap cleanup EXIT

tar_stream "$SOURCE_DATE_EPOCH" | gpg --batch --quiet --no-tty --pinentry-mode loopback --passphrase-fd 3 \
	--no-symkey-cache --symmetric --cipher-algo AES256 --s2k-mode 3 \
	--s2k-digest-algo SHA512 --s2k-count 65011712 --force-mdc \
	--compress-algo none --output "$cache.new" ||
	die "gpg could not encrypt the CA tarball"
exec 3<&-
mv -f "$cache.new" "$cache"
echo "$hash" >"$cache.sha256"
install_tarball
printf '  CA        %s (%s CA, %s; CA key on box: %s)\n' "$tarball" "$kind" "$how" "$CA_KEY_ON_BOX"
