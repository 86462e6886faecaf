#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""UDP datagrams with a chosen TTL, TOS and size, for the datapath tests.

  vs_dgram.py serve NAME PORT [--ready FILE] [--log FILE] [--tstamp]
      Answer every datagram on PORT (IPv4 and IPv6) with one line
      "NAME ttl=T len=L" padded to the size the request asks for ("want=N"
      at its start), sent without DF so that a large answer leaves in
      fragments.  T is the TTL / hop limit the datagram arrived with, L its
      length.  --log appends that line for every datagram to FILE.  --tstamp asks for receive time stamps (SO_TIMESTAMPNS) on the
      sockets, which turns them on for every packet the host receives.

  vs_dgram.py send ADDR PORT [--ttl N] [--tos T[,T...]] [--size S]
                   [--want W] [--count C] [--timeout MS] [--src ADDR]
                   [--sport PORT]
      Send C datagrams of S bytes over one socket (TOS values cycled), each
      waiting for its answer; print one line per datagram: the answer's
      first line and "bytes=N rttl=T from=ADDR" (T: the answer's TTL / hop
      limit on arrival), or "ICMP type=T code=C from=ADDR"
      for an ICMP error that came back instead, or "ERROR timeout".

  vs_dgram.py frag4 SRC DST PORT --size S --fragsize F [--df] [--timeout MS]
      The same request (S bytes of UDP payload) as one IPv4 datagram cut by
      hand into fragments of F bytes of IP payload (a multiple of 8), DF on every
      fragment with --df (which Linux itself never sends); prints as send.
