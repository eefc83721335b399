#!/bin/bash
# copy-helper.sh ROOT BINARY... - copy Debian binaries into the image with
# exactly the shared libraries they load (and the dynamic loader), at the
# same paths. Libraries a program dlopen()s at run time are not visible to
# ldd: the component that adds such a program lists them as further
# arguments (they are copied the same way, with their own libraries).
set -euo pipefail
root=$1; shift
copy() {  # copy one file (following links) to the same path under $root
	local f=$1
	[ -e "$root$f" ] && return 0
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
}
for bin in "$@"; do
	[ -e "$bin" ] || { echo "copy-helper.sh: $bin not found (is its package in scripts/deps.txt?)" >&2; exit 1; }
	copy "$bin"
	# ldd prints "name => /path (addr)" and "/lib64/ld-linux... (addr)".
	ldd "$bin" 2>/dev/null | awk '/=> \// {print $3} /^\t\// {print $1}' | while read -r lib; do
		copy "$lib"
		# Keep the loader's canonical path too (/lib64 -> /lib/x86_64-linux-gnu).
		[ -L "$lib" ] && copy "$(readlink -f "$lib")"
	done
done
