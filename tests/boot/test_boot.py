#!/usr/bin/python3
"""Boot test: the ISO boots as a CD-ROM and as a raw disk on a USB stick.

For each medium, from inside the guest (over the serial console): our
kernel runs, it has no module support, / is read-only (a write fails with
EROFS), /var /tmp /run are tmpfs, /dev is devtmpfs with devpts on /dev/pts,
and `poweroff` stops the machine cleanly (QEMU exits). Every wait is
bounded, so a hung boot fails instead of blocking.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Guest, Timeout, tap  # noqa: E402

ISO = os.environ.get("ROADBOX_ISO", "out/roadbox.iso")
LOGS = os.path.join(os.environ.get("ROADBOX_O", "build"), "test-logs")
PASSPHRASE = os.environ.get("ROADBOX_TEST_PASSPHRASE", "demo")


def mounts_of(text):
    """/proc/mounts text -> {mountpoint: (fstype, options)}"""
    table = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 4:
            table[f[1]] = (f[2], f[3].split(","))
    return table


def boot_and_check(how):
    log = os.path.join(LOGS, "boot-%s.console" % how)
    if os.path.exists(log):
        os.unlink(log)
    with Guest.iso(ISO, how=how, log=log) as g:
        try:
            g.expect(r"roadbox init starting", timeout=240)
            tap.check(True, "%s: the kernel boots the image and runs our init" % how)
            g.expect(r"CA passphrase: ", timeout=180)
            g.send(PASSPHRASE + "\n")
            g.expect(r"CA unlocked", timeout=180)
            g.login(timeout=180)
        except (Timeout, EOFError) as e:
            tap.check(False, "%s: boot to a login shell" % how, str(e))
            return
        tap.check(True, "%s: boot to a login shell" % how)

        out, _ = g.run("cat /proc/version")
        tap.check("roadbox@roadbox" in out and "6.1." in out,
                  "%s: our kernel is running" % how, out)
        out, rc = g.run("test -e /proc/modules; echo modules=$?; zcat /proc/config.gz | grep -c '^# CONFIG_MODULES is not set'")
        tap.check("modules=1" in out and out.strip().endswith("1"),
                  "%s: the kernel has no module support" % how, out)
        out, rc = g.run("echo x > /roadbox-write-test")
        tap.check(rc != 0 and "Read-only file system" in out,
                  "%s: writing to / fails with EROFS" % how, out)
        out, _ = g.run("cat /proc/mounts")
        m = mounts_of(out)
        tap.check(m.get("/", ("",))[0] == "squashfs" and "ro" in m["/"][1],
                  "%s: / is the read-only squashfs" % how, out)
        for mp in ("/var", "/tmp", "/run"):
            fs = m.get(mp)
            tap.check(fs is not None and fs[0] == "tmpfs" and any(o.startswith("size=") for o in fs[1]),
                      "%s: %s is a size-limited tmpfs" % (how, mp), repr(fs))
        tap.check(m.get("/dev", ("",))[0] == "devtmpfs", "%s: /dev is devtmpfs" % how, repr(m.get("/dev")))
        tap.check(m.get("/dev/pts", ("",))[0] == "devpts", "%s: /dev/pts is devpts" % how, repr(m.get("/dev/pts")))
        out, rc = g.run("echo ok > /var/log/.w && cat /var/log/.w && rm /var/log/.w")
        tap.check(rc == 0 and "ok" in out, "%s: /var is writable RAM" % how, out)
        try:
            g.send("poweroff\n")
            g.expect(r"reboot: Power down", timeout=120)
            rc = g.wait_exit(60)
            tap.check(rc == 0, "%s: poweroff stops the machine cleanly" % how, "qemu rc %s" % rc)
        except (Timeout, EOFError) as e:
            tap.check(False, "%s: poweroff stops the machine cleanly" % how, str(e))


if __name__ == "__main__":
    if not os.path.exists(ISO):
        print("not ok - the ISO exists (%s)" % ISO)
        sys.exit(1)
    os.makedirs(LOGS, exist_ok=True)
    for how in ("cdrom", "usb"):
        boot_and_check(how)
    tap.done()
