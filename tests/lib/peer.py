"""Two-guest (and more) QEMU harness: the appliance and peer guests on their
own virtual links, for the interop, firewall, lifecycle and report tests.

    import peer
    link = peer.Link()                                   # one point-to-point wire
    box = peer.appliance(iso, [link.end(0)], log=...)    # boots the ISO
    peer.answer_passphrase(box, "secret")                # "CA passphrase: "
    box.login()
    initrd = peer.build_peer("build/x/peer.cpio", ["--strongswan"])
    cli = peer.peer_guest(initrd, [link.end(1)], ip="192.0.2.2/24", log=...)
    cli.expect(peer.READY, 60); cli.shell_ready()
    out, rc = cli.run("ping -c1 192.0.2.1")

A Link is a pair of QEMU `-netdev socket,udp=...,localaddr=...` endpoints on
127.0.0.1: each end sends its Ethernet frames to the other's UDP port. It
needs no start order (unlike listen/connect), survives one side rebooting,
and never touches any address but 127.0.0.1. A guest can have several links
(eth0, eth1, ... in the order given).

Peers boot with tests/lib/mkpeer.sh's /init: see its header for the kernel
command line (rb.ip, rb.gw, rb.run, rb.hostname) and the markers it prints.
Every wait is bounded (console.py raises Timeout).
"""
import itertools
import os
import re
import shlex
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import Guest, Timeout  # noqa: E402

TOP = os.environ.get("ROADBOX_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
MKPEER = os.path.join(TOP, "tests", "lib", "mkpeer.sh")
READY = r"RB-PEER: ready"
PASSPHRASE_PROMPT = r"CA passphrase: "

_mac_seq = itertools.count(1)


def free_udp_port():
    """A UDP port on 127.0.0.1 that is free right now (the kernel picks it)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def new_mac():
    """A locally administered MAC, unique within this process."""
    n = (os.getpid() & 0xffff) << 8 | (next(_mac_seq) & 0xff)
    return "52:54:%02x:%02x:%02x:%02x" % ((n >> 24) & 0xff, (n >> 16) & 0xff,
                                           (n >> 8) & 0xff, n & 0xff)


class Link:
    """A point-to-point Ethernet wire between two guests over UDP on
    127.0.0.1. end(0) and end(1) are the QEMU arguments of each side."""

    def __init__(self, model="virtio-net-pci"):
        self.ports = (free_udp_port(), free_udp_port())
        while self.ports[1] == self.ports[0]:
            self.ports = (self.ports[0], free_udp_port())
        self.macs = (new_mac(), new_mac())
        self.model = model

    def end(self, side):
        me, other = self.ports[side], self.ports[1 - side]
        return {"netdev": "socket,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (other, me),
                "mac": self.macs[side], "model": self.model}


def nic_args(ends):
    """QEMU arguments for a list of Link ends (eth0, eth1, ...)."""
    argv = []
    for i, e in enumerate(ends):
        argv += ["-netdev", "%s,id=n%d" % (e["netdev"], i),
                 "-device", "%s,netdev=n%d,mac=%s" % (e["model"], i, e["mac"])]
    return argv


def kernel_path():
    o = os.environ.get("ROADBOX_O") or os.path.join(TOP, "build")
    return os.path.join(o, "kernel", "bzImage")


def build_peer(out, args, env=None):
    """Run mkpeer.sh OUT ARGS...; return OUT. Raises CalledProcessError."""
    e = dict(os.environ)
    e.update(env or {})
    subprocess.run([MKPEER, out] + list(args), check=True, env=e, timeout=300)
    return out


def concat(out, parts):
    """Concatenate cpio archives (the kernel unpacks each in turn:
    later files replace earlier ones)."""
    with open(out + ".tmp", "wb") as w:
        for p in parts:
            with open(p, "rb") as r:
                w.write(r.read())
    os.replace(out + ".tmp", out)
    return out


def peer_guest(initrd, ends, ip=None, gw=None, run=None, hostname=None, log=None,
               memory=256, kernel=None, append="", smp=1):
    """Boot a peer guest (tests/lib/mkpeer.sh initramfs) with our kernel."""
    cmdline = ["console=ttyS0", "panic=-1", "quiet", "loglevel=4"]
    for k, v in (("rb.ip", ip), ("rb.gw", gw), ("rb.run", run), ("rb.hostname", hostname)):
        if v:
            cmdline.append("%s=%s" % (k, v))
    if append:
        cmdline.append(append)
    argv = ["-kernel", kernel or kernel_path(), "-initrd", initrd,
            "-append", " ".join(cmdline), "-smp", str(smp)] + nic_args(ends)
    return Guest(argv, log=log, memory=memory)


def appliance(iso, ends, log=None, memory=512, how="cdrom"):
    """Boot the appliance ISO with the given links (eth0 = ends[0], ...)."""
    return Guest.iso(iso, how=how, extra=nic_args(ends), log=log, memory=memory)


def answer_passphrase(box, passphrase, timeout=240):
    """The init asks for the CA passphrase on the console at boot."""
    box.expect(PASSPHRASE_PROMPT, timeout)
    box.send(passphrase + "\n", slow=True)


def must(guest, cmd, timeout=60):
    """run() a command that has to succeed; return its output."""
    out, rc = guest.run(cmd, timeout)
    if rc != 0:
        raise RuntimeError("%r failed (rc %d): %s" % (cmd, rc, out[-800:]))
    return out


def xfrm_states(guest, ip="ip"):
    """ESP SAs as reported by `ip -s xfrm state` (iproute2's ip, path given
    by ip): a list of dicts src, dst, spi, encap (bool), bytes, packets."""
    out, rc = guest.run("%s -s xfrm state" % ip, 30)
    if rc != 0:
        raise RuntimeError("ip -s xfrm state failed: " + out[-400:])
    sas = []
    cur = None
    for line in out.splitlines():
        m = re.match(r"src (\S+) dst (\S+)", line)
        if m:
            cur = {"src": m.group(1), "dst": m.group(2), "spi": None, "encap": False,
                   "bytes": 0, "packets": 0}
            sas.append(cur)
            continue
        if cur is None:
            continue
        m = re.search(r"proto esp spi (0x[0-9a-f]+)", line)
        if m:
            cur["spi"] = m.group(1)
        if "encap type espinudp" in line:
            cur["encap"] = True
        if "lifetime current:" in line:
            cur["current"] = True
            continue
        m = re.search(r"^\s*(\d+)\(bytes\), (\d+)\(packets\)", line)
        if m and cur.pop("current", False):
            cur["bytes"], cur["packets"] = int(m.group(1)), int(m.group(2))
    return [s for s in sas if s["spi"]]


def quote(s):
    return shlex.quote(s)
