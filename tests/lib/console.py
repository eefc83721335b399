"""Drive a QEMU guest through its serial console (expect/send), for tests.

    from console import Guest, tap
    g = Guest.iso(iso, log="build/test-logs/boot.console")   # or Guest(argv)
    g.expect(r"CA passphrase: ", timeout=120)
    g.send("demo\n")
    g.login()                          # root / demo at the getty prompt
    out, rc = g.run("cat /proc/mounts")
    g.poweroff()                       # types poweroff, waits for QEMU to exit

Everything the guest prints is appended to the log file. Every wait is
bounded: a guest that hangs makes expect() raise Timeout, never block.
Networking: only what the caller passes (socket netdevs on 127.0.0.1, or
user-mode with restrict=on); the default is no NIC at all.
"""
import os
import re
import select
import shutil
import socket
import subprocess
import tempfile
import time

QEMU = shutil.which("qemu-system-x86_64") or "/usr/bin/qemu-system-x86_64"
PROMPT = "__RB_PROMPT__# "


class Timeout(Exception):
    pass


class Guest:
    def __init__(self, argv, log=None, memory=512):
        # the human monitor on a private unix socket: pause()/resume()
        # freeze the whole guest (a laptop that went to sleep)
        self.mondir = tempfile.mkdtemp(prefix="rb-mon-")
        self.monpath = os.path.join(self.mondir, "monitor")
        self.argv = [QEMU, "-m", str(memory), "-nographic", "-no-reboot",
                     "-serial", "stdio",
                     "-monitor", "unix:%s,server=on,wait=off" % self.monpath,
                     "-device", "virtio-rng-pci"] + list(argv)
        if not any(a in ("-nic", "-netdev") for a in argv):
            self.argv += ["-nic", "none"]
        self.logf = open(log, "ab") if log else None
        self.buf = ""
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        os.set_blocking(self.proc.stdout.fileno(), False)

    @classmethod
    def iso(cls, iso, how="cdrom", extra=(), **kw):
        """Boot an ISO as a CD-ROM (how="cdrom") or as a raw disk on a USB
        stick (how="usb"), the two ways the admin can write it."""
        if how == "cdrom":
            media = ["-drive", f"file={iso},media=cdrom,readonly=on,if=ide", "-boot", "d"]
        elif how == "usb":
            media = ["-drive", f"file={iso},format=raw,if=none,id=stick,readonly=on",
                     "-device", "qemu-xhci", "-device", "usb-storage,drive=stick,bootindex=0"]
        elif how == "disk":
            media = ["-drive", f"file={iso},format=raw,if=ide,readonly=on", "-boot", "c"]
        else:
            raise ValueError(how)
        return cls(media + list(extra), **kw)

    # -- raw I/O --------------------------------------------------------
    def _pump(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return False
        data = self.proc.stdout.read()
        if not data:
            if self.proc.poll() is not None:
                raise EOFError("QEMU exited (rc %s)" % self.proc.returncode)
            return False
        if self.logf:
            self.logf.write(data)
            self.logf.flush()
        self.buf += data.decode("utf-8", "replace").replace("\r", "")
        return True

    def expect(self, pattern, timeout=60):
        """Wait for a regex in the console output; consume up to its end and
        return the match. Raises Timeout (or EOFError if QEMU died)."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no %r within %ss; last output: %r" % (pattern, timeout, self.buf[-400:]))
            self._pump(min(left, 0.5))

    def send(self, text, slow=False):
        data = text.encode()
        if slow:   # serial input without flow control: don't overrun the UART FIFO
            for i in range(0, len(data), 8):
                self.proc.stdin.write(data[i:i + 8]); self.proc.stdin.flush(); time.sleep(0.02)
        else:
            self.proc.stdin.write(data); self.proc.stdin.flush()

    # -- shell helpers --------------------------------------------------
    def login(self, user="root", password="demo", timeout=300):
        self.expect(r"login: ", timeout)
        self.send(user + "\n")
        self.expect(r"Password: ", 30)
        self.send(password + "\n")
        self.shell_ready()

    def shell_ready(self, timeout=60):
        """Set a unique prompt so run() can find where output ends."""
        self.send("export PS1='%s'; stty -echo 2>/dev/null\n" % PROMPT, slow=True)
        self.expect(re.escape(PROMPT), timeout)
        self.expect(re.escape(PROMPT), 5) if PROMPT in self.buf else None

    def run(self, cmd, timeout=60):
        """Run one shell command line; return (output, exit status)."""
        self.buf = ""
        self.send("%s; echo __RC=$?__\n" % cmd, slow=True)
        m = self.expect(r"([\s\S]*?)__RC=(\d+)__\n", timeout)
        self.expect(re.escape(PROMPT), timeout)
        out = m.group(1)
        # drop a possible echo of the command line itself
        if out.startswith(cmd):
            out = out[len(cmd):]
        return out.strip("\n"), int(m.group(2))

    def poweroff(self, timeout=120):
        self.send("poweroff\n")
        return self.wait_exit(timeout)

    def wait_exit(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            try:
                self._pump(0.5)
            except EOFError:
                break
        if self.proc.poll() is None:
            raise Timeout("QEMU still running after %ss" % timeout)
        try:
            while self._pump(0):
                pass
        except (EOFError, ValueError):
            pass
        return self.proc.returncode

    # -- the QEMU monitor ------------------------------------------------
    def monitor(self, command, timeout=10):
        """One human-monitor command (e.g. "stop", "cont"); returns its output."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.monpath):
            if time.monotonic() >= deadline:
                raise Timeout("no QEMU monitor socket at %s" % self.monpath)
            time.sleep(0.1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.monpath)
            out = b""
            while b"(qemu)" not in out:        # the banner and first prompt
                out += s.recv(4096) or b"(qemu)"
            s.sendall(command.encode() + b"\n")
            out = b""
            while out.count(b"(qemu)") < 1:    # the command's output, then a prompt
                chunk = s.recv(4096)
                if not chunk:
                    break
                out += chunk
        text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out.decode("utf-8", "replace"))
        return text.split("\n", 1)[1] if "\n" in text else text   # minus the echo

    def pause(self):
        """Freeze the guest: CPUs stopped, NIC silent, like a sleeping laptop."""
        self.monitor("stop")

    def resume(self):
        self.monitor("cont")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.mondir, ignore_errors=True)
        if self.logf:
            self.logf.close()
            self.logf = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


class Tap:
    """TAP-style case reporting for tests/run: ok()/fail() per case."""

    def __init__(self):
        self.failed = 0
        self.count = 0

    def check(self, cond, what, detail=""):
        self.count += 1
        if cond:
            print("ok - " + what, flush=True)
        else:
            self.failed += 1
            print("not ok - " + what + (("  # " + detail) if detail else ""), flush=True)
        return cond

    def done(self):
        raise SystemExit(1 if self.failed else 0)


tap = Tap()
