"""Helpers of the firewall tests (tests/firewall/test_*): the hardening
fragment, the sysctl file, nft counters, and the reference ruleset listing
(the image's ruleset loaded on the host in a private network namespace)."""
import os
import re
import subprocess

TOP = os.environ.get("ROADBOX_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
O = os.environ.get("ROADBOX_O") or os.path.join(TOP, "build")
LOGS = os.path.join(O, "test-logs")
HARDENING = os.path.join(TOP, "kernel-config", "40-hardening.config")
TUNNEL_MSS = 1360


def hardening_lines(path=HARDENING):
    """[(option, wanted line or None for "is not set")] of the fragment."""
    want = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = re.match(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$", line)
            if m:
                want.append((m.group(1), line))
                continue
            m = re.match(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$", line)
            if m:
                want.append((m.group(1), None))
    return want


def config_values(text):
    """Kernel .config text -> {option: "CONFIG_X=v"} (unset options absent)."""
    vals = {}
    for line in text.splitlines():
        m = re.match(r"^(CONFIG_[A-Za-z0-9_]+)=", line.strip())
        if m:
            vals[m.group(1)] = line.strip()
    return vals


def config_mismatches(want, text):
    """Lines of the fragment a config does not satisfy: [(opt, want, have)]."""
    have = config_values(text)
    bad = []
    for opt, line in want:
        if have.get(opt) != line:
            bad.append((opt, line or "# %s is not set" % opt, have.get(opt) or "not set"))
    return bad


def sysctl_settings(text):
    """sysctl.conf text -> [(key, value, optional)], as the init parses it."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s[0] in "#;" or "=" not in s:
            continue
        k, v = s.split("=", 1)
        k, v = k.strip(), v.strip()
        opt = k.startswith("-")
        if opt:
            k = k[1:].strip()
        out.append((k, v, opt))
    return out


def norm(v):
    return " ".join(v.split())


def counter(ruleset, comment):
    """Packets counted by the rule with this comment in `nft list ruleset`
    output; None if there is no such rule."""
    m = re.search(r'counter packets (\d+) bytes \d+ .*comment "%s"' % re.escape(comment), ruleset)
    return int(m.group(1)) if m else None


def strip_counters(listing):
    """A listing without counter values and blank lines, for comparison."""
    text = re.sub(r"counter packets \d+ bytes \d+", "counter", listing)
    # nft names protocols from /etc/protocols when it exists (the host has
    # it, the image does not): the same rule either way.
    text = text.replace("meta l4proto esp ", "meta l4proto 50 ")
    return [l.strip() for l in text.splitlines() if l.strip()]


def reference_listing():
    """Load the ruleset the build checked ($O/firewall/ruleset.d, written by
    scripts/firewall/check-ruleset.sh) in a fresh network namespace on the
    host and list it: what the box must show.  None if that is impossible
    (no staged ruleset, no namespaces, host kernel without nf_tables)."""
    conf = os.path.join(O, "firewall", "ruleset.d", "nftables.conf")
    if not os.path.exists(conf):
        return None, "no %s (built with FIREWALL_CHECK=0?)" % conf
    ns = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--net"]
    p = subprocess.run(ns + ["sh", "-c", 'nft -f "$1" && nft list ruleset', "sh", conf],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        return None, "loading it on the host failed: " + p.stderr[-300:]
    return p.stdout, ""
