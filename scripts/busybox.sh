#!/bin/bash
# busybox.sh OUTDIR CACHE CONFIG - build a static BusyBox from Debian's
# source package with exactly the applets in CONFIG (a fragment applied on
# allnoconfig; every requested option must survive). Cached in CACHE keyed
# by (source version, config). Writes OUTDIR/busybox and OUTDIR/applets
# (the install paths of its applets).
#
# The source comes through our own apt configuration (deb-src entries
# derived from the system's deb entries) - the system's apt config is not
# edited.
set -euo pipefail
out=$1 cache=$2 frag=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
mkdir -p "$cache"
exec 9>"$cache/busybox.lock"
flock 9

key=$( (echo "$BUSYBOX_SRC_VERSION"; cat "$frag") | sha256sum | cut -c1-16)
hit=$cache/busybox/$key
if [ ! -x "$hit/busybox" ]; then
	upver=${BUSYBOX_SRC_VERSION#*:}; upver=${upver%-*}
	dl=$cache/busybox-src
	dsc=$dl/busybox_${BUSYBOX_SRC_VERSION#*:}.dsc
	if [ ! -f "$dsc" ]; then
		echo "  FETCH     busybox $BUSYBOX_SRC_VERSION (Debian source package)"
		apt=$cache/apt
		mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial" "$dl"
		# deb-src twins of the system's deb entries (deb822 and one-line styles).
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" > "$apt/sources.list.d/$(basename "$f")"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] && sed -n 's/^deb \(.*\)/deb-src \1/p' "$f" > "$apt/sources.list.d/$(basename "$f").list"
		done
		aptopts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/sources.list.d"
			 -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o APT::Sandbox::User=root)
		apt-get "${aptopts[@]}" -qq update
		(cd "$dl" && apt-get "${aptopts[@]}" -qq source --download-only "$BUSYBOX_SRC_PKG=$BUSYBOX_SRC_VERSION")
	fi
	echo "$BUSYBOX_DSC_SHA256  $dsc" | sha256sum -c --quiet - || {
		echo "busybox.sh: $dsc does not match the pinned checksum in scripts/versions.sh" >&2; exit 1; }
	src=$cache/busybox-build-$key
	rm -rf "$src"
	# dpkg-source checks every file against the checksums in the .dsc.
	dpkg-source -q -x "$dsc" "$src" >"$cache/dpkg-source.log" 2>&1 || {
		cat "$cache/dpkg-source.log" >&2; exit 1; }
	echo "  BBUILD    busybox $upver ($key; cached afterwards)"
	log=$src/roadbox-build.log
	if [ "${V:-0}" = 1 ]; then kv=V=1; else kv=-s; fi
	(
		cd "$src"
		# BusyBox's kconfig ignores KCONFIG_ALLCONFIG: start from
		# allnoconfig, put our lines in place of the defaults, resolve.
		make $kv allnoconfig
		opts=$(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' "$frag" | paste -sd'|')
		grep -Ev "^(# )?($opts)[= ]" .config > .config.new || true
		grep -E '^CONFIG_' "$frag" >> .config.new
		mv .config.new .config
		yes "" | make $kv oldconfig >/dev/null
		bad=0
		while IFS= read -r line; do
			case $line in
			CONFIG_*=*) opt=${line%%=*} want=$line ;;
			*) continue ;;
			esac
			have=$(grep -E "^$opt=" .config || true)
			if [ "$have" != "$want" ]; then
				echo "busybox.sh: requested '$want', config has '${have:-unset}'" >&2; bad=1
			fi
		done < "$frag"
		[ $bad = 0 ] || { echo "busybox.sh: BusyBox config dropped requested options" >&2; exit 1; }
		SOURCE_DATE_EPOCH=$(stat -c %Y "$dsc") nice make $kv -j"${JOBS:-$(nproc)}" busybox
		make $kv busybox.links && sed "s,^/*,/," busybox.links > roadbox-applets
	) >"$log" 2>&1 || { tail -n 40 "$log" >&2; echo "busybox.sh: build failed (log: $log)" >&2; exit 1; }
	mkdir -p "$hit.tmp"
	cp "$src/busybox" "$src/.config" "$hit.tmp/" && cp "$src/roadbox-applets" "$hit.tmp/applets"
	rm -rf "$hit" "$src" && mv "$hit.tmp" "$hit"
fi
mkdir -p "$out"
for f in busybox applets .config; do cp "$hit/$f" "$out/$f.tmp" && mv "$out/$f.tmp" "$out/$f"; done
