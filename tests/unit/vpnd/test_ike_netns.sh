#!/bin/bash
# test_ike_netns.sh - vpnd against a real strongSwan (charon 5.9, Debian's
# package) in two network namespaces on this host.  The host kernel has no
# ESP, so vpnd runs with -n (IKE only) and charon's own SA install fails
# after the IKE SA is up; the IKE side is what this test checks: proposals
# (bundle, Windows, iOS, Android, legacy), INVALID_KE_PAYLOAD, RSA/ECDSA
# and RFC 7427 or classic AUTH, CRL, CP (address + DNS), fragmentation both
# ways, forced NAT-T, vpnctl list/kick, Delete handling and the log events,
# vpnd's own CHILD_SA rekey (lifetimes emulated by a timer with -n), a rekey
# collision, the hard expire, max_ike_sas and max_message_size.
# Kernel SAs are exercised by the QEMU interop test (tests/interop).
# Needs root, ip netns, charon + swanctl; exits 77 otherwise.
set -u
TOP=${ROADBOX_TOP:-$(cd "$(dirname "$0")/../../.." && pwd)}
O=${ROADBOX_O:-$TOP/build}
VPND=$O/bin/vpnd VPNCTL=$O/bin/vpnctl
[ "$(id -u)" = 0 ] || { echo "skip: needs root for network namespaces"; exit 77; }
[ -x /usr/lib/ipsec/charon ] && command -v swanctl >/dev/null || { echo "skip: strongSwan not installed"; exit 77; }
[ -x "$VPND" ] && [ -x "$VPNCTL" ] || { echo "skip: build vpnd/vpnctl first ($VPND)"; exit 77; }
T=$(mktemp -d /tmp/vpnd-netns.XXXXXX)
NS_S=vpnds$$ NS_C=vpndc$$
failed=0
ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; failed=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else nok "$what"; fi; }

