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
#
# Make runs this every time; it does the work (and rewrites STAMP, so the
# root filesystem is rebuilt) only when one of the inputs changed: the
# overlay list, their nftables.conf, nftables.d/*.nft, vpnd.conf, or this
# script.
set -euo pipefail
stamp=$1; shift
dir=${stamp%.ok}.d
key=$( (echo "$*"; cat "$0"
	for ov in "$@"; do
		[ -n "$ov" ] || continue
		for f in "$ov"/etc/nftables.conf "$ov"/etc/vpnd.conf "$ov"/etc/nftables.d/*.nft; do
			if [ -f "$f" ]; then echo "== $f"; cat "$f"; fi
		done
	done) | sha256sum | cut -c1-32)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -f "$dir/nftables.conf" ]; then
	exit 0
fi
rm -f "$stamp"
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

printf '  %-9s %s\n' NFT-CHECK "$conf"

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

# The pool and the protected networks must agree with vpnd's configuration
# (the last overlay's etc/vpnd.conf): a pool the firewall does not know is
# dropped as spoofed, a protected network it does not list is never
# forwarded.  Load the ruleset for real in the private namespace and compare
# its sets (defaults as in src/vpnd/config.c).
vconf=
for ov in "$@"; do [ -n "$ov" ] && [ -f "$ov/etc/vpnd.conf" ] && vconf=$ov/etc/vpnd.conf; done
if [ -n "$vconf" ]; then
	if sets=$("${ns[@]}" sh -c 'nft -f "$1" && nft list set inet roadbox vpn_pool && nft list set inet roadbox protected' \
			sh "$dir/nftables.conf" 2>&1); then
		python3 - "$vconf" "$sets" <<'PY' || exit 1
import ipaddress, re, sys
conf, sets = sys.argv[1], sys.argv[2]
pool, protected = "10.99.0.0/24", "0.0.0.0/0"
for line in open(conf):
    line = line.split("#", 1)[0].strip()
    m = re.match(r"^(pool|protected)\s*=\s*(.*)$", line)
    if m and m.group(1) == "pool":
        pool = m.group(2).strip()
    elif m:
        protected = m.group(2).strip()
def elements(name):
    m = re.search(r"set %s \{.*?elements = \{(.*?)\}" % name, sets, re.S)
    nets = []
    for e in (m.group(1).replace("\n", " ").split(",") if m else []):
        e = e.strip()
        if "-" in e:
            a, b = (ipaddress.ip_address(x.strip()) for x in e.split("-"))
            nets += ipaddress.summarize_address_range(a, b)
        elif e:
            nets.append(ipaddress.ip_network(e, strict=False))
    return nets
bad = []
fw_pool = elements("vpn_pool")
want_pool = ipaddress.ip_network(pool, strict=False)
if fw_pool != [want_pool]:
    bad.append("the firewall's vpn_pool is %s but %s has pool = %s"
               % (", ".join(map(str, fw_pool)) or "empty", conf, pool))
fw_prot = elements("protected")
for n in re.split(r"[,\s]+", protected):
    if not n:
        continue
    net = ipaddress.ip_network(n, strict=False)
    if not any(net.subnet_of(f) for f in fw_prot):
        bad.append("%s has protected = %s but the firewall's protected set (%s) does not cover it"
                   % (conf, n, ", ".join(map(str, fw_prot)) or "empty"))
for b in bad:
    print("check-ruleset: " + b, file=sys.stderr)
if bad:
    print("check-ruleset: change /etc/nftables.conf (or etc/nftables.d/*.nft) and /etc/vpnd.conf together"
          " (docs/firewall.md, Site settings)", file=sys.stderr)
    sys.exit(1)
PY
	else
		echo "check-ruleset: warning: could not load the ruleset in a namespace to compare it with $vconf:" >&2
		echo "$sets" | tail -n 3 >&2
	fi
fi
echo "$key" >"$stamp"
