"""The strongSwan client of the lifecycle tests (issue 5, Tests items 1-3):
its swanctl connections, its helper scripts and the initramfs overlay that
carries them (laid over swan.base_peer()).

Every connection is a road warrior to the box of tests/interop (swan.py's
addresses, testpki's certificates); they differ in what the lifecycle test
drives with them:

    child  alice, CHILD_SA rekeyed by the client after 20 s, ESP without DH
    pfs    alice, CHILD_SA rekeyed after 20 s with a new ECP-256 exchange
           (iOS sends a KE on child rekey: builtin-clients.md), and UDP
           encapsulation forced (a phone is behind NAT)
    ike    alice, IKE SA rekeyed by the client after 20 s
    dpd    alice, no rekeys; the client's own DPD (10 s) with
           dpd_action = restart and endless keying tries: a laptop that
           notices its tunnel is dead and connects again
    churn  erin, connected and disconnected in a loop (load while vpnd is
           killed)

Lifetimes are the client's (vpnd's are long): life_time far above
rekey_time and rand_time = 0, so the rekey comes at a known time and a
failed rekey shows up as a failure, not as a silent hard expire.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
import peer  # noqa: E402
import swan  # noqa: E402
import testpki  # noqa: E402

REKEY_S = 20          # the client's rekey_time of child/pfs/ike
CLIENT_DPD_S = 10     # the client's dpd_delay on "dpd"
LIB = "/usr/lib/lifecycle"   # the scripts below, in the client guest

# name: (identity, IKE proposals, ESP proposals, IKE rekey_time, child rekey_time, extra conn lines, extra child lines)
CONNS = {
    "child": ("alice", "default", "aes128-sha256", 0, REKEY_S, [], []),
    "pfs": ("alice", "default", "aes256-sha256-ecp256", 0, REKEY_S, ["encap = yes"], []),
    "ike": ("alice", "default", "aes128-sha256", REKEY_S, 0, [], []),
    "dpd": ("alice", "default", "aes128-sha256", 0, 0,
            ["dpd_delay = %ds" % CLIENT_DPD_S, "keyingtries = 0"], ["dpd_action = restart"]),
    "churn": ("erin", "default", "aes128-sha256", 0, 0, [], []),
}

# Appended to the base peer's /etc/strongswan.conf (strongSwan merges a
# repeated section; the later value wins): a request to a responder that
# lost the IKE SA is given up after about 14 s (2 + 2.8 + 3.9 + 5.5 s)
# instead of a minute, so the client's DPD notices a dead tunnel soon after
# its delay, while a slow but live box (TCG, a busy host) still answers.
STRONGSWAN_EXTRA = """
charon {
	retransmit_tries = 3
	retransmit_timeout = 2.0
	retransmit_base = 1.4
}
"""

# pingloop.sh HOST OUT [USEC]: one ping every USEC microseconds until
# OUT.stop exists; one line per ping in OUT ("ok" or "lost TIME"), then
# "done". BusyBox ping takes whole seconds only for -i, hence one ping per
# run. A reply may take 3 s: under TCG with a busy host a late reply is
# not a lost one (the ESP counters showed every reply of "lost" 1-s pings).
PINGLOOP = """#!/bin/sh
h=$1 out=$2 us=${3:-0}
rm -f "$out.stop"
: > "$out"
while [ ! -e "$out.stop" ]; do
	if ping -c 1 -W 3 "$h" >/dev/null 2>&1; then echo ok; else echo "lost $(date +%T)"; fi >> "$out"
	[ "$us" -gt 0 ] && usleep "$us"
done
echo done >> "$out"
"""

# churn.sh CONN OUT: initiate and terminate CONN in a loop until OUT.stop
# exists; one line per step in OUT, then "done".
CHURN = """#!/bin/sh
c=$1 out=$2
rm -f "$out.stop"
: > "$out"
while [ ! -e "$out.stop" ]; do
	swanctl --initiate --child "$c" --timeout 20 >/dev/null 2>&1 && echo up >> "$out" || echo up-failed >> "$out"
	swanctl --terminate --ike "$c" --timeout 10 >/dev/null 2>&1 && echo down >> "$out" || echo down-failed >> "$out"
done
echo done >> "$out"
"""


def client_conf(server_addr=swan.BOX_OUT, server_id=testpki.SERVER_ID):
    out = ["connections {"]
    for name, (ident, ike, esp, ike_rekey, child_rekey, conn_x, child_x) in CONNS.items():
        out += [
            "  %s {" % name,
            "    version = 2",
            "    remote_addrs = %s" % server_addr,
            "    vips = 0.0.0.0",
            "    encap = %s" % ("yes" if "encap = yes" in conn_x else "no"),
            "    fragmentation = yes",
            "    proposals = %s" % ike,
            "    rekey_time = %ds" % ike_rekey,
            "    over_time = 60s",
            "    rand_time = 0",
        ]
        out += ["    " + x for x in conn_x if not x.startswith("encap")]
        if not any(x.startswith("dpd_delay") for x in conn_x):
            out.append("    dpd_delay = 0")
        out += [
            "    local {",
            "      auth = pubkey",
            "      certs = %s.crt" % ident,
            "      id = %s" % ident,
            "    }",
            "    remote {",
            "      auth = pubkey",
            "      id = %s" % server_id,
            "    }",
            "    children {",
            "      %s {" % name,
            "        remote_ts = %s" % swan.INSIDE_NET,
            "        esp_proposals = %s" % esp,
            "        rekey_time = %ds" % child_rekey,
            "        rand_time = 0",
            "        start_action = none",
        ]
        if child_rekey:
            out.append("        life_time = %ds" % (child_rekey * 6))
        out += ["        " + x for x in child_x]
        out += ["      }", "    }", "  }"]
    out.append("}")
    return "\n".join(out) + "\n"


def client_overlay(wd, pki):
    """The lifecycle client's files as an overlay archive for peer.concat()
    after swan.base_peer(wd). Returns its path."""
    files = {"lifecycle-swanctl.conf": client_conf(), "strongswan-extra.conf": STRONGSWAN_EXTRA,
             "pingloop.sh": PINGLOOP, "churn.sh": CHURN}
    for fn, text in files.items():
        with open(os.path.join(wd, fn), "w") as f:
            f.write(text)
        os.chmod(os.path.join(wd, fn), 0o755 if fn.endswith(".sh") else 0o644)
    args = ["--overlay-only",
            "--file", os.path.join(wd, "lifecycle-swanctl.conf") + ":/etc/swanctl/swanctl.conf",
            "--file", os.path.join(pki, "ca.crt") + ":/etc/swanctl/x509ca/ca.crt"]
    for fn in ("strongswan-extra.conf", "pingloop.sh", "churn.sh"):
        args += ["--file", "%s:%s/%s" % (os.path.join(wd, fn), LIB, fn)]
    for c in sorted({c[0] for c in CONNS.values()}):
        crt, key, ims = testpki.client_files(pki, c)
        args += ["--file", "%s:/etc/swanctl/x509/%s.crt" % (crt, c),
                 "--file", "%s:/etc/swanctl/private/%s.key" % (key, c)]
        for i, im in enumerate(ims):
            args += ["--file", "%s:/etc/swanctl/x509ca/%s-im%d.crt" % (im, c, i + 1)]
    return peer.build_peer(os.path.join(wd, "lifecycle-extra.cpio"), args)
