"""strongSwan (swanctl) configurations of the interop tests and the peer
initramfs that carries them.

A Variant is one road-warrior client setup: which certificate, which
proposals, forced UDP encapsulation or not. client_conf() writes all of them
into one swanctl.conf (one connection per variant, named after it), so one
client boot can try every variant in turn with `swanctl --initiate`.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import peer  # noqa: E402
import testpki  # noqa: E402

# The virtual network of the interop tests (TEST-NET-1 outside, private
# inside); the appliance's site overlay (tests/interop/overlay) uses the same.
BOX_OUT = "192.0.2.1"        # appliance (or harness responder) eth0
CLIENT_OUT = "192.0.2.2"     # road-warrior client eth0
PREFIX = 24
INSIDE_NET = "10.10.0.0/24"  # protected network behind the box
INSIDE_HOST = "10.10.0.1"    # an address behind the box (dummy0) the client pings
POOL_NET = "10.99.0."        # the box's address pool 10.99.0.0/24
DNS = "10.10.0.53"           # the DNS server the box hands out


class Variant:
    def __init__(self, name, client, ike="default", esp="default", encap=False,
                 what="", expect_fail=None, fragment_size=None):
        self.name, self.client, self.ike, self.esp = name, client, ike, esp
        self.encap, self.what, self.expect_fail = encap, what, expect_fail
        self.fragment_size = fragment_size


def bundle_proposal(kind):
    """The BUNDLE(kind, "...") proposal of src/vpnd/transforms.def."""
    import re
    with open(os.path.join(peer.TOP, "src", "vpnd", "transforms.def")) as f:
        m = re.search(r'^BUNDLE\(%s,\s*"([^"]+)"\)' % kind, f.read(), re.M)
    return m.group(1) if m else "default"


# Per issue 4 "Tests" item 2; proposals after
# /work/shared/reference/builtin-clients.md.
VARIANTS = [
    Variant("default", "alice", what="strongSwan defaults, RSA certificate"),
    Variant("natt", "alice", encap=True, what="NAT-T (UDP encapsulation forced)"),
    Variant("windows", "alice", ike="aes256-sha1-modp2048", esp="aes256-sha1",
            what="Windows-like proposal (registry tweak): aes256-sha1-modp2048, ESP aes256-sha1"),
    Variant("ios", "alice", ike="aes256-sha256-modp2048,aes256-sha256-ecp256",
            esp="aes256-sha256", what="iOS-like proposals: aes256-sha256-modp2048/ecp256"),
    Variant("android", "alice", ike="aes256gcm16-prfsha256-modp3072", esp="aes256gcm16",
            what="Android-like proposal: aes256gcm16-prfsha256-modp3072, ESP aes256gcm16"),
    Variant("bundle", "alice", ike=bundle_proposal("IKE"), esp=bundle_proposal("ESP"),
            what="the proposal of the generated client bundles (transforms.def BUNDLE)"),
    Variant("ecdsa", "erin", what="ECDSA P-256 client certificate"),
    Variant("frag", "frank", what="IKE fragmentation: a large RSA-4096 client certificate (chain)"),
    Variant("revoked", "mallory", expect_fail="AUTHENTICATION_FAILED",
            what="revoked client certificate refused"),
]


# Used together, not one after another: two road warriors behind the same
# NAT at once (the natt variant's alice and this one, both encapsulated,
# from the same outer address and port).
SECOND_NATT = Variant("natt2", "erin", encap=True, what="a second client behind the same NAT")


def _proposals(s):
    return ", ".join(p.strip() for p in s.split(","))


def client_conf(variants, server_addr=BOX_OUT, server_id=testpki.SERVER_ID):
    out = ["connections {"]
    for v in variants:
        out += [
            "  %s {" % v.name,
            "    version = 2",
            "    remote_addrs = %s" % server_addr,
            "    vips = 0.0.0.0",
            "    encap = %s" % ("yes" if v.encap else "no"),
            "    fragmentation = yes",
            "    proposals = %s" % _proposals(v.ike),
            "    rekey_time = 0",
            "    dpd_delay = 0",
            "    local {",
            "      auth = pubkey",
            "      certs = %s.crt" % v.client,
            "      id = %s" % v.client,
            "    }",
            "    remote {",
            "      auth = pubkey",
            "      id = %s" % server_id,
            "    }",
            "    children {",
            "      %s {" % v.name,
            "        remote_ts = %s" % INSIDE_NET,
            "        esp_proposals = %s" % _proposals(v.esp),
            "        rekey_time = 0",
            "        start_action = none",
            "      }",
            "    }",
            "  }",
        ]
    out.append("}")
    return "\n".join(out) + "\n"


def responder_conf(pool_addrs="10.99.0.0/24"):
    """strongSwan as the box (harness self-test and the benchmark's
    reference): certificate auth, a pool, DNS, the inside network."""
    return """connections {
  rw {
    version = 2
    local_addrs = %s
    pools = pool
    fragmentation = yes
    proposals = default, aes256-sha1-modp2048, aes256-sha256-modp2048, aes256gcm16-prfsha256-modp3072
    local {
      auth = pubkey
      certs = server.crt
      id = %s
    }
    remote {
      auth = pubkey
      cacerts = ca.crt
    }
    children {
      net {
        local_ts = %s
        esp_proposals = default, aes256-sha1, aes256-sha256
      }
    }
  }
}
pools {
  pool {
    addrs = %s
    dns = %s
  }
}
""" % (BOX_OUT, testpki.SERVER_ID, INSIDE_NET, pool_addrs, DNS)


def client_overlay(workdir, pki, variants):
    """Build the per-test initramfs part of the client: certificates, keys,
    swanctl.conf. Returns its path."""
    conf = os.path.join(workdir, "client-swanctl.conf")
    with open(conf, "w") as f:
        f.write(client_conf(variants))
    args = ["--overlay-only", "--file", conf + ":/etc/swanctl/swanctl.conf",
            "--file", os.path.join(pki, "ca.crt") + ":/etc/swanctl/x509ca/ca.crt"]
    for c in sorted({v.client for v in variants}):
        crt, key, ims = testpki.client_files(pki, c)
        args += ["--file", "%s:/etc/swanctl/x509/%s.crt" % (crt, c),
                 "--file", "%s:/etc/swanctl/private/%s.key" % (key, c)]
        for i, im in enumerate(ims):
            args += ["--file", "%s:/etc/swanctl/x509ca/%s-im%d.crt" % (im, c, i + 1)]
    return peer.build_peer(os.path.join(workdir, "client-extra.cpio"), args)


def responder_overlay(workdir, pki):
    conf = os.path.join(workdir, "responder-swanctl.conf")
    with open(conf, "w") as f:
        f.write(responder_conf())
    args = ["--overlay-only", "--file", conf + ":/etc/swanctl/swanctl.conf",
            "--file", os.path.join(pki, "ca.crt") + ":/etc/swanctl/x509ca/ca.crt",
            "--file", os.path.join(pki, "server.crt") + ":/etc/swanctl/x509/server.crt",
            "--file", os.path.join(pki, "server.key") + ":/etc/swanctl/private/server.key"]
    return peer.build_peer(os.path.join(workdir, "responder-extra.cpio"), args)


def base_peer(workdir):
    """The strongSwan peer base initramfs (BusyBox + charon + swanctl + ip)."""
    return peer.build_peer(os.path.join(workdir, "peer-strongswan.cpio"), ["--strongswan"])


def start_charon(g, timeout=60):
    peer.must(g, "sh /usr/lib/ipsec/start-charon", timeout)
    out = peer.must(g, "swanctl --load-all --noprompt 2>&1", timeout)
    return out
