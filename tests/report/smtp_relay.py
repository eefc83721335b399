"""A real SMTP relay on the host's loopback for the report tests.

aiosmtpd (Debian python3-aiosmtpd) in a thread, with STARTTLS (a fresh
self-signed certificate made with the OpenSSL CLI) and optional AUTH. Every
accepted message is kept with its envelope so tests can assert on both.
"""
import os
import socket
import ssl
import subprocess
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_cert(d, cn="relay.test"):
    """Self-signed server certificate; returns (cert, key). The certificate
    is also the CA file the client trusts."""
    cert, key = os.path.join(d, "relay.crt"), os.path.join(d, "relay.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=" + cn, "-addext", "subjectAltName=DNS:%s,IP:127.0.0.1,IP:10.0.2.100" % cn,
                    "-keyout", key, "-out", cert], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class Handler:
    def __init__(self):
        self.messages = []   # (mail_from, [rcpt], bytes)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


class Relay:
    def __init__(self, port, cert=None, key=None, user=None, password=None):
        self.port, self.cert, self.key = port, cert, key
        self.user, self.password = user, password
        self.handler = Handler()
        self.ctl = None
        self.auth_seen = []

    def _auth(self, server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login.decode() == self.user
              and data.password.decode() == self.password)
        self.auth_seen.append((mechanism, ok))
        # handled=False: let aiosmtpd answer 535 itself on failure
        return AuthResult(success=ok, handled=False)

    def start(self):
        kw = {}
        if self.cert:
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(self.cert, self.key)
            kw.update(tls_context=ctx, require_starttls=True)
        if self.user:
            kw.update(authenticator=self._auth, auth_required=True)
        self.ctl = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kw)
        self.ctl.start()
        return self

    def stop(self):
        if self.ctl:
            self.ctl.stop()
            self.ctl = None

    def wait_messages(self, n, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.handler.messages) < n and time.monotonic() < deadline:
            time.sleep(0.1)
        return len(self.handler.messages) >= n
