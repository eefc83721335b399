"""Helpers shared by the init's QEMU tests (tests/init/test_*)."""
import os
import re
import subprocess
import sys

TOP = os.environ.get("ROADBOX_TOP", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
O = os.environ.get("ROADBOX_O", os.path.join(TOP, "build"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))

BOOT_TIMEOUT = 600      # TCG on two shared cores can be slow
GPG_TIMEOUT = 300       # gpg's key derivation (65M SHA-512 rounds) under TCG


def skip(why):
    print("skip: " + why)
    raise SystemExit(77)


def console_log(name):
    d = os.path.join(O, "test-logs")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, name + ".console")
    if os.path.exists(path):
        os.unlink(path)
    return path


def procs(g):
    """The guest's processes as a list of dicts pid, comm, state, ppid
    (read from /proc/*/stat, so no ps option support is needed)."""
    out, _ = g.run("cat /proc/[0-9]*/stat 2>/dev/null; echo", timeout=60)
    res = []
    for m in re.finditer(r"^(\d+) \((.*?)\) (\S) (\d+) ", out, re.M):
        res.append({"pid": int(m.group(1)), "comm": m.group(2),
                    "state": m.group(3), "ppid": int(m.group(4))})
    return res


def find(ps, *names):
    return [p for p in ps if p["comm"] in names]


def build_image(name, overlay=None):
    """Build a variant image without CA tarball (and with a site overlay)
    into $ROADBOX_O/init-images/NAME/roadbox.iso; returns (iso, ok).

    The variants share one build dir, so the programs compile once; the
    root filesystem is removed first because make cannot see that the
    OVERLAY changed from one variant to the next."""
    bdir = os.path.join(O, "init-images")
    out = os.path.join(bdir, name)
    iso = os.path.join(out, "roadbox.iso")
    for f in (os.path.join(bdir, "rootfs.sqfs"), iso):
        if os.path.exists(f):
            os.unlink(f)
    cmd = ["nice", "make", "-C", TOP, "O=" + bdir, "OUT=" + out, "CA_TARBALL=", "iso"]
    if overlay:
        cmd.append("OVERLAY=" + overlay)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(r.stdout[-3000:])
    return iso, r.returncode == 0 and os.path.isfile(iso)
