#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Part 1, masquerading (setup_nat_topology 1):
#
#  client ns            director ns                         rs1 ns
#  10.0.1.2  -------  VIP 10.0.1.100:5353 udp -m -> rs1 --- 10.0.11.2
#  fd00:1::2          [VIP6]:5353 udp -m -> rs1             fd00:11::2
#                     VIP:5454 udp -m -> 10.0.1.1 (this host: local server)
#
# Part 2, direct routing and tunnelling (setup_lan_topology 1):
#
#   client 10.0.1.2 ---- bridge ---- director 10.0.1.1, VIP .100
#                           |
#                          rs1 10.0.1.11, VIP on lo; tunl0, ip6tnl0
#   VIP:5353 -g, [VIP6]:5353 -g, VIP:5454 -i (ipip), [VIP6]:5454 -i (ip6ip6)
#
# The director forwards to its real servers as a router does: a datagram
# sent with TTL / hop limit 32 must reach the real server with 31 by every
# forwarding method (the tunnelled one: the inner header, which is what the
# server's socket sees), and one sent with 1 must not reach it: the client
# gets an ICMP time exceeded (ICMPv6 hop limit exceeded) from the VIP and
# the director counts the drop as ttl_exceeded.  Not forwarded, not
# decremented: a real server on the director itself gets TTL 1 as sent.
# NAT replies take the kernel's forward path, one decrement: the server's
# 64 reaches the client as 63 (DR and tunnel replies bypass the director:
# 64).  Every datagram goes from a fresh socket, so each one is a new
# connection: no entry from an earlier check changes the path.

. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
DGRAM=$SELFTESTS_DIR/tools/vs_dgram.py
PORT=5353
LPORT=5454

require_tools "$PYTHON"
load_impl

# ttl_exceeded: the director's counter
ttl_exceeded() {
	dir_exec awk '$1 == "ttl_exceeded" { print $2 }' /proc/net/l4vs_drops
}

# serve NS NAME PORT: a vs_dgram server, logging to $TMPD/NAME.log
serve() {
	local ns=$1 name=$2 port=$3

	rm -f "$TMPD/$name.ready"
	: >"$TMPD/$name.log"
	bg ip netns exec "$ns" "$PYTHON" "$DGRAM" serve "$name" "$port" \
		--ready "$TMPD/$name.ready" --log "$TMPD/$name.log"
	wait_until 30 test -e "$TMPD/$name.ready" || fail "$name did not start"
}

# send ADDR PORT ARGS...: one datagram from the client, its outcome
send() {
	cli_exec "$PYTHON" "$DGRAM" send "$@" --timeout 1500
}

# check_ttl WHAT ADDR PORT SERVER RTTL: TTL 32 arrives as 31, answer's TTL
check_ttl() {
	local what=$1 addr=$2 port=$3 name=$4 rttl=$5 out

	out=$(send "$addr" "$port" --ttl 32)
	[[ $out == "$name ttl=31 "* ]]
	log_test $? "$what: TTL 32 reaches $name as 31 (got: $out)"
	[[ $out == *" rttl=$rttl "* ]]
	log_test $? "$what: the answer arrives with TTL $rttl (got: $out)"
}

# check_expire WHAT ADDR PORT SERVER ICMP: TTL 1 is answered by ICMP, counted,
# not delivered
check_expire() {
	local what=$1 addr=$2 port=$3 name=$4 icmp=$5 out before after lines

	before=$(ttl_exceeded)
	mapfile -t lines <"$TMPD/$name.log"
	out=$(send "$addr" "$port" --ttl 1)
	[ "$out" = "ICMP $icmp from=$addr" ]
	log_test $? "$what: TTL 1 gets ICMP $icmp from $addr (got: $out)"
	after=$(ttl_exceeded)
	[ "$after" = $((before + 1)) ]
	log_test $? "$what: counted as ttl_exceeded ($before -> $after)"
	[ "$(long_lines "$TMPD/$name.log")" = "${#lines[@]}" ]
	log_test $? "$what: $name received nothing"
}

