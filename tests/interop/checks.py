"""The checks every interop case makes on the client side and on the box's
kernel: tunnel up, virtual IP from the pool, DNS, ping through the tunnel,
ESP counters grown on both sides, SAs gone after the client disconnects."""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import peer  # noqa: E402
import swan  # noqa: E402


def workdir(name="interop"):
    """$ROADBOX_O/<name>: tests that build the same site ISO share one."""
    o = os.environ.get("ROADBOX_O") or os.path.join(peer.TOP, "build")
    d = os.path.join(o, name)
    os.makedirs(d, exist_ok=True)
    return d


def logdir():
    o = os.environ.get("ROADBOX_O") or os.path.join(peer.TOP, "build")
    d = os.path.join(o, "test-logs")
    os.makedirs(d, exist_ok=True)
    return d


# Where iproute2's ip lives on the guest playing the box (peer guests have
# it as ip; the appliance gets it from the test's site overlay, off PATH so
# that nothing of the box itself uses it).
BOX_IP = {"cmd": "ip"}


def box_sas_with(box, addr):
    return [s for s in peer.xfrm_states(box, BOX_IP["cmd"]) if addr in (s["src"], s["dst"])]


def initiate(tap, cli, v, timeout=120):
    """swanctl --initiate; returns (ok, output)."""
    out, rc = cli.run("swanctl --initiate --child %s --timeout %d 2>&1 | tail -n 40"
                      "; exit_=$?; swanctl --list-sas --ike %s 2>&1" % (v.name, timeout - 10, v.name),
                      timeout)
    up = re.search(r"\bESTABLISHED\b", out) is not None and re.search(r"\bINSTALLED\b", out) is not None
    return up, out


def tunnel_cases(tap, cli, box, v, box_checks=None, ping_target=swan.INSIDE_HOST):
    """Bring the variant's tunnel up and check it end to end. box is a
    console Guest on which `ip -s xfrm state` works. box_checks(v, vip) is
    called while the tunnel is up (e.g. vpnctl list). Returns the vip or None.
    Every case prints its own TAP line, prefixed with the variant name."""
    n = v.name
    cli.run(": > /run/charon.log", 30)   # this variant's log only (charon appends)
    up, out = initiate(tap, cli, v)
    if not tap.check(up, "%s: IKE SA and CHILD SA established (%s)" % (n, v.what),
                     out[-600:].replace("\n", " | ")):
        cli.run("tail -n 30 /run/charon.log", 30)
        return None
    ip_out = peer.must(cli, "ip -4 addr show")
    m = re.search(r"inet (%s\d+)/" % re.escape(swan.POOL_NET), ip_out)
    vip = m.group(1) if m else None
    tap.check(vip is not None, "%s: client got a virtual IP from the pool %s0/24" % (n, swan.POOL_NET),
              ip_out.replace("\n", " | "))
    resolv, _ = cli.run("cat /etc/resolv.conf")
    tap.check("nameserver %s" % swan.DNS in resolv, "%s: client got the DNS server %s" % (n, swan.DNS),
              resolv.replace("\n", " | "))
    if v.encap:
        sas = peer.xfrm_states(cli)
        tap.check(sas and all(s["encap"] for s in sas),
                  "%s: client's ESP SAs are UDP-encapsulated" % n, str(sas))
    # The client's default route also leads to the box: only the ESP
    # counters, read before and after, prove the pings used the tunnel.
    c0 = {s["spi"]: s["packets"] for s in peer.xfrm_states(cli)}
    b0 = {s["spi"]: s["packets"] for s in box_sas_with(box, swan.CLIENT_OUT)}
    ping, rc = cli.run("ping -c 3 -W 5 %s 2>&1" % ping_target, 60)
    tap.check(rc == 0, "%s: ping from the client to %s behind the box" % (n, ping_target),
              ping[-300:].replace("\n", " | "))
    csas = peer.xfrm_states(cli)
    tap.check(len(csas) >= 2 and all(s["packets"] >= c0.get(s["spi"], 0) + 3 for s in csas),
              "%s: client's ESP SA counters grew by the pings (in and out)" % n, str(csas))
    bsas = box_sas_with(box, swan.CLIENT_OUT)
    tap.check(len(bsas) >= 2 and all(s["packets"] >= b0.get(s["spi"], 0) + 3 for s in bsas),
              "%s: box's ESP SA counters grew by the pings (in and out)" % n, str(bsas))
    if v.encap:
        tap.check(bsas and all(s["encap"] for s in bsas),
                  "%s: box's ESP SAs are UDP-encapsulated" % n, str(bsas))
    else:   # no NAT on the wire: plain ESP (RFC 7296 2.23 encapsulates only behind NAT)
        tap.check(bsas and not any(s["encap"] for s in bsas),
                  "%s: box's ESP SAs are plain ESP (no NAT detected)" % n, str(bsas))
    if vip:
        pol = box_policies_for(box, vip)
        tap.check(len(pol) >= 2, "%s: the box has XFRM policies for %s (in and out)" % (n, vip),
                  " | ".join(pol))
    if box_checks:
        box_checks(v, vip)
    return vip


def box_policies_for(box, vip):
    """The box's XFRM policy lines that name the client's virtual IP."""
    out, _ = box.run("%s xfrm policy | grep -F ' %s/32'" % (BOX_IP["cmd"], vip), 30)
    return [l for l in out.splitlines() if vip in l]


def disconnect_cases(tap, cli, box, v, box_checks=None, timeout=60, vip=None):
    """Client sends Delete; then the box holds no SA with the client (and,
    given the vip, no policy for it)."""
    n = v.name
    out, rc = cli.run("swanctl --terminate --ike %s --timeout 30 2>&1 | tail -n 5" % n, 60)
    left = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = box_sas_with(box, swan.CLIENT_OUT)
        if not left:
            break
        time.sleep(2)
    tap.check(not left, "%s: after the client disconnects the box's kernel SAs are gone" % n, str(left))
    if vip:
        pol = box_policies_for(box, vip)
        tap.check(not pol, "%s: and its XFRM policies for %s are gone" % (n, vip), " | ".join(pol))
    if box_checks:
        box_checks(v)


def refused_cases(tap, cli, box, v, box_checks=None):
    n = v.name
    cli.run(": > /run/charon.log", 30)
    up, out = initiate(tap, cli, v, timeout=90)
    log, _ = cli.run("grep -h 'received %s' /run/charon.log | tail -n 1" % v.expect_fail, 30)
    tap.check(not up and v.expect_fail in out + log,
              "%s: client refused with %s (%s)" % (n, v.expect_fail, v.what),
              out[-600:].replace("\n", " | "))
    tap.check(not box_sas_with(box, swan.CLIENT_OUT), "%s: no kernel SA on the box" % n)
    if box_checks:
        box_checks(v)
    cli.run("swanctl --terminate --ike %s --timeout 5 >/dev/null 2>&1" % n, 30)
