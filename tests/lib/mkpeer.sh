#!/bin/bash
# mkpeer.sh OUT.cpio [OPTION...] - build the initramfs of a *peer* guest
# for the QEMU tests: a small Linux userland next to the appliance under test
# (a strongSwan road-warrior client, a port scanner, a host on a network...).
#
# The peer boots directly with our kernel (~3 s under TCG):
#   qemu-system-x86_64 -kernel $ROADBOX_O/kernel/bzImage -initrd OUT.cpio \
#       -append "console=ttyS0 rb.ip=192.0.2.2/24 rb.gw=192.0.2.1" ...
#
# Options (repeatable, in any order):
#   --busybox PATH    static BusyBox to use (default $ROADBOX_O/busybox/busybox;
#                     its applets become symlinks in /bin, /sbin, /usr/bin, /usr/sbin)
#   --bin PATH        a host (Debian) executable, copied to the same path with
#                     exactly the shared libraries it loads (ldd); replaces a
#                     BusyBox applet of the same name (e.g. --bin /usr/bin/ip)
#   --lib PATH        a shared object that is dlopen()ed (ldd can't see those),
#                     with its own libraries
#   --file SRC:DST    a file copied to DST in the guest (mode kept)
#   --dir SRC:DST     a directory tree copied to DST (e.g. --dir /usr/share/nmap:/usr/share/nmap)
#   --strongswan      strongSwan: charon, swanctl, the plugins named in
#                     $PEER_SS_PLUGINS (default: the list below), libgcc_s
#                     (charon dlopens it for pthread_cancel), iproute2's ip
#                     (for `ip -s xfrm state`), and /etc/strongswan.conf loading
#                     exactly those plugins. Configs go to /etc/swanctl/ (add
#                     them with --file or in an --overlay-only archive).
#   --overlay-only    build only the listed --file/--dir/--bin entries: an
#                     archive to concatenate after a base one (the kernel
#                     unpacks concatenated cpio archives in order, later files
#                     win), so a test can add its certificates to a base image:
#                       cat base.cpio extra.cpio > peer.cpio
#
# The archive is an uncompressed newc cpio: our kernel has no initramfs
# decompressor (CONFIG_RD_* are off: the box's root is a squashfs).
#
# What the peer's /init does (kernel command line parameters):
#   mounts proc, sys, devtmpfs, devpts, tmpfs on /run and /tmp; brings up lo;
#   rb.hostname=NAME      sets the hostname
#   rb.ip=ADDR/PREFIX     configures eth0 (rb.mac is not needed: QEMU sets it)
#   rb.gw=ADDR            default route via ADDR
#   rb.run=GUEST_PATH     runs this script (sh) after the network is up;
#                         its output goes to the console
#   prints "RB-PEER: up <addr>" when the network is configured, then
#   "RB-PEER: ready" and starts a root shell on the console (tests drive it
#   with tests/lib/console.py: shell_ready(), run()). `poweroff -f` ends it.
set -euo pipefail

usage() { sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1; shift
busybox=${ROADBOX_O:+$ROADBOX_O/busybox/busybox}
bins=() libs=() files=() dirs=() strongswan=0 overlay_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--busybox) busybox=$2; shift 2 ;;
	--bin) bins+=("$2"); shift 2 ;;
	--lib) libs+=("$2"); shift 2 ;;
	--file) files+=("$2"); shift 2 ;;
	--dir) dirs+=("$2"); shift 2 ;;
	--strongswan) strongswan=1; shift ;;
	--overlay-only) overlay_only=1; shift ;;
	-h|--help) usage ;;
	*) echo "mkpeer.sh: unknown option '$1'" >&2; usage ;;
	esac
done

# The plugins a road-warrior client (and the harness's strongSwan responder)
# needs: crypto via OpenSSL, certificates, kernel IPsec, the vici control
# socket for swanctl, resolve (writes the DNS servers it was given to
# /etc/resolv.conf, which the tests check) and attr (responder: hands out DNS).
: "${PEER_SS_PLUGINS:=random nonce openssl aes sha1 sha2 hmac kdf gcm pem pkcs1 pkcs8 x509 revocation constraints pubkey kernel-netlink socket-default vici resolve attr}"
SS_LIBDIR=/usr/lib/ipsec
CHARON=$SS_LIBDIR/charon