stop_all() {
	for ns in $NS_S $NS_C ${NS_A:-} ${NS_B:-}; do
		for p in $(ip netns pids $ns 2>/dev/null); do kill $p 2>/dev/null; done
	done
	sleep 0.5
	for ns in $NS_S $NS_C ${NS_A:-} ${NS_B:-}; do
		for p in $(ip netns pids $ns 2>/dev/null); do kill -9 $p 2>/dev/null; done
	done
}
NS_A=vpnda$$ NS_B=vpndb$$
cleanup() { stop_all; for ns in $NS_S $NS_C $NS_A $NS_B; do ip netns del $ns 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT

bash "$TOP/tests/unit/vpnd/mkca.sh" "$T/ca" >/dev/null 2>&1 || { echo "not ok - test CA"; exit 1; }
ip netns add $NS_S && ip netns add $NS_C || { echo "skip: ip netns failed"; exit 77; }
ip link add vs$$ type veth peer name vc$$
ip link set vs$$ netns $NS_S; ip link set vc$$ netns $NS_C
ip -n $NS_S addr add 10.77.0.1/24 dev vs$$; ip -n $NS_S link set vs$$ up; ip -n $NS_S link set lo up
ip -n $NS_C addr add 10.77.0.2/24 dev vc$$; ip -n $NS_C link set vc$$ up; ip -n $NS_C link set lo up

SW() { local op=$1; shift; ip netns exec $CUR_NS env SWANCTL_DIR=$C/swanctl swanctl $op --uri unix://$C/charon.vici "$@"; }
# run NAME CLIENT IKEPROP ESPPROP [VPND_EXTRA] [CHARON_EXTRA] [CONN_EXTRA]
run() {
	local name=$1 client=$2 prop=$3 esp=$4 vextra=${5:-} cextra=${6:-} conn=${7:-} inst=no
	[ -n "${LIBIPSEC:-}" ] && inst=yes  # libipsec needs its routes and the virtual IP
	CUR_NS=${CNS:-$NS_C}
	[ -z "${NOSRV:-}" ] && stop_all
	[ -z "${NOSRV:-}" ] && S=$T/$name/srv
	C=$T/$name/cli
	mkdir -p $S $C/swanctl/{x509,x509ca,private}
	[ -z "${NOSRV:-}" ] && cp $T/ca/{ca.crt,crl.pem,server.crt,server.key,server.id} $S/
	if [ -n "${SRV:-}" ]; then cp $T/ca/$SRV.crt $S/server.crt; cp $T/ca/$SRV.key $S/server.key; fi
	[ -z "${NOSRV:-}" ] && printf '%s\n' "pool = 10.99.0.0/24" "dns = 10.99.0.1, 192.0.2.53" "nbns = 10.99.0.1" \
		"ca = $S/ca.crt" "crl = $S/crl.pem" "cert = $S/server.crt" "key = $S/server.key" \
		"server_id_file = $S/server.id" "socket = $S/vpnd.sock" "user = -" "log_level = debug" \
		"$vextra" > $S/vpnd.conf
	cp $T/ca/ca.crt $C/swanctl/x509ca/; cp $T/ca/$client.crt $C/swanctl/x509/
	[ -n "${IM:-}" ] && cp $T/ca/$IM.crt $C/swanctl/x509ca/
	cp $T/ca/$client.key $C/swanctl/private/
	cat > $C/strongswan.conf <<-C
	charon {
	  load_modular = yes
	  install_routes = $inst
	  install_virtual_ip = $inst
	  retransmit_tries = 2
	  retransmit_timeout = 2
	  $cextra
	  plugins {
	    include /etc/strongswan.d/charon/*.conf
	    vici { socket = unix://$C/charon.vici }
	    ${LIBIPSEC:+kernel-libipsec { load = yes \}}
	  }
	  filelog { log { path = $C/charon.log
	    flush_line = yes
	    default = 1
	    ike = 2
	    enc = 1
	  } }
	}
	C
	cat > $C/swanctl/swanctl.conf <<-C
	connections {
	 box {
	  version = 2
	  remote_addrs = 10.77.0.1
	  vips = 0.0.0.0
	  proposals = $prop
	  $conn
	  local {
	   auth = pubkey
	   certs = $client.crt
	   id = ${CID:-$client@test}
	  }
	  remote {
	   auth = pubkey
	   id = vpn.test
	  }
	  children {
	   net {
	    remote_ts = 0.0.0.0/0
	    esp_proposals = $esp
	    ${CHILD_EXTRA:-}
	   }
	  }
	 }
	}
	C
	if [ -z "${NOSRV:-}" ]; then
		ip netns exec $NS_S "$VPND" -f -n -c $S/vpnd.conf > $S/vpnd.out 2>&1 &
		for i in 1 2 3 4 5 6 7 8 9 10; do [ -S $S/vpnd.sock ] && break; sleep 0.2; done
	fi
	# charon gets a private /run and resolv.conf: nothing on the host changes
	: > $C/resolv.conf
	ip netns exec $CUR_NS unshare -m sh -c "mount -t tmpfs none /run && mount --bind $C/resolv.conf /etc/resolv.conf && STRONGSWAN_CONF=$C/strongswan.conf exec /usr/lib/ipsec/charon" > $C/charon.out 2>&1 &
	for i in $(seq 1 25); do [ -S $C/charon.vici ] && break; sleep 0.2; done
	SW --load-all > $C/load.out 2>&1
	[ -n "${HOOK:-}" ] && eval "$HOOK"
	timeout 30 ip netns exec $CUR_NS env SWANCTL_DIR=$C/swanctl swanctl --initiate --uri unix://$C/charon.vici --child net > $C/init.out 2>&1
	SW --list-sas > $C/sas.out 2>&1
	ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock list > $S/list.out 2>&1
}
established() { grep -q "ESTABLISHED" $C/sas.out && grep -q "^vpnd: established .*id=$1 " $S/vpnd.out; }
srvlog() { grep -q -- "$1" $S/vpnd.out; }
clilog() { grep -q -- "$1" $C/charon.log; }

# 1. the client bundle's proposal, RSA, RFC 7427, CP, DNS, fragmented response
[ -n "${ONLY:-}" ] && { run $ONLY; cat $C/resolv.conf; ls -la $C; exit; }
run bundle alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "" "" "dpd_delay = 1s"
check "bundle proposal: IKE SA established with RSA client" established alice@test
check "bundle proposal: logged proposal and esp" srvlog "proposal=aes256gcm16-prfsha384-ecp384 esp=aes256gcm16"
check "client got 10.99.0.1 from the pool" clilog "installing new virtual IP 10.99.0.1"
check "client got our first DNS server" clilog "installing DNS server 10.99.0.1"
check "client got our second DNS server" grep -q "nameserver 192.0.2.53" $C/resolv.conf
check "server AUTH used RFC 7427 signature" clilog "authentication of 'vpn.test' with RSA_EMSA_PKCS1_SHA2_256 successful"
check "large IKE_AUTH response was fragmented (RFC 7383)" clilog "reassembled fragmented IKE message"
check "vpnctl list shows the client" grep -q "^id=alice@test vip=10.99.0.1 outer=10.77.0.2:4500" $S/list.out
sleep 2.5
check "liveness check (empty INFORMATIONAL) answered" clilog "parsed INFORMATIONAL response [0-9]* \[ \]"
SW --terminate --ike box > /dev/null 2>&1; sleep 0.5
check "client delete logged as closed" srvlog "closed ts=.* id=alice@test .*reason=client_delete"
ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock status > $S/status.out
check "vpnctl status counts" grep -q "^established 0" $S/status.out

# 1b. strongSwan's default proposals; the client's ID is its CN (FQDN type)
CID="CN=alice" run defaults alice default default
check "strongSwan default proposals established, DN identity" established '"CN=alice"'

# 2. ECDSA client certificate
run ecdsa bob aes256gcm16-prfsha384-ecp384 aes256gcm16
check "ECDSA client certificate accepted" established bob@test
check "client authenticated by ECDSA (RFC 7427)" clilog "authentication of 'bob@test' (myself) with ECDSA"

# 2b. ECDSA P-384 server certificate, with and without RFC 7427
SRV=serverec run ecserver alice aes256gcm16-prfsha384-ecp384 aes256gcm16
check "ECDSA P-384 server: RFC 7427 signature accepted by the client" clilog "authentication of 'vpn.test' with ECDSA_WITH_SHA384_DER successful"
SRV=serverec run ecserver_classic alice aes256-sha256-modp2048 aes256-sha256 "" "signature_authentication = no"
check "ECDSA P-384 server: classic method 10 accepted by the client" clilog "authentication of 'vpn.test' with ECDSA-384 signature successful"

# 3. revoked certificate
run revoked carol aes256gcm16-prfsha384-ecp384 aes256gcm16
check "revoked certificate refused with AUTHENTICATION_FAILED" clilog "received AUTHENTICATION_FAILED notify"
check "revocation logged as auth_failed reason=revoked" srvlog "auth_failed ts=.* outer=10.77.0.2:4500 reason=revoked id=carol@test serial="

# 3b. a client under an intermediate CA (sent by the client); our CRL
# applies to the intermediate our CA issued
IM=im1 run intermediate dave aes256gcm16-prfsha384-ecp384 aes256gcm16
check "client certificate under an intermediate CA accepted" established dave@test
IM=im2 run revoked_im erin aes256gcm16-prfsha384-ecp384 aes256gcm16
check "client under a revoked intermediate CA refused" srvlog "auth_failed ts=.* reason=revoked id=erin@test"

# 4. Windows with the NegotiateDH2048_AES256 tweak: no RFC 7427, SHA-1 everywhere
run windows alice aes256-sha1-modp2048 aes256-sha1 "" "signature_authentication = no"
check "Windows (aes256-sha1-modp2048) proposal established" established alice@test
check "Windows: logged proposal" srvlog "proposal=aes256-sha1-prfsha1-modp2048 esp=aes256-sha1"
check "Windows: classic RSA AUTH (method 1) without RFC 7427" clilog "authentication of 'vpn.test' with RSA signature successful"

# 5. Windows' default proposal (MODP1024 only): refused unless legacy_windows
run win_default alice 3des-sha1-modp1024,aes256-sha1-modp1024 aes256-sha1
check "MODP1024-only proposal refused by default" clilog "received NO_PROPOSAL_CHOSEN notify"
check "refusal logged as auth_failed reason=no_proposal" srvlog "auth_failed ts=.* reason=no_proposal"
run win_legacy alice 3des-sha1-modp1024 3des-sha1 "legacy_windows = yes"
check "legacy_windows = yes accepts 3des-sha1-modp1024" established alice@test

# 6. iOS manual setup proposals
run ios alice aes256-sha256-modp2048,aes256-sha256-ecp256,aes256-sha256-modp1536 aes256-sha256
check "iOS proposal set established" established alice@test
check "iOS: modp2048 chosen" srvlog "proposal=aes256-sha256-prfsha256-modp2048"

# 7. Android: GCM with MODP3072 / curve25519, no SHA-1
run android alice aes256gcm16-prfsha256-modp3072,aes256gcm16-prfsha256-curve25519 aes256gcm16
check "Android proposal set established" established alice@test
check "Android: modp3072 chosen" srvlog "proposal=aes256gcm16-prfsha256-modp3072"
run x25519 alice aes128gcm16-prfsha512-curve25519 aes128gcm16
check "curve25519 with aes128gcm16/prfsha512" established alice@test

# 8. INVALID_KE_PAYLOAD: the client guesses MODP1024 first
run invalid_ke alice aes256-sha256-modp1024-ecp256 aes256-sha256
check "INVALID_KE_PAYLOAD asks for ecp256" clilog "peer didn't accept DH group MODP_1024, it requested ECP_256"
check "established after INVALID_KE_PAYLOAD" established alice@test

# 9. NAT-T forced, fragmented IKE_AUTH request from the client
run natt alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "" "fragment_size = 576" "encap = yes"
check "forced UDP encapsulation detected (NAT)" grep -q "nat=yes" $S/list.out
check "established with a fragmented IKE_AUTH request" established alice@test
check "client really sent fragments" clilog "splitting IKE message"

# 10. kick
ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock kick alice@test > $S/kick.out 2>&1
sleep 1
check "vpnctl kick answered" grep -q "kicked 1" $S/kick.out
check "kick logged as closed reason=kicked" srvlog "closed ts=.* id=alice@test .*reason=kicked"
check "client received our Delete" clilog "received DELETE for IKE_SA"

# 10b. rekeying (CREATE_CHILD_SA): the client keeps its CHILD_SA in
# userspace (kernel-libipsec) so it has one to rekey: CHILD_SA with PFS
# every 3 s, IKE SA every 7 s
LIBIPSEC=1 CHILD_EXTRA="rekey_time = 3s
    life_time = 30s
    rand_time = 0s" run rekey alice aes256gcm16-prfsha384-ecp384 aes256gcm16-ecp384 "" "" "rekey_time = 7s
  over_time = 30s
  rand_time = 0s"
sleep 9
ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock list > $S/list2.out 2>&1
SW --list-sas > $C/sas2.out 2>&1
SW --terminate --ike box > /dev/null 2>&1; sleep 0.5
check "CHILD_SA rekeyed with PFS (KE in CREATE_CHILD_SA)" srvlog "CHILD_SA of alice@test rekeyed with PFS"
check "IKE SA rekeyed" srvlog "IKE SA of alice@test rekeyed"
check "client saw the CHILD_SA rekey complete" clilog "CHILD_SA net{[0-9]*} established .*rekeying\|rekeyed CHILD_SA\|CHILD_SA net{2} established"
check "client saw the IKE SA rekey complete" clilog "IKE_SA box\[[0-9]*\] rekeyed"
check "after rekeys: one client in vpnctl list, still ESTABLISHED" \
	test "$(grep -c '^id=alice@test' $S/list2.out)" = 1 -a "$(grep -c ESTABLISHED $C/sas2.out)" = 1
check "one closed line with the established line's ike_spi" \
	test "$(grep -c '^vpnd: closed' $S/vpnd.out)" = 1 -a \
	"$(grep '^vpnd: closed' $S/vpnd.out | sed 's/.*ike_spi=\([0-9a-f]*\).*/\1/')" = \
	"$(grep '^vpnd: established' $S/vpnd.out | sed 's/.*ike_spi=\([0-9a-f]*\).*/\1/')"
LIBIPSEC=1 CHILD_EXTRA="rekey_time = 3s
    life_time = 30s
    rand_time = 0s" run rekey_nopfs alice aes256-sha256-modp2048 aes256-sha256
sleep 4.5
check "CHILD_SA rekeyed without PFS" srvlog "CHILD_SA of alice@test rekeyed (spi"

# 10b3. vpnd's own CHILD_SA rekey before the hard lifetime (with -n a timer
# from the install time stands in for the kernel's soft expire): child_lifetime
# 20 s, rekey_margin 8 s -> soft after 10..12 s; the client's lifetimes are long
wait_for() { local t=$1; shift; for _ in $(seq 1 $((t * 5))); do "$@" && return 0; sleep 0.2; done; return 1; }
vstatus() { ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock status; }
LIBIPSEC=1 run ourrekey alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "child_lifetime = 20
rekey_margin = 8"
wait_for 20 srvlog "CHILD_SA of alice@test rekeyed by us"
check "vpnd rekeyed the CHILD_SA itself at its soft lifetime" srvlog "CHILD_SA of alice@test rekeyed by us (spi"
check "our CREATE_CHILD_SA carried REKEY_SA, SA, Ni, TSi, TSr" clilog "parsed CREATE_CHILD_SA request [0-9]* \[ N(REKEY_SA) SA No TSi TSr \]"
wait_for 5 clilog "received DELETE for ESP CHILD_SA"
check "the client got our Delete for the old CHILD_SA" clilog "received DELETE for ESP CHILD_SA"
SW --list-sas > $C/sas3.out 2>&1
check "client: one IKE SA with exactly one CHILD_SA after our rekey" \
	test "$(grep -c ESTABLISHED $C/sas3.out)" = 1 -a "$(grep -c INSTALLED $C/sas3.out)" = 1
check "vpnctl status counts rekeys_by_us" grep -q "^rekeys_by_us 1$" <(vstatus)
# the client stops answering: our next rekey cannot complete, the hard
# lifetime closes the client
ip netns exec $NS_C nft -f - <<<"table inet vt { chain in { type filter hook input priority 0; udp sport 4500 drop; }; }"
wait_for 30 srvlog "closed ts=.* id=alice@test .*reason=expired"
ip netns exec $NS_C nft delete table inet vt
check "unanswered rekey: vpnd retransmitted it" srvlog "rekeying the CHILD_SA of alice@test"
check "hard lifetime reached: closed reason=expired" srvlog "closed ts=.* id=alice@test .*reason=expired"
vstatus > $S/status_exp.out
check "after the expire: vpnctl list empty, no address in use, expired counted" \
	test -z "$(ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock list)" -a \
	"$(grep -c '^pool_used 0 of\|^expired 1$\|^established 0$' $S/status_exp.out)" = 3

# 10b4. a client that demands PFS for rekeys (esp with a DH group): our
# rekey without KE is refused and retried with the IKE SA's group
LIBIPSEC=1 run ourrekey_pfs alice aes256gcm16-prfsha384-ecp384 aes256gcm16-ecp384 "child_lifetime = 20
rekey_margin = 8"
wait_for 20 srvlog "CHILD_SA of alice@test rekeyed by us"
check "vpnd's rekey with PFS (KE) accepted by a PFS client" srvlog "CHILD_SA of alice@test rekeyed by us with PFS"
check "our CREATE_CHILD_SA carried a KE" clilog "parsed CREATE_CHILD_SA request [0-9]* \[ N(REKEY_SA) SA No KE TSi TSr \]"
sleep 1
SW --list-sas > $C/sas4.out 2>&1
check "PFS rekey: the client has exactly one CHILD_SA" test "$(grep -c INSTALLED $C/sas4.out)" = 1

# 10b5. collision (RFC 7296 2.8.1): the client rekeys at 13 s, vpnd at its
# soft lifetime (14..15 s); the client's packets are dropped from 12 to 18 s,
# so its request is still in flight when ours arrives, and ours when its
# retransmission reaches vpnd: both exchanges complete
LIBIPSEC=1 CHILD_EXTRA="rekey_time = 13s
    life_time = 60s
    rand_time = 0s" run collision alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "child_lifetime = 20
rekey_margin = 5"
sleep 12
ip netns exec $NS_C nft -f - <<<"table inet vt { chain out { type filter hook output priority 0; udp dport 4500 drop; }; }"
sleep 6
ip netns exec $NS_C nft delete table inet vt
wait_for 25 srvlog "rekey collision for alice@test"
sleep 3
SW --list-sas > $C/sas5.out 2>&1
if srvlog "rekey collision on the CHILD_SA of alice@test"; then
	check "collision detected by vpnd and resolved by the nonces" srvlog "rekey collision for alice@test: .* redundant"
	check "client saw the collision too" clilog "detected CHILD_REKEY collision"
	check "after the collision: exactly one CHILD_SA on the client, one client in vpnctl list" \
		test "$(grep -c INSTALLED $C/sas5.out)" = 1 -a \
		"$(ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock list | grep -c '^id=alice@test')" = 1
else
	echo "# no collision provoked this time (timing); rekeys seen:"; grep "rekey" $S/vpnd.out | sed 's/^/# /'
fi

# 10b2. stateless cookies (cookie_threshold = 0: always)
run cookie alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "cookie_threshold = 0"
check "COOKIE round trip, then established" established alice@test
check "client was asked for a cookie" clilog "IKE_SA_INIT response 0 \[ N(COOKIE) \]"

# 10c. dead peer detection: vpnd checks liveness after 2 idle seconds; a
# client that answers stays, one that went silent is deleted after 5 s
run dpd alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "dpd_delay = 2
dpd_timeout = 5"
sleep 3.5
check "liveness check sent after dpd_delay and answered" srvlog "liveness check for alice@test"
check "an answering client is kept" grep -q "^id=alice@test" <(ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock list)
ip netns exec $NS_C nft -f - <<<"table inet vt { chain in { type filter hook input priority 0; udp sport 4500 drop; }; }"
sleep 9
ip netns exec $NS_C nft delete table inet vt
check "a silent client is deleted: closed reason=dpd" srvlog "closed ts=.* id=alice@test .*reason=dpd"
check "vpnctl list empty after DPD" test -z "$(ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock list)"

# 10d. SIGTERM: every client gets a Delete, kernel state goes, "stopping" logged
run sigterm alice aes256gcm16-prfsha384-ecp384 aes256gcm16
for p in $(ip netns pids $NS_S); do kill -TERM $p; done
sleep 1
check "SIGTERM: stopping logged" srvlog "^vpnd: stopping ts=[0-9]* reason=signal"
check "SIGTERM: client closed with reason=shutdown" srvlog "closed ts=.* id=alice@test .*reason=shutdown"
check "SIGTERM: the client received a Delete" clilog "received DELETE for IKE_SA"

# 11. retransmission: the client loses our IKE_AUTH response and resends
HOOK='ip netns exec $NS_C nft -f - <<<"table inet vt { chain in { type filter hook input priority 0; udp sport 4500 drop; }; }"; (sleep 1.5; ip netns exec $NS_C nft delete table inet vt) &'
run retransmit alice aes256gcm16-prfsha384-ecp384 aes256gcm16
HOOK=
check "retransmitted IKE_AUTH answered from the cache" srvlog "retransmitted request 1: resending the cached response"
check "IKE_AUTH processed once, established after the retransmission" \
	test "$(grep -c '^vpnd: established' $S/vpnd.out)" = 1 -a "$(grep -c ESTABLISHED $C/sas.out)" = 1
# 12. two clients behind the same NAT: the client namespace becomes a
# masquerading router for two more client namespaces
ip netns add $NS_A; ip netns add $NS_B
ip link add na$$ type veth peer name ra$$; ip link add nb$$ type veth peer name rb$$
ip link set na$$ netns $NS_A; ip link set ra$$ netns $NS_C
ip link set nb$$ netns $NS_B; ip link set rb$$ netns $NS_C
ip -n $NS_C addr add 192.168.5.1/24 dev ra$$; ip -n $NS_C link set ra$$ up
ip -n $NS_C addr add 192.168.6.1/24 dev rb$$; ip -n $NS_C link set rb$$ up
ip -n $NS_A addr add 192.168.5.2/24 dev na$$; ip -n $NS_A link set na$$ up; ip -n $NS_A link set lo up
ip -n $NS_B addr add 192.168.6.2/24 dev nb$$; ip -n $NS_B link set nb$$ up; ip -n $NS_B link set lo up
ip -n $NS_A route add default via 192.168.5.1; ip -n $NS_B route add default via 192.168.6.1
ip netns exec $NS_C sysctl -qw net.ipv4.ip_forward=1
ip netns exec $NS_C nft -f - <<<"table ip vtnat { chain post { type nat hook postrouting priority 100; oifname \"vc$$\" masquerade; }; }"
CNS=$NS_A run nat_a alice aes256gcm16-prfsha384-ecp384 aes256gcm16
NOSRV=1 CNS=$NS_B run nat_b bob aes256gcm16-prfsha384-ecp384 aes256gcm16
ip netns exec $NS_S "$VPNCTL" -s $S/vpnd.sock list > $S/list_nat.out 2>&1
both_est() { established bob@test && grep -q '^vpnd: established .*id=alice@test ' $S/vpnd.out; }
check "two clients behind one NAT: both established" both_est
check "both listed from the NAT's address with different ports and addresses" \
	test "$(grep -c 'outer=10.77.0.2:.* nat=yes' $S/list_nat.out)" = 2 -a \
	"$(sed 's/.*outer=\([^ ]*\).*/\1/' $S/list_nat.out | sort -u | wc -l)" = 2 -a \
	"$(sed 's/.*vip=\([^ ]*\).*/\1/' $S/list_nat.out | sort -u | wc -l)" = 2

# 13. max_ike_sas = 1: a second client's IKE_SA_INIT is dropped before any DH
CNS=$NS_A run cap_a alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "max_ike_sas = 1"
NOSRV=1 CNS=$NS_B run cap_b bob aes256gcm16-prfsha384-ecp384 aes256gcm16
check "max_ike_sas: the first client established" grep -q '^vpnd: established .*id=alice@test ' $S/vpnd.out
check "max_ike_sas: the second client is refused" test "$(grep -c '^vpnd: established' $S/vpnd.out)" = 1
check "max_ike_sas: warning logged, drops counted" \
	sh -c "grep -q 'max_ike_sas (1) reached' $S/vpnd.out && ip netns exec $NS_S $VPNCTL -s $S/vpnd.sock status | grep -q '^init_dropped_cap [1-9]'"

# 14. max_message_size = 1280: an unfragmented IKE_AUTH with a certificate
# is bigger and dropped before parsing
run bigmsg alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "max_message_size = 1280" "" "fragmentation = no"
check "max_message_size: a bigger datagram dropped, not established" \
	sh -c "grep -q 'dropping a [0-9]*-byte IKE datagram (max_message_size 1280)' $S/vpnd.out && ! grep -q '^vpnd: established' $S/vpnd.out"
check "max_message_size: counted in vpnctl status" grep -q '^messages_too_big [1-9]' <(vstatus)

# 15. max_half_open: sources that answer cookies (ikeflood --answer-cookies,
# 198.18.0.0/16 spoofed from the client namespace, which the server routes
# them to) fill the half-open cap while charon connects: the oldest
# half-open SAs are evicted and the real client gets in.  max_ike_sas = 60
# would be full within ~1.5 s of the flood without max_half_open.
FLOOD=$T/ikeflood
if cc -std=c11 -O2 -Wall -Wextra -o $FLOOD "$TOP/tests/tools/ikeflood.c" -lcrypto 2>$T/ikeflood.err; then
	ip -n $NS_S route add 198.18.0.0/16 via 10.77.0.2 2>/dev/null
	# the client namespace stops masquerading (case 12): the spoofed
	# sources must reach vpnd as they are
	ip netns exec $NS_C nft delete table ip vtnat 2>/dev/null
	# started by run() after charon is up: fill the cap, then connect
	flood_start() {
		ip netns exec $NS_C $FLOOD --dst 10.77.0.1 --sources 198.18.0.0/16 --rate 50 --seconds 12 \
			--iface vc$$ --answer-cookies --linger 1 > $T/flood.out 2>&1 &
		FPID=$!
		# until more half-open SAs were made than max_ike_sas holds: without
		# the eviction nobody would get in from here on
		for i in $(seq 80); do
			vstatus > $S/status_fill.out
			HALF0=$(awk '$1=="half_open"{print $2}' $S/status_fill.out)
			EVICT0=$(awk '$1=="half_open_evicted"{print $2}' $S/status_fill.out)
			[ "${EVICT0:-0}" -ge 45 ] && break
			sleep 0.1
		done
		T0=$(date +%s.%N)
	}
	HOOK=flood_start \
		run halfopen alice aes256gcm16-prfsha384-ecp384 aes256gcm16 "max_ike_sas = 60
max_half_open = 20
cookie_threshold = 5"
	T1=$(date +%s.%N)
	vstatus > $S/status_flood.out
	wait $FPID
	echo "# figure: max_half_open 20 under a cookie-answering flood of 50/s: half_open before connect=${HALF0:-?} (evicted ${EVICT0:-?}), connect time $(awk -v a=$T0 -v b=$T1 'BEGIN{printf "%.2f", b-a}') s, $(grep '^half_open_evicted' $S/status_flood.out); $(grep '^ikeflood:' $T/flood.out)"
	check "max_half_open: before the client connected the flood held the cap (20) and had made more than max_ike_sas (60) half-open SAs" \
		test "${HALF0:-0}" = 20 -a "${EVICT0:-0}" -ge 45
	check "max_half_open: the client connects during a cookie-answering flood" established alice@test
	check "max_half_open: the client's IKE_SA_INIT carried a cookie" clilog "IKE_SA_INIT response 0 \[ N(COOKIE) \]"
	check "max_half_open: half-open SAs evicted (counted), never above the cap" \
		sh -c "grep -q '^half_open_evicted [1-9]' $S/status_flood.out && awk '\$1==\"half_open\" && \$2 > 20 {exit 1}' $S/status_flood.out && grep -q 'max_half_open (20) reached' $S/vpnd.out"
else
	nok "ikeflood builds: $(head -c 300 $T/ikeflood.err)"
fi

stop_all
exit $failed
