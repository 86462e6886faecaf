#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns            director ns                         rs1 ns
#  10.0.1.2  -------  VIP 10.0.1.100:5353 udp -m -> rs1 --- 10.0.11.2
#  fd00:1::2          [VIP6]:5353 udp -m -> rs1             fd00:11::2
#         MTU 1500 everywhere; no conntrack in any namespace
#
# then tunnels (setup_lan_topology 1):
#
#   client 10.0.1.2, MTU 1400 ---- bridge ---- director 10.0.1.1, VIP .100
#                                     |
#                                    rs1 10.0.1.11, VIP on lo; tunl0, ip6tnl0
#   VIP:5353 -i (ipip), [VIP6]:5353 -i (ip6ip6)
#
# Fragmented datagrams through a NAT service, both ways:
#  - a real server's 3000-byte answer, sent without DF, leaves it in
#    fragments; the director must reassemble them to find the connection
#    and send the answer on from the VIP (IPv4 and IPv6): the client
#    receives all 3000 bytes from the VIP;
#  - a client's 3000-byte request, fragmented by the client to fit the
#    path, must reach the real server whole: the director judges the
#    reassembled datagram by its largest fragment, as a router does, and
#    fragments it again; no "fragmentation needed" / "packet too big" back.
#    For IPv4 also with DF on every fragment (hand-made: Linux never sends
#    that), which a DF check on the reassembled size would refuse.  The
#    same through tunnels, whose header leaves 1480 (ipip) and 1460
#    (ip6ip6) bytes for the client's packet: fragments of at most 1400
#    bytes fit, the 3000-byte datagrams do not.
# Nothing here loads or enables conntrack: the director must do it alone
# (its conntrack table stays empty).

. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
DGRAM=$SELFTESTS_DIR/tools/vs_dgram.py
PORT=5353

require_tools "$PYTHON"
load_impl
setup_nat_topology 1

# frag_needed: the director's counter of refused too-big packets
frag_needed() {
	dir_exec awk '$1 == "frag_needed" { print $2 }' /proc/net/l4vs_drops
}

send() {
	cli_exec "$PYTHON" "$DGRAM" send "$@" --timeout 2000
}

rm -f "$TMPD/rs1.ready"
bg ip netns exec "${NS_RS[1]}" "$PYTHON" "$DGRAM" serve rs1 $PORT \
	--ready "$TMPD/rs1.ready"
wait_until 30 test -e "$TMPD/rs1.ready" || fail "rs1 did not start"

ipvsadm_d -R <<-EOF || fail "cannot add the services"
	-A -u $VIP:$PORT -s rr
	-a -u $VIP:$PORT -r ${RS_IP[1]}:$PORT -m -w 1
	-A -u [$VIP6]:$PORT -s rr
	-a -u [$VIP6]:$PORT -r [${RS_IP6[1]}]:$PORT -m -w 1
EOF

before=$(frag_needed)

# ---- answers in fragments ----------------------------------------------------
for vip in "$VIP" "$VIP6"; do
	out=$(send "$vip" $PORT --want 3000)
	[[ $out == "rs1 "*" bytes=3000 "*" from=$vip" ]]
	log_test $? "a 3000-byte answer in fragments comes whole from $vip (got: $out)"
done

# ---- requests in fragments ---------------------------------------------------
for vip in "$VIP" "$VIP6"; do
	out=$(send "$vip" $PORT --size 3000)
	[[ $out == "rs1 "*" len=3000 "*" from=$vip" ]]
	log_test $? "a 3000-byte request in fragments reaches rs1 via $vip (got: $out)"
done

out=$(cli_exec "$PYTHON" "$DGRAM" frag4 "$CLI_IP" "$VIP" $PORT --size 3000 \
	--fragsize 1200 --df --timeout 2000)
[[ $out == "rs1 "*" len=3000 "*" from=$VIP" ]]
log_test $? "a 3000-byte request in 1200-byte DF fragments reaches rs1 (got: $out)"

after=$(frag_needed)
[ "$after" = "$before" ]
log_test $? "nothing refused as too big (frag_needed $before -> $after)"

# conntrack would have reassembled on its own; it must not have been there
ct=$(dir_exec cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null)
[ "${ct:-0}" = 0 ]
log_test $? "no conntrack entry in the director (count: ${ct:-no conntrack})"

# ---- tunnels -----------------------------------------------------------------

stop_bg
for ns in "${NS_LIST[@]}"; do
	ip netns del "$ns"
done
NS_LIST=()

. "$SELFTESTS_DIR/lib_lan.sh"
require_modules ipip ip6_tunnel
new_names
setup_lan_topology 1
ip -n "${NS_RS[1]}" -batch - <<-EOF || fail "tunnel devices on rs1"
	link set tunl0 up
	link set ip6tnl0 up
EOF
rs_no_rp_filter 1 tunl0 || fail "rp_filter on rs1"
cli_exec ip link set eth0 mtu 1400 || fail "client MTU"
rm -f "$TMPD/rs1.ready"
bg ip netns exec "${NS_RS[1]}" "$PYTHON" "$DGRAM" serve rs1 $PORT \
	--ready "$TMPD/rs1.ready"
wait_until 30 test -e "$TMPD/rs1.ready" || fail "rs1 did not start"

ipvsadm_d -R <<-EOF || fail "cannot add the tunnel services"
	-A -u $VIP:$PORT -s rr
	-a -u $VIP:$PORT -r ${RS_IP[1]}:$PORT -i -w 1
	-A -u [$VIP6]:$PORT -s rr
	-a -u [$VIP6]:$PORT -r [${RS_IP6[1]}]:$PORT -i -w 1
EOF
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

before=$(frag_needed)
out=$(send "$VIP6" $PORT --size 3000)
[[ $out == "rs1 "*" len=3000 "*" from=$VIP6" ]]
log_test $? "ip6ip6: a 3000-byte request in 1400-byte fragments reaches rs1 (got: $out)"

out=$(cli_exec "$PYTHON" "$DGRAM" frag4 "$CLI_IP" "$VIP" $PORT --size 3000 \
	--fragsize 1200 --df --timeout 2000)
[[ $out == "rs1 "*" len=3000 "*" from=$VIP" ]]
log_test $? "ipip: a 3000-byte request in 1200-byte DF fragments reaches rs1 (got: $out)"

after=$(frag_needed)
[ "$after" = "$before" ]
log_test $? "tunnels: nothing refused as too big (frag_needed $before -> $after)"

exit $RET
