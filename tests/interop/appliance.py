"""The appliance under test for the interop tests: a site ISO built from the
tree with the test's overlay and test CA, booted, unlocked and logged in.

    iso = appliance.build_iso()        # make O=$ROADBOX_O/interop/build ...
    box = appliance.boot(iso, [link.end(0)], log=...)
    appliance.add_lan_host(box)        # 10.10.0.1 in a netns behind the box

ROADBOX_INTEROP_ISO=path skips the build (an ISO built the same way).
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import peer  # noqa: E402
import swan  # noqa: E402
import testpki  # noqa: E402

PASSPHRASE = "interop-test-passphrase"
# iproute2's ip, laid in by the site overlay off PATH: the tests read the
# kernel's SAs with it (`ip -s xfrm state`; BusyBox ip has no xfrm) and
# make the host behind the box (ip netns).
TEST_IP = "/usr/lib/roadbox-test/ip"
LAN_GW = "10.10.0.254"


def _copy_elf(src, site, dst):
    """src at dst in the overlay, with every library ldd names."""
    os.makedirs(os.path.dirname(site + dst), exist_ok=True)
    shutil.copy2(os.path.realpath(src), site + dst)
    out = subprocess.run(["ldd", src], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        lib = parts[2] if "=>" in parts and len(parts) > 2 else parts[0]
        if lib.startswith("/") and not os.path.exists(site + lib):
            os.makedirs(os.path.dirname(site + lib), exist_ok=True)
            shutil.copy2(os.path.realpath(lib), site + lib)


def site_overlay(wd, vpnd_extra=""):
    """tests/interop/overlay + iproute2's ip (generated: no binaries in git);
    vpnd_extra: lines appended to its /etc/vpnd.conf (e.g. short DPD times
    for the lifecycle tests)."""
    site = os.path.join(wd, "site")
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(os.path.join(HERE, "overlay"), site)
    if vpnd_extra:
        with open(os.path.join(site, "etc", "vpnd.conf"), "a") as f:
            f.write("\n# added by the test\n" + vpnd_extra.strip() + "\n")
    _copy_elf("/usr/bin/ip" if os.path.exists("/usr/bin/ip") else "/bin/ip", site, TEST_IP)
    return site


def build_iso(wd, pki, vpnd_extra=""):
    """Build the site ISO; returns (iso, build_dir). A test passing
    vpnd_extra uses a workdir of its own (checks.workdir(name))."""
    if os.environ.get("ROADBOX_INTEROP_ISO"):
        iso = os.environ["ROADBOX_INTEROP_ISO"]
        return iso, os.path.dirname(os.path.dirname(iso))
    bdir = os.path.join(wd, "build")
    out = os.path.join(bdir, "out")
    pp = os.path.join(wd, "passphrase")
    with open(pp, "w") as f:
        f.write(PASSPHRASE + "\n")
    os.chmod(pp, 0o600)
    site = site_overlay(wd, vpnd_extra)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    cmd = ["make", "-C", peer.TOP, "O=" + bdir, "OUT=" + out, "OVERLAY=" + site,
           "CA_DIR=" + pki, "CA_PASSPHRASE_FILE=" + pp, "iso"]
    p = subprocess.run(["nice"] + cmd, env=env, capture_output=True, text=True, timeout=3000)
    with open(os.path.join(wd, "make-iso.log"), "w") as f:
        f.write(" ".join(cmd) + "\n" + p.stdout + p.stderr)
    if p.returncode != 0:
        raise RuntimeError("building the site ISO failed (%s): %s" %
                           (os.path.join(wd, "make-iso.log"), (p.stdout + p.stderr)[-1500:]))
    return os.path.join(out, "roadbox.iso"), bdir


def image_has(bdir, path):
    """Is path in the root filesystem image the ISO was built from?"""
    sqfs = os.path.join(bdir, "rootfs.sqfs")
    p = subprocess.run(["unsquashfs", "-l", "-d", "", sqfs, path.lstrip("/")],
                       capture_output=True, text=True, timeout=120)
    return p.returncode == 0 and any(l.strip() == path for l in p.stdout.splitlines())


def boot(iso, ends, log, timeout=400):
    box = peer.appliance(iso, ends, log=log)
    peer.answer_passphrase(box, PASSPHRASE, timeout)
    box.login(timeout=timeout)
    return box


def add_lan_host(box):
    """A host behind the box: 10.10.0.1 in network namespace "lan", reached
    over a veth pair from the box's 10.10.0.254 (forwarded, like a LAN)."""
    ip = TEST_IP
    # iproute2 keeps named namespaces in /var/run/netns (mkdir, not -p)
    peer.must(box, "mkdir -p /var/run/netns && "
                   "%s link add veth0 type veth peer name veth1 && "
                   "%s netns add lan && %s link set veth1 netns lan && "
                   "%s addr add %s/24 dev veth0 && %s link set veth0 up" %
              (ip, ip, ip, ip, LAN_GW, ip))
    peer.must(box, "%s netns exec lan %s link set lo up && "
                   "%s netns exec lan %s addr add %s/24 dev veth1 && "
                   "%s netns exec lan %s link set veth1 up && "
                   "%s netns exec lan %s route add default via %s" %
              (ip, ip, ip, ip, swan.INSIDE_HOST, ip, ip, ip, ip, LAN_GW))
    out, rc = box.run("%s netns exec lan ping -c 1 -W 5 %s" % (ip, LAN_GW), 30)
    return rc == 0