# ---- part 1: masquerading ----------------------------------------------------

setup_nat_topology 1
[ -n "$(ttl_exceeded)" ]
log_test $? "/proc/net/l4vs_drops has a ttl_exceeded counter"
serve "${NS_RS[1]}" rs1 $PORT
serve "$NS_DIR" local $LPORT

ipvsadm_d -R <<-EOF || fail "cannot add the NAT services"
	-A -u $VIP:$PORT -s rr
	-a -u $VIP:$PORT -r ${RS_IP[1]}:$PORT -m -w 1
	-A -u [$VIP6]:$PORT -s rr
	-a -u [$VIP6]:$PORT -r [${RS_IP6[1]}]:$PORT -m -w 1
	-A -u $VIP:$LPORT -s rr
	-a -u $VIP:$LPORT -r $DIR_IP:$LPORT -m -w 1
EOF

check_ttl "NAT" "$VIP" $PORT rs1 63
check_ttl "NAT IPv6" "$VIP6" $PORT rs1 63
check_expire "NAT" "$VIP" $PORT rs1 "type=11 code=0"
check_expire "NAT IPv6" "$VIP6" $PORT rs1 "type=3 code=0"

# (its answer leaves from the director's own address, not the VIP: only
# the server's log tells)
send "$VIP" $LPORT --ttl 1 >/dev/null
wait_until 5 grep -q "^local ttl=1 " "$TMPD/local.log"
log_test $? "local real server: TTL 1 delivered as sent ($(<"$TMPD/local.log"))"

stop_bg
for ns in "${NS_LIST[@]}"; do
	ip netns del "$ns"
done
NS_LIST=()

# ---- part 2: direct routing and tunnels --------------------------------------

. "$SELFTESTS_DIR/lib_lan.sh"
require_modules ipip ip6_tunnel
new_names
setup_lan_topology 1
ip -n "${NS_RS[1]}" -batch - <<-EOF || fail "tunnel devices on rs1"
	link set tunl0 up
	link set ip6tnl0 up
EOF
rs_no_rp_filter 1 tunl0 || fail "rp_filter on rs1"
serve "${NS_RS[1]}" rs1 $PORT
rm -f "$TMPD/rs1-tun.ready"
bg ip netns exec "${NS_RS[1]}" "$PYTHON" "$DGRAM" serve rs1 $LPORT \
	--ready "$TMPD/rs1-tun.ready" --log "$TMPD/rs1.log"
wait_until 30 test -e "$TMPD/rs1-tun.ready" || fail "rs1's tunnel server did not start"

ipvsadm_d -R <<-EOF || fail "cannot add the DR and tunnel services"
	-A -u $VIP:$PORT -s rr
	-a -u $VIP:$PORT -r ${RS_IP[1]}:$PORT -g -w 1
	-A -u [$VIP6]:$PORT -s rr
	-a -u [$VIP6]:$PORT -r [${RS_IP6[1]}]:$PORT -g -w 1
	-A -u $VIP:$LPORT -s rr
	-a -u $VIP:$LPORT -r ${RS_IP[1]}:$LPORT -i -w 1
	-A -u [$VIP6]:$LPORT -s rr
	-a -u [$VIP6]:$LPORT -r [${RS_IP6[1]}]:$LPORT -i -w 1
EOF
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

check_ttl "DR" "$VIP" $PORT rs1 64
check_ttl "DR IPv6" "$VIP6" $PORT rs1 64
check_ttl "ipip" "$VIP" $LPORT rs1 64
check_ttl "ip6ip6" "$VIP6" $LPORT rs1 64
check_expire "DR" "$VIP" $PORT rs1 "type=11 code=0"
check_expire "DR IPv6" "$VIP6" $PORT rs1 "type=3 code=0"
check_expire "ipip" "$VIP" $LPORT rs1 "type=11 code=0"
check_expire "ip6ip6" "$VIP6" $LPORT rs1 "type=3 code=0"

exit $RET
