#!/bin/bash
# mkiso.sh OUT.iso STAGE BZIMAGE ROOTFS - lay out the ISO and write a
# hybrid image with xorriso: El Torito (isolinux) for CD-ROMs plus an
# isohybrid MBR, so the same file boots written raw to a USB stick.
set -euo pipefail
out=$1 stage=$2 kernel=$3 rootfs=$4
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
: "${SOURCE_DATE_EPOCH:?}"
isolinux=/usr/lib/ISOLINUX
syslinux=/usr/lib/syslinux/modules/bios

rm -rf "$stage" && mkdir -p "$stage/isolinux" "$stage/boot"
cp "$isolinux/isolinux.bin" "$syslinux/ldlinux.c32" "$stage/isolinux/"
cp "$kernel" "$stage/boot/bzImage"
cp "$rootfs" "$stage/boot/rootfs.sqfs"
# The ramdisk must hold the whole root image: round up to 1 MiB + 1 MiB.
kb=$(( ( $(stat -c %s "$rootfs") / 1048576 + 2 ) * 1024 ))
sed "s/@RAMDISK_KB@/$kb/" "$top/iso/isolinux.cfg" > "$stage/isolinux/isolinux.cfg"
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$(dirname "$out")"
rm -f "$out.tmp"
# xorriso takes every date from SOURCE_DATE_EPOCH (reproducible).
xorriso -as mkisofs -quiet -o "$out.tmp" -iso-level 3 -R -V ROADBOX \
	-isohybrid-mbr "$isolinux/isohdpfx.bin" \
	-c isolinux/boot.cat -b isolinux/isolinux.bin \
	-no-emul-boot -boot-load-size 4 -boot-info-table \
	"$stage" 2>"$stage.log" || { cat "$stage.log" >&2; exit 1; }
mv "$out.tmp" "$out"
