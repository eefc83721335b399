#!/bin/bash
# mkrootfs.sh OUT.sqfs STAGE BUSYBOX "BIN:PATH ..." "OVERLAYS" "HELPERS" "FILE:PATH ..."
# Assemble the root filesystem in STAGE (wiped first) and pack it into a
# read-only squashfs. Touches nothing outside STAGE and OUT.
set -euo pipefail
out=$1 stage=$2 busybox=$3 progs=$4 overlays=$5 helpers=$6 files=$7
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
: "${SOURCE_DATE_EPOCH:?}"

rm -rf "$stage" && mkdir -p "$stage"
umask 022

# BusyBox and its applet links.
install -D -m 0755 "$busybox" "$stage/bin/busybox"
while read -r path; do
	[ "$path" = /bin/busybox ] || [ -z "$path" ] && continue
	mkdir -p "$stage$(dirname "$path")"
	ln -sf /bin/busybox "$stage$path"
done < "$(dirname "$busybox")/applets"

# Debian helpers with their libraries.
# shellcheck disable=SC2086
[ -n "${helpers// }" ] && "$here/copy-helper.sh" "$stage" $helpers

# Our programs (stripped: debug info stays in the build tree).
for pair in $progs; do
	install -D -m 0755 "${pair%%:*}" "$stage${pair#*:}"
	strip --strip-all "$stage${pair#*:}"
done

# Overlays: the embedded default site, then the site's own.
for ov in $overlays; do
	[ -d "$ov" ] || { echo "mkrootfs.sh: overlay $ov is not a directory" >&2; exit 1; }
	cp -a --no-preserve=ownership "$ov/." "$stage/"
done

# Built files (the encrypted CA tarball, ...).
for pair in $files; do
	install -D -m 0644 "${pair%%:*}" "$stage${pair#*:}"
done

# Normalise modes (a checkout's umask must not leak into the image), then
# apply the skeleton.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -perm /111 -exec chmod 0755 {} +
find "$stage" -type f ! -perm /111 -exec chmod 0644 {} +
chown -hR 0:0 "$stage"
while read -r kind path a b c; do
	case $kind in
	''|'#'*) continue ;;
	dir)  mkdir -p "$stage$path"; chmod "$a" "$stage$path"; chown "$b:$c" "$stage$path" ;;
	mode) [ -e "$stage$path" ] || { echo "mkrootfs.sh: skeleton: $path is not in the image" >&2; exit 1; }
	      chmod "$a" "$stage$path"; chown "$b:$c" "$stage$path" ;;
	link) mkdir -p "$stage$(dirname "$path")"; ln -sfn "$a" "$stage$path" ;;
	*) echo "mkrootfs.sh: skeleton: unknown line '$kind $path'" >&2; exit 1 ;;
	esac
done < "$top/rootfs/skeleton.txt"

[ -x "$stage/sbin/init" ] || echo "mkrootfs.sh: warning: the image has no /sbin/init" >&2

rm -f "$out.tmp"
# mksquashfs takes the filesystem and every file time from SOURCE_DATE_EPOCH.
mksquashfs "$stage" "$out.tmp" -noappend -comp xz -no-xattrs -quiet -no-progress >/dev/null
mv "$out.tmp" "$out"