stage=$(mktemp -d "${TMPDIR:-/tmp}/mkpeer.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# copy_file SRC DST: the file's content (symlinks followed) at DST in the guest.
copy_file() {
	mkdir -p "$stage$(dirname "$2")"
	rm -f "$stage$2"
	cp -L --preserve=mode "$1" "$stage$2"
}

# copy_elf PATH: an executable or shared object at its own path plus every
# library the dynamic loader resolves for it (and the loader itself), each
# at the path ldd names, so the loader's default search finds them.
copy_elf() {
	local f=$1 lib
	[ -e "$f" ] || { echo "mkpeer.sh: $f does not exist" >&2; exit 1; }
	copy_file "$f" "$f"
	while read -r lib; do
		[ -n "$lib" ] && [ ! -e "$stage$lib" ] && copy_file "$lib" "$lib"
	done < <(ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\//{print $1}')
	return 0
}

if [ $overlay_only = 0 ]; then
	[ -n "$busybox" ] && [ -x "$busybox" ] || {
		echo "mkpeer.sh: no BusyBox (set ROADBOX_O or pass --busybox; build it with 'make busybox')" >&2; exit 1; }
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,var,lib,lib64}
	ln -s ../run "$stage/var/run"
	cp "$busybox" "$stage/bin/busybox"
	# Applets: the build's list of install paths when it has one, else all in /bin.
	applets=$(dirname "$busybox")/applets
	if [ -f "$applets" ]; then
		list=$(grep -v '^#' "$applets")
	else
		list=$("$busybox" --list | sed 's|^|/bin/|')
	fi
	for a in $list; do
		case $a in /*) ;; *) a=/bin/$a ;; esac
		[ "$a" = /bin/busybox ] && continue
		mkdir -p "$stage$(dirname "$a")"
		ln -sf /bin/busybox "$stage$a"
	done
	[ -L "$stage/bin/sh" ] || ln -s busybox "$stage/bin/sh"
	echo "root:x:0:0:root:/root:/bin/sh" > "$stage/etc/passwd"
	echo "root:x:0:" > "$stage/etc/group"
	printf 'hosts: files\n' > "$stage/etc/nsswitch.conf"
	: > "$stage/etc/resolv.conf"
	# The kernel opens /dev/console before /init runs; without the node init
	# would start with no stdio (it re-opens it after mounting devtmpfs anyway).
	if [ "$(id -u)" = 0 ]; then
		mknod -m 600 "$stage/dev/console" c 5 1
		mknod -m 666 "$stage/dev/null" c 1 3
	fi
	cat > "$stage/init" <<'EOF'
#!/bin/sh
# Peer guest init (tests/lib/mkpeer.sh): mount, network, run, shell.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs tmpfs /tmp
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
host=$(arg rb.hostname); [ -n "$host" ] && hostname "$host"
ip link set lo up
addr=$(arg rb.ip)
if [ -n "$addr" ]; then
	ip link set eth0 up && ip addr add "$addr" dev eth0 || echo "RB-PEER: eth0 setup failed"
	gw=$(arg rb.gw)
	[ -n "$gw" ] && ip route add default via "$gw"
	echo "RB-PEER: up $addr"
fi
run=$(arg rb.run)
[ -n "$run" ] && sh "$run"
echo "RB-PEER: ready"
while :; do
	if command -v cttyhack >/dev/null; then setsid cttyhack sh -l; else sh -l; fi
done
EOF
	chmod 755 "$stage/init"
fi

if [ $strongswan = 1 ]; then
	copy_elf "$CHARON"
	copy_elf /usr/sbin/swanctl
	copy_elf /usr/bin/ip
	for p in $PEER_SS_PLUGINS; do
		copy_elf "$SS_LIBDIR/plugins/libstrongswan-$p.so"
	done
	# dlopen("libgcc_s.so.1") searches the loader's default directories.
	copy_file /usr/lib/x86_64-linux-gnu/libgcc_s.so.1 /lib/x86_64-linux-gnu/libgcc_s.so.1
	mkdir -p "$stage/etc/swanctl"/{conf.d,x509,x509ca,x509crl,private,rsa,ecdsa,pkcs8}
	# Our own strongswan.conf instead of Debian's /etc/strongswan.d: the
	# guest loads exactly the plugins copied above, logs to the console
	# (the test's log) and never forks anything.
	cat > "$stage/etc/strongswan.conf" <<EOF
charon {
	load = $PEER_SS_PLUGINS
	install_virtual_ip = yes
	# Give up on a silent peer after about a minute (3 + 5.4 + 9.7 + 17.5
	# + 31.5 s), not charon's default ~165 s: a test that waits for a dead
	# responder stays bounded. Retransmits are harmless to a live one.
	retransmit_tries = 4
	retransmit_timeout = 3.0
	# The tests read the outcome from swanctl and the logs, not from scripts.
	filelog {
		charon {
			path = /run/charon.log
			time_format = %b %e %T
			default = 1
			ike = 2
			cfg = 2
			flush_line = yes
		}
	}
	syslog {
		identifier = charon
	}
}
swanctl {
	load = pem pkcs1 pkcs8 x509 revocation constraints pubkey openssl random
}
EOF
	# Start charon (in the background, logging to /run/charon.log) and wait
	# for its vici socket; used by tests as "sh /usr/lib/ipsec/start-charon".
	cat > "$stage/usr/lib/ipsec/start-charon" <<'EOF'
#!/bin/sh
# start charon in the background and wait (10 s max) for its vici socket
/usr/lib/ipsec/charon >/run/charon.out 2>&1 &
# (BusyBox sh here has no $((arithmetic)): count with seq)
for i in $(seq 100); do [ -S /run/charon.vici ] && break; usleep 100000; done
[ -S /run/charon.vici ] && echo "RB-PEER: charon up" || { echo "RB-PEER: charon failed"; cat /run/charon.out; exit 1; }
EOF
	chmod 755 "$stage/usr/lib/ipsec/start-charon"
fi

for b in "${bins[@]+"${bins[@]}"}"; do copy_elf "$b"; done
for l in "${libs[@]+"${libs[@]}"}"; do copy_elf "$l"; done
for f in "${files[@]+"${files[@]}"}"; do
	src=${f%%:*} dst=${f#*:}
	[ "$src" != "$f" ] && [ -n "$dst" ] || { echo "mkpeer.sh: --file wants SRC:DST, got '$f'" >&2; exit 2; }
	copy_file "$src" "$dst"
done
for d in "${dirs[@]+"${dirs[@]}"}"; do
	src=${d%%:*} dst=${d#*:}
	[ -d "$src" ] || { echo "mkpeer.sh: --dir: $src is not a directory" >&2; exit 2; }
	mkdir -p "$stage$dst"
	cp -rL --preserve=mode "$src/." "$stage$dst/"
done

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
