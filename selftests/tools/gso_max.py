#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A device's IPv4 GSO size limit, which iproute2 before 6.3 cannot set.

  gso_max.py DEV
      Print DEV's gso_ipv4_max_size; exit 2 if the kernel has none (before
      6.3, where one limit, gso_max_size, held for every family and the
      IPv4 receive path took no packet over 64 KiB).

  gso_max.py DEV SIZE
      Set DEV's gso_max_size and gso_ipv4_max_size to SIZE (as for BIG
      TCP), then print the IPv4 one as above.
"""
import socket
import struct
import sys

RTM_NEWLINK = 16
RTM_GETLINK = 18
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
IFLA_GSO_MAX_SIZE = 41
IFLA_GSO_IPV4_MAX_SIZE = 63


def request(sock, kind, flags, index, attrs=b""):
    body = struct.pack("BxHiII", socket.AF_UNSPEC, 0, index, 0, 0) + attrs
    sock.send(struct.pack("IHHII", 16 + len(body), kind, flags, 1, 0) + body)
    return sock.recv(65536)


def u32_attr(kind, value):
    return struct.pack("HHI", 8, kind, value)


def ipv4_limit(sock, index):
    """gso_ipv4_max_size from RTM_GETLINK, or None."""
    msg = request(sock, RTM_GETLINK, NLM_F_REQUEST, index)
    length, kind = struct.unpack("IH", msg[:6])
    if kind == NLMSG_ERROR:
        sys.exit("RTM_GETLINK: error %d" % -struct.unpack("i", msg[16:20])[0])
    off = 32
    while off + 4 <= length:
        alen, atype = struct.unpack("HH", msg[off:off + 4])
        if alen < 4:
            break
        if atype & 0x3fff == IFLA_GSO_IPV4_MAX_SIZE and alen >= 8:
            return struct.unpack("I", msg[off + 4:off + 8])[0]
        off += (alen + 3) & ~3
    return None


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    index = socket.if_nametoindex(sys.argv[1])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    if ipv4_limit(sock, index) is None:
        print("none")
        sys.exit(2)
    if len(sys.argv) == 3:
        size = int(sys.argv[2])
        msg = request(sock, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, index,
                      u32_attr(IFLA_GSO_MAX_SIZE, size) +
                      u32_attr(IFLA_GSO_IPV4_MAX_SIZE, size))
        err = struct.unpack("i", msg[16:20])[0]
        if err:
            sys.exit("RTM_NEWLINK: error %d" % -err)
    print(ipv4_limit(sock, index))


if __name__ == "__main__":
    main()
