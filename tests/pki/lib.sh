# tests/pki/lib.sh - shared setup of the PKI tests (sourced).
#
# Every test works in its own temporary directory: CA_DIR, build dir (O),
# output dir (OUT), TMPDIR and a mode 0600 passphrase file live there; the
# real ./ca is never touched.
set -u
TOP=${ROADBOX_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$TOP" || exit 1
export LC_ALL=C

for tool in openssl gpg python3 tar flock; do
	command -v $tool >/dev/null || { echo "skip: $tool is not installed"; exit 77; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/roadbox-pki-test.XXXXXX")
mkdir -p "$W/tmp"
export TMPDIR=$W/tmp
CA=$W/ca
O=$W/build
OUT=$W/out
PP=$W/passphrase
PASSPHRASE='test passphrase, not the demo one'
printf '%s\n' "$PASSPHRASE" >"$PP"
chmod 0600 "$PP"
cleanup() {
	GNUPGHOME=$W/gnupg gpgconf --kill gpg-agent 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

failed=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
# check DESC CMD...: one TAP line from a command's exit status.
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
finish() { exit $failed; }

# mk TARGET VAR=...: run one of our make targets against the test CA,
# isolated from any make that runs the tests (MAKEFLAGS would pass its
# command-line variables, e.g. O= or CA_DIR=, down to this one).
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -s --no-print-directory -C "$TOP" \
		CA_DIR="$CA" O="$O" OUT="$OUT" "$@"
}

# decrypt TARBALL PASSFILE: the plaintext tar on stdout (a throw-away
# GnuPG home, like the box's init uses).
decrypt() {
	mkdir -p -m 0700 "$W/gnupg"
	GNUPGHOME=$W/gnupg gpg --batch --quiet --no-tty --pinentry-mode loopback \
		--no-symkey-cache --passphrase-fd 3 --decrypt "$1" 3<"$2"
}
