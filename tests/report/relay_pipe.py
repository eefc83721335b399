#!/usr/bin/python3
"""QEMU guestfwd helper: `guestfwd=tcp:10.0.2.100:25-cmd:relay_pipe.py PORT`.

QEMU runs this once per guest connection with the connection on stdin and
stdout; it joins that to the test's SMTP server on 127.0.0.1:PORT. When the
server is down the connect fails and the guest sees the connection closed,
exactly as with a relay that refuses connections.
"""
import os
import select
import socket
import sys

os.dup2(os.open(os.devnull, os.O_WRONLY), 2)     # stderr is the guest's socket too
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
except OSError:
    sys.exit(1)
s.settimeout(None)
fds = [0, s.fileno()]
while True:
    r, _, _ = select.select(fds, [], [], 120)
    if not r:
        break
    if 0 in r:
        data = os.read(0, 65536)
        if not data:
            s.shutdown(socket.SHUT_WR)
            fds.remove(0)
        else:
            s.sendall(data)
    if s.fileno() in r:
        data = s.recv(65536)
        if not data:
            break
        os.write(1, data)