"""
import argparse
import os
import select
import socket
import struct
import sys

# Linux socket option values (not all of them are in the socket module)
IP_TOS = 1
IP_TTL = 2
IP_RECVERR = 11
IP_RECVTTL = 12
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0
IPV6_UNICAST_HOPS = 16
IPV6_MTU_DISCOVER = 23
IPV6_PMTUDISC_DONT = 0
IPV6_RECVERR = 25
IPV6_RECVHOPLIMIT = 51
IPV6_HOPLIMIT = 52
IPV6_TCLASS = 67
SO_TIMESTAMPNS = 35
SO_EE_ORIGIN_ICMP = 2
SO_EE_ORIGIN_ICMP6 = 3


def serve(args):
    socks = []
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER,
                         IPV6_PMTUDISC_DONT)
        else:
            s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
            s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
        if args.tstamp:
            s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        s.bind((addr, args.port))
        socks.append(s)
    if args.ready:
        open(args.ready, "w").close()
    while True:
        rd, _, _ = select.select(socks, [], [])
        for s in rd:
            data, anc, _, peer = s.recvmsg(65535, 256)
            ttl = -1
            for level, kind, val in anc:
                if (level, kind) in ((socket.IPPROTO_IP, IP_TTL),
                                     (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)):
                    ttl = struct.unpack("i", val[:4])[0]
            want = 0
            if data.startswith(b"want="):
                try:
                    want = int(data[5:].split()[0])
                except ValueError:
                    want = 0
            line = b"%s ttl=%d len=%d\n" % (args.name.encode(), ttl, len(data))
            if args.log:
                with open(args.log, "ab") as f:
                    f.write(line)
            if want > len(line):
                line += b"." * (want - len(line))
            try:
                s.sendto(line, peer)
            except OSError:
                pass


def icmp_error(s, fam):
    """The ICMP error queued on s, as a line, or None."""
    try:
        _, anc, _, _ = s.recvmsg(512, 512, socket.MSG_ERRQUEUE)
    except OSError:
        return None
    for level, kind, val in anc:
        if len(val) < 16:
            continue
        errno_, origin, typ, code = struct.unpack("IBBB", val[:7])
        if origin not in (SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6):
            continue
        off = val[16:]
        frm = "?"
        if fam == socket.AF_INET and len(off) >= 8:
            frm = socket.inet_ntop(socket.AF_INET, off[4:8])
        elif fam == socket.AF_INET6 and len(off) >= 24:
            frm = socket.inet_ntop(socket.AF_INET6, off[8:24])
        return "ICMP type=%d code=%d from=%s" % (typ, code, frm)
    return None


def await_answer(s, fam, timeout):
    """Wait for the answer to one request: the line to print."""
    deadline = timeout / 1000.0
    while True:
        rd, _, _ = select.select([s], [], [], deadline)
        if not rd:
            return "ERROR timeout"
        try:
            data, anc, _, peer = s.recvmsg(65535, 256)
        except OSError:
            err = icmp_error(s, fam)
            if err:
                return err
            continue
        ttl = -1
        for level, kind, val in anc:
            if (level, kind) in ((socket.IPPROTO_IP, IP_TTL),
                                 (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)):
                ttl = struct.unpack("i", val[:4])[0]
        first = data.split(b"\n")[0].decode(errors="replace")
        return "%s bytes=%d rttl=%d from=%s" % (first, len(data), ttl, peer[0])


def payload(want, size):
    p = b"want=%d " % want
    return p + b"x" * max(size - len(p), 0)


def recv_opts(s, fam):
    """Ask for ICMP errors and the TTL / hop limit of what arrives."""
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)


def send(args):
    fam = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    recv_opts(s, fam)
    if fam == socket.AF_INET6:
        if args.ttl:
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_UNICAST_HOPS, args.ttl)
    else:
        if args.ttl:
            s.setsockopt(socket.IPPROTO_IP, IP_TTL, args.ttl)
    if args.src or args.sport:
        wild = "::" if fam == socket.AF_INET6 else "0.0.0.0"
        s.bind((args.src or wild, args.sport))
    s.connect((args.addr, args.port))
    tos = [int(t, 0) for t in args.tos.split(",")] if args.tos else []
    for i in range(args.count):
        if tos:
            t = tos[i % len(tos)]
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, IPV6_TCLASS, t)
            else:
                s.setsockopt(socket.IPPROTO_IP, IP_TOS, t)
        try:
            s.send(payload(args.want, args.size))
        except OSError as e:
            print("ERROR send: %s" % e.strerror)
            continue
        print(await_answer(s, fam, args.timeout))
        sys.stdout.flush()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def frag4(args):
    if args.fragsize % 8 or args.fragsize <= 0:
        sys.exit("--fragsize must be a positive multiple of 8")
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    recv_opts(rx, socket.AF_INET)
    rx.bind((args.src, 0))
    rx.connect((args.dst, args.port))
    sport = rx.getsockname()[1]
    src = socket.inet_aton(args.src)
    dst = socket.inet_aton(args.dst)
    body = payload(args.want, args.size)
    ulen = 8 + len(body)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_UDP, ulen)
    udp = struct.pack("!HHHH", sport, args.port, ulen, 0) + body
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    ident = os.getpid() & 0xffff
    for off in range(0, len(udp), args.fragsize):
        chunk = udp[off:off + args.fragsize]
        flags = 0x4000 if args.df else 0
        if off + args.fragsize < len(udp):
            flags |= 0x2000
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident,
                          flags | (off // 8), 64, socket.IPPROTO_UDP, 0,
                          src, dst)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        raw.sendto(hdr + chunk, (args.dst, 0))
    print(await_answer(rx, socket.AF_INET, args.timeout))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("serve")
    p.add_argument("name")
    p.add_argument("port", type=int)
    p.add_argument("--ready")
    p.add_argument("--tstamp", action="store_true")
    p.add_argument("--log")
    p = sub.add_parser("send")
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("--ttl", type=int, default=0)
    p.add_argument("--tos")
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--want", type=int, default=0)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--timeout", type=int, default=1000)
    p.add_argument("--src")
    p.add_argument("--sport", type=int, default=0)
    p = sub.add_parser("frag4")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("port", type=int)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--fragsize", type=int, required=True)
    p.add_argument("--df", action="store_true")
    p.add_argument("--want", type=int, default=0)
    p.add_argument("--timeout", type=int, default=1000)
    args = ap.parse_args()
    {"serve": serve, "send": send, "frag4": frag4}[args.cmd](args)


if __name__ == "__main__":
    main()
