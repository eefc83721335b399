#!/bin/sh
# deps.sh build|test - install the missing Debian packages of that kind
# from scripts/deps.txt (the one list), saying what it installs.
set -eu
kind=$1
list=$(dirname "$0")/deps.txt
want=$(awk -v k="$kind" '!/^#/ && NF >= 2 && ($2 == k || (k == "test" && $2 == "build")) {print $1}' "$list")
missing=
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run make as root to install them)" >&2
	exit 1
fi
echo "  INSTALL  $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
