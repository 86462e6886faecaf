#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns               director ns                            rs1 ns
#  10.0.1.2:5353 -------  cli0  VIP 10.0.1.100:53 udp -m   rs1 --- 10.0.11.2:53
#  [fd00:1::2]:5353             [VIP6]:53 udp -m                   [fd00:11::2]:53
#                         a local UDP socket bound to VIP:53 and
#                         connected to the client's 10.0.1.2:5353
#                         (and the same in IPv6); nft output:
#                         udp dport 53 meta skuid 0 drop
#
# Forwarded packets must leave without the socket early demux attached to
# them on the way in, as the kernel's forward path leaves it.  A connected
# UDP socket on the director whose addresses match a client's flow is found
# by early demux (ip_rcv_finish() before routing), which sets skb->sk on
# every datagram of that flow, also those l4vs then forwards to a real
# server.  Anything on the way out that asks who sent a packet would blame
# that socket: here a firewall rule that drops UDP to port 53 sent by root's
# sockets (nft "meta skuid", as iptables' -m owner) must not drop the
# client's masqueraded requests, IPv4 and IPv6, and must count nothing.
# Mutation that fails it: l4vs_xmit_scrub() without skb_orphan() (all
# requests dropped, the rule counts them).

. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
DGRAM=$SELFTESTS_DIR/tools/vs_dgram.py
CPORT=5353
N=3

require_tools "$PYTHON"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
load_impl
setup_nat_topology 1

[ "$(dir_exec sysctl -n net.ipv4.ip_early_demux)" = 1 ] &&
	[ "$(dir_exec sysctl -n net.ipv4.udp_early_demux)" = 1 ] ||
	skip "UDP early demux is off in this kernel"

rm -f "$TMPD/rs1.ready"
bg ip netns exec "${NS_RS[1]}" "$PYTHON" "$DGRAM" serve rs1 53 --ready "$TMPD/rs1.ready"

# the director's sockets: created by root, bound to the VIP's port 53 and
# connected to the client's port, which is what early demux matches
HOLD='
import socket, sys, time
socks = []
for fam, vip, cli in ((socket.AF_INET, sys.argv[1], sys.argv[2]),
                      (socket.AF_INET6, sys.argv[3], sys.argv[4])):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((vip, 53))
    s.connect((cli, int(sys.argv[5])))
    socks.append(s)
open(sys.argv[6], "w").close()
while True:
    time.sleep(60)
'
rm -f "$TMPD/hold.ready"
bg ip netns exec "$NS_DIR" "$PYTHON" -c "$HOLD" "$VIP" "$CLI_IP" "$VIP6" "$CLI_IP6" \
	"$CPORT" "$TMPD/hold.ready"
wait_until 30 test -e "$TMPD/rs1.ready" || fail "the UDP server on rs1 did not start"
wait_until 30 test -e "$TMPD/hold.ready" || fail "the director's sockets did not start"

add_nat_service_both_vips -u 53 || fail "cannot add the services"

dir_exec nft -f - <<-EOF || fail "cannot load the nftables owner rule"
	table inet l4vs_edemux {
		chain out {
			type filter hook output priority 0; policy accept;
			meta l4proto udp th dport 53 meta skuid 0 counter drop
		}
	}
EOF

for vip in "$VIP" "$VIP6"; do
	cli_exec "$PYTHON" "$DGRAM" send "$vip" 53 --sport "$CPORT" --count $N \
		--timeout 1500 >"$TMPD/out" 2>&1
	got=$(grep -c "^rs1 " "$TMPD/out")
	[ "$got" = $N ]
	log_test $? "$vip: requests from the demuxed flow are answered ($got of $N)"
done

drops=$(dir_exec nft list table inet l4vs_edemux |
	sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
[ "${drops:-x}" = 0 ]
log_test $? "the owner rule saw no forwarded packet as a local socket's (counted: ${drops:-none})"

exit $RET
