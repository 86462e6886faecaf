# SPDX-License-Identifier: GPL-2.0
"""One TCP request to a vs_server: the name of the server that answered.

Imported by the python helpers of sched_diff.sh, sched_mh.sh and
conn_reuse.sh, which make many connections from one process instead of a
fork each.
"""
import socket
import sys
import time


def ask(s):
    """Send the request on the connected socket s, read one line.

    Returns the line's first word, the server's name; raises OSError or
    IndexError (nothing answered) on failure.
    """
    s.sendall(b"?\n")
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(256)
        if not d:
            break
        buf += d
    return buf.split()[0].decode()


def probe(dst, port, src=None, timeout=2):
    """Connect to dst:port (from src when given), ask, read one line.

    Returns (socket, name); name is "-" when anything failed.  The socket
    stays open: the caller holds the connection or closes it.
    """
    s = socket.socket()
    s.settimeout(timeout)
    name = "-"
    try:
        if src:
            s.bind((src, 0))
        s.connect((dst, port))
        name = ask(s)
    except (OSError, IndexError):
        pass
    return s, name


def probe_from_port(dst, port, sport, timeout=4):
    """As probe(), from local port sport, timing the connect.

    SO_REUSEADDR lets sport be the port of a connection just closed.
    Returns (socket, name, connect_ms): name "-" when anything failed (the
    reason goes to stderr), connect_ms -1 when the connect did not
    complete.  The socket stays open, as with probe().
    """
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(timeout)
    name, ms = "-", -1
    try:
        s.bind(("0.0.0.0", sport))
        t0 = time.monotonic()
        s.connect((dst, port))
        ms = int((time.monotonic() - t0) * 1000)
        name = ask(s)
    except (OSError, IndexError) as e:
        print("error: %s" % e, file=sys.stderr)
    return s, name, ms
