#!/bin/bash
# kernel.sh OUTDIR CACHE FRAGMENT... - configure and build the kernel.
#
# The config is allnoconfig + our fragments, merged with the kernel's own
# merge_config.sh; every line a fragment asks for must survive the merge.
# The build is cached in CACHE keyed by (source version, merged config):
# an unchanged config never recompiles. Writes OUTDIR/bzImage and
# OUTDIR/config.
set -euo pipefail
out=$1 cache=$2; shift 2
frags=("$@")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
for i in "${!frags[@]}"; do frags[$i]=$(realpath "${frags[$i]}"); done
say() { [ "${V:-0}" = 1 ] && echo "kernel.sh: $*" >&2 || true; }
quiet() { if [ "${V:-0}" = 1 ]; then "$@"; else "$@" >/dev/null; fi; }

ver=$(dpkg-query -W -f='${Version}' "$LINUX_PKG" 2>/dev/null || true)
if [ "$ver" != "$LINUX_PKG_VERSION" ]; then
	echo "kernel.sh: $LINUX_PKG $LINUX_PKG_VERSION is pinned, found '${ver:-none}'." >&2
	echo "kernel.sh: install it (apt-get install $LINUX_PKG=$LINUX_PKG_VERSION) or update scripts/versions.sh." >&2
	exit 1
fi
mkdir -p "$cache"
exec 9>"$cache/kernel.lock"
flock 9   # several builds (tests, helpers) may share the cache

src=$cache/linux-$LINUX_PKG_VERSION
if [ ! -f "$src/.roadbox-unpacked" ]; then
	echo "$LINUX_TARBALL_SHA256  $LINUX_TARBALL" | sha256sum -c --quiet - || {
		echo "kernel.sh: $LINUX_TARBALL does not match the pinned checksum" >&2; exit 1; }
	say "unpacking $LINUX_TARBALL"
	rm -rf "$src" "$src.tmp" && mkdir -p "$src.tmp"
	tar -xf "$LINUX_TARBALL" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.roadbox-unpacked" && mv "$src.tmp" "$src"
fi

# Configure in a scratch output dir so the cached build tree is only
# touched when the config really changed.
cfgdir=$cache/config-$$
trap 'rm -rf "$cfgdir"' EXIT
mkdir -p "$cfgdir"
(cd "$src" && quiet ./scripts/kconfig/merge_config.sh -n -O "$cfgdir" "${frags[@]}") 2>"$cfgdir/merge.log" || {
	cat "$cfgdir/merge.log" >&2; echo "kernel.sh: merge_config.sh failed" >&2; exit 1; }

# A silently dropped CONFIG line is a bug: check every requested value.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) opt=${line%%=*} want=$line ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *} want="" ;;
	*) continue ;;
	esac
	have=$(grep -E "^$opt=" "$cfgdir/.config" || true)
	if [ "$have" != "$want" ]; then
		echo "kernel.sh: requested '${want:-# $opt is not set}' but the merged config has '${have:-# $opt is not set}'" >&2
		bad=1
	fi
done < <(cat "${frags[@]}")
[ $bad = 0 ] || { echo "kernel.sh: kernel config merge dropped requested options (see above)" >&2; exit 1; }

key=$( (echo "$LINUX_PKG_VERSION"; grep -v '^#' "$cfgdir/.config" | sort) | sha256sum | cut -c1-16)
hit=$cache/kernels/$key
if [ ! -f "$hit/bzImage" ]; then
	echo "  KBUILD    linux $LINUX_PKG_VERSION (config $key; cached afterwards)"
	bld=$cache/build-$LINUX_PKG_VERSION
	mkdir -p "$bld"
	cp "$cfgdir/.config" "$bld/.config"
	# Fixed timestamp: the same config gives the same bzImage.
	export KBUILD_BUILD_TIMESTAMP="$(date -u -d @"$(stat -c %Y "$LINUX_TARBALL")" '+%Y-%m-%d')"
	export KBUILD_BUILD_TIMESTAMP="$KBUILD_BUILD_TIMESTAMP 00:00:00 UTC"
	if [ "${V:-0}" = 1 ]; then kv=V=1; else kv=-s; fi
	make -C "$src" O="$bld" $kv olddefconfig >/dev/null
	t0=$(date +%s)
	make -C "$src" O="$bld" $kv -j"${JOBS:-$(nproc)}" bzImage >"$cfgdir/build.log" 2>&1 || {
		tail -n 40 "$cfgdir/build.log" >&2; echo "kernel.sh: kernel build failed" >&2; exit 1; }
	mkdir -p "$hit.tmp"
	cp "$bld/arch/x86/boot/bzImage" "$hit.tmp/bzImage"
	cp "$bld/.config" "$hit.tmp/config"
	echo $(( $(date +%s) - t0 )) > "$hit.tmp/build-seconds"   # for bench/run
	rm -rf "$hit" && mv "$hit.tmp" "$hit"
else
	say "cache hit $key"
fi
mkdir -p "$out"
cp "$hit/bzImage" "$out/bzImage.tmp" && mv "$out/bzImage.tmp" "$out/bzImage"
cp "$hit/config" "$out/config"
