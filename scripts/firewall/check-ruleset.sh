#!/bin/bash
# check-ruleset.sh STAMP OVERLAY_DIR... - check, at build time, the firewall
# ruleset exactly as the image will load it: the last overlay's
# etc/nftables.conf plus every etc/nftables.d/*.nft of all overlays (a later
# overlay's file replaces an earlier one of the same name, as in the image).
#
# `nft -c` parses and evaluates the whole ruleset (syntax, defines, set
# types, chain references) without committing it.  It runs in a new, empty
# network namespace, so the build host's own firewall is never read or
# touched.  What only the box's kernel can say (are the expressions built
# in?) is checked by tests/firewall/ on the booted image.
set -euo pipefail
stamp=$1; shift
dir=${stamp%.ok}.d
rm -rf "$dir" && mkdir -p "$dir/nftables.d"

conf=
for ov in "$@"; do
	[ -n "$ov" ] || continue
	[ -f "$ov/etc/nftables.conf" ] && conf=$ov/etc/nftables.conf
	for f in "$ov"/etc/nftables.d/*.nft; do
		[ -f "$f" ] && cp "$f" "$dir/nftables.d/"
	done
done
[ -n "$conf" ] || { echo "check-ruleset: no etc/nftables.conf in the overlays ($*)" >&2; exit 1; }
grep -q '^include "/etc/nftables.d/\*\.nft"$' "$conf" ||
	echo "check-ruleset: warning: $conf does not include /etc/nftables.d/*.nft (site rules there are ignored)" >&2

# Same file, with the site include pointed at the staged directory.
sed "s|^include \"/etc/nftables.d/|include \"$(realpath "$dir")/nftables.d/|" "$conf" >"$dir/nftables.conf"

if [ "$(id -u)" = 0 ]; then ns=(unshare --net); else ns=(unshare --user --map-root-user --net); fi
if ! "${ns[@]}" true 2>/dev/null; then
	echo "check-ruleset: cannot create a network namespace (${ns[*]}) to check the ruleset safely." >&2
	echo "check-ruleset: run the build as root or allow user namespaces; FIREWALL_CHECK=0 skips this check." >&2
	exit 1
fi
if ! out=$("${ns[@]}" nft -c -f "$dir/nftables.conf" 2>&1); then
	# Report errors against the real file names, not the staged copies.
	echo "$out" | sed "s|$(realpath "$dir")/nftables.d/|etc/nftables.d/|g; s|$(realpath "$dir")/nftables.conf|$conf|g; s|$dir/nftables.conf|$conf|g" >&2
	echo "check-ruleset: the firewall ruleset does not load (nft -c failed)" >&2
	exit 1
fi
touch "$stamp"
