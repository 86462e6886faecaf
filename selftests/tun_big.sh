#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   client 10.0.1.2 --- pc  bridge  pd --- director lan0 (GRO on)
#   TCP, MSS 1284,          |   (pd: no TSO,   VIP 10.0.1.100:81 tcp -i
#   no timestamps           |    so lan0 can   --tun-type gre --tun-csum,
#   (4 MiB up, sha256       |    aggregate)    then ipip
#    back)                  pr1 --- rs1 10.0.1.11, VIP on lo, gre1 icsum,
#                                   tunl0; python sink on :81
#
# Outer lengths of a tunnelled packet past 64 KiB.  GRO on the director's
# lan0 merges the client's segments into TCP packets of up to 65,535 bytes:
# with 1,284-byte segments (40 bytes of headers, no timestamps) a full
# aggregate is 51 segments, 65,524 bytes.  Wrapped in GRE with checksum (28
# bytes) or IPIP (20) it exceeds 64 KiB: its outer IPv4 total length must
# be 0, as the stack writes for its own BIG TCP packets (iph_set_totlen()),
# never the length modulo 64 KiB (16 and 8 here).  The director's lan0 and
# the bridge's pr1 take IPv4 GSO packets up to 128 KiB (gso_ipv4_max_size,
# as a BIG TCP host's NIC does), so such a packet reaches rs1 whole; rs1's
# IPv4 receive path reads a 0 of a TCP GSO packet as "skb->len", and a
# wrapped length below 20 as a header error.  Each transfer must arrive
# intact, the director must have received packets of 65,508 bytes or more
# (nft, prerouting), and rs1 must count no IPv4 header error nor truncated
# packet.
#
# Kernels without gso_ipv4_max_size (before 6.3, so 6.1) skip: their IPv4
# receive path drops any packet over 64 KiB whatever its length field says
# (ip_rcv_core() reads 0 as a header error), and their devices cut such a
# packet in software (skb->len >= gso_max_size, 64 KiB by default), which
# rewrites every length, so the value l4vs writes cannot be observed.
# Mutation that fails it: outer_len16() returning htons(len) (wraps).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

PORT=81
PYTHON=${PYTHON:-/usr/bin/python3}
GSO_MAX=$SELFTESTS_DIR/tools/gso_max.py
SIZE=$((4 << 20))
MSS=1284
BIG=131072

require_tools
require_l4vsadm
[ -x "$PYTHON" ] || skip "$PYTHON is needed for the bulk transfers"
command -v ethtool >/dev/null || skip "ethtool is needed to turn GRO on"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
load_impl
require_modules ipip ip_gre
setup_lan_topology 1

dir_exec "$PYTHON" "$GSO_MAX" "$LAN_DEV" >/dev/null ||
	skip "no gso_ipv4_max_size (kernel before 6.3): IPv4 over 64 KiB is never received whole, see the header"
dir_exec "$PYTHON" "$GSO_MAX" "$LAN_DEV" $BIG >/dev/null &&
	in_ns "$NS_LAN" "$PYTHON" "$GSO_MAX" pr1 $BIG >/dev/null ||
	fail "cannot raise gso_ipv4_max_size on $LAN_DEV and pr1"
in_ns "$NS_LAN" ethtool -K pd tso off >/dev/null 2>&1 || fail "ethtool -K pd tso off"
dir_exec ethtool -K "$LAN_DEV" gro on >/dev/null 2>&1 || fail "ethtool -K $LAN_DEV gro on"
cli_exec sysctl -qw net.ipv4.tcp_timestamps=0 || fail "tcp_timestamps on the client"

ip -n "${NS_RS[1]}" -batch - <<-EOF || fail "tunnel devices on rs1"
	link set tunl0 up
	link add gre1 type gre local ${RS_IP[1]} remote any icsum
	link set gre1 up
EOF
rs_no_rp_filter 1 tunl0 gre1 || fail "rp_filter on rs1"

dir_exec nft -f - <<-EOF || fail "cannot load the nftables counter"
	table ip l4vs_big {
		counter big { }
		chain pre {
			type filter hook prerouting priority -300; policy accept;
			ip daddr $VIP tcp dport $PORT ip length 65508-65535 counter name big
		}
	}
EOF

# the sink: reads a connection to its end, answers "BYTES SHA256"
SINK='
import hashlib, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(8)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(("%d %s\n" % (n, h.hexdigest())).encode())
    c.close()
'
# the sender: SIZE bytes in segments of MSS, then its own "BYTES SHA256"
# and the sink's answer on one line
SEND='
import hashlib, socket, sys
addr, port, size, mss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = hashlib.sha256(b"l4vs").digest() * (size // 32)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
s.settimeout(60)
s.connect((addr, port))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while not got.endswith(b"\n"):
    b = s.recv(256)
    if not b:
        break
    got += b
print(len(data), hashlib.sha256(data).hexdigest(), got.decode().strip() or "none")
'
bg ip netns exec "${NS_RS[1]}" "$PYTHON" -c "$SINK" "$PORT" "$TMPD/sink.ready"
wait_until 30 test -e "$TMPD/sink.ready" || fail "the sink on rs1 did not start"
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

# snmp NS PROTO FIELD: a counter of /proc/net/snmp in namespace NS
snmp() {
	in_ns "$1" awk -v p="$2:" -v f="$3" '$1 == p {
		if (!col) { for (i = 2; i <= NF; i++) if ($i == f) col = i; next }
		print $col }' /proc/net/snmp
}

# rs_ip_errors: IPv4 packets rs1 dropped for their header or length
rs_ip_errors() {
	echo $(($(snmp "${NS_RS[1]}" Ip InHdrErrors) + $(snmp "${NS_RS[1]}" Ip InTruncatedPkts)))
}

big_seen() {
	dir_exec nft list counter ip l4vs_big big |
		sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# transfer NAME TUNNEL-OPTIONS...
transfer() {
	local name=$1 got big0 big err0 err retrans0 retrans

	shift
	l4vsadm_d -C
	l4vsadm_d -A -t "$VIP:$PORT" -s rr &&
		l4vsadm_d -a -t "$VIP:$PORT" -r "${RS_IP[1]}:$PORT" -i "$@" ||
		fail "$name: cannot add the service"
	big0=$(big_seen)
	err0=$(rs_ip_errors)
	retrans0=$(snmp "$NS_CLI" Tcp RetransSegs)
	got=$(cli_exec "$PYTHON" -c "$SEND" "$VIP" "$PORT" "$SIZE" "$MSS" 2>&1 | tail -n 1)
	big=$(($(big_seen) - big0))
	err=$(($(rs_ip_errors) - err0))
	retrans=$(($(snmp "$NS_CLI" Tcp RetransSegs) - retrans0))
	log_info "$name: the client retransmitted $retrans segments"
	[[ $got =~ ^$SIZE\ ([0-9a-f]{64})\ $SIZE\ ([0-9a-f]{64})$ ]] &&
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	log_test $? "$name: 4 MiB arrive intact (${got:0:80})"
	[ "$big" -gt 0 ]
	log_test $? "$name: the director received GRO packets of 65508 bytes or more ($big)"
	[ "$err" = 0 ]
	log_test $? "$name: rs1 counts no IPv4 header error or truncated packet (got: $err)"
}

transfer gre-csum --tun-type gre --tun-csum
transfer ipip

exit $RET
