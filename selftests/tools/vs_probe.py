# SPDX-License-Identifier: GPL-2.0
"""One TCP request to a vs_server: the name of the server that answered.

Imported by the python helpers of sched_diff.sh and sched_mh.sh, which
make hundreds of connections from one process instead of a fork each.
"""
import socket


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
        s.sendall(b"?\n")
        buf = b""
        while not buf.endswith(b"\n"):
            d = s.recv(256)
            if not d:
                break
            buf += d
        name = buf.split()[0].decode()
    except (OSError, IndexError):
        pass
    return s, name
