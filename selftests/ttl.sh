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
# connection: no entry from an earlier check changes the path.  One python
# process sends all datagrams of a part (vs_dgram.py's send, once per
# datagram: a socket each), and the checks judge its outcomes afterwards.
# Mutation that fails it: l4vs_xmit_hop() in net/xmit.c without the
# decrement (every "TTL 32 reaches rs1 as 31" check fails).

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

# The client's sender: a line "ADDR PORT TTL TIMEOUT_MS" per datagram in,
# vs_dgram.py send's outcome line per datagram out.  Its send() opens a
# socket per call, so one process keeps "a fresh socket each".
SENDER='
import sys
import vs_dgram
for line in sys.stdin:
    addr, port, ttl, ms = line.split()
    sys.argv = ["vs_dgram.py", "send", addr, port, "--ttl", ttl, "--timeout", ms]
    vs_dgram.main()
'

# The checks of a part queue their datagram (REQS) and what they expect of
# its outcome (WANTS: "KIND|WHAT|A|B"); check_all sends the queue.
REQS=()
WANTS=()

# want_ttl WHAT ADDR PORT SERVER RTTL: TTL 32 must reach SERVER as 31 and
# its answer arrive with TTL RTTL
want_ttl() {
	REQS+=("$2 $3 32 1500")
	WANTS+=("ttl|$1|$4|$5")
}

# want_expire WHAT ADDR PORT ICMP: TTL 1 must be answered by ICMP from
# ADDR, counted, not delivered
want_expire() {
	REQS+=("$2 $3 1 1500")
	WANTS+=("expire|$1|$2|$4")
}

# want_local ADDR PORT: TTL 1 for a real server on the director.  Its
# answer leaves from the director's own address, not the VIP, and the
# client's socket ignores it: only the server's log tells, hence the short
# wait.
want_local() {
	REQS+=("$1 $2 1 200")
	WANTS+=("local|||")
}

# check_all SERVER: send the queued datagrams, each from a fresh socket of
# one process, and judge every outcome; then: the TTL 1 ones were all
# counted as ttl_exceeded and none reached SERVER (its log holds the TTL 32
# ones only)
check_all() {
	local name=$1 out i kind what a b before after logged nttl=0 nexp=0

	before=$(ttl_exceeded)
	mapfile -t out < <(printf '%s\n' "${REQS[@]}" |
		cli_exec env PYTHONPATH="$SELFTESTS_DIR/tools" PYTHONDONTWRITEBYTECODE=1 \
			"$PYTHON" -c "$SENDER")
	after=$(ttl_exceeded)
	for i in "${!WANTS[@]}"; do
		IFS='|' read -r kind what a b <<<"${WANTS[i]}"
		case $kind in
		ttl)
			nttl=$((nttl + 1))
			[[ ${out[i]} == "$a ttl=31 "* ]]
			log_test $? "$what: TTL 32 reaches $a as 31 (got: ${out[i]})"
			[[ ${out[i]} == *" rttl=$b "* ]]
			log_test $? "$what: the answer arrives with TTL $b (got: ${out[i]})"
			;;
		expire)
			nexp=$((nexp + 1))
			[ "${out[i]}" = "ICMP $b from=$a" ]
			log_test $? "$what: TTL 1 gets ICMP $b from $a (got: ${out[i]})"
			;;
		esac
	done
	[ "$after" = $((before + nexp)) ]
	log_test $? "the $nexp TTL 1 datagrams are counted as ttl_exceeded ($before -> $after)"
	logged=$(long_lines "$TMPD/$name.log")
	[ "$logged" = "$nttl" ]
	log_test $? "$name received the $nttl TTL 32 datagrams only (logged: $logged)"
	REQS=()
	WANTS=()
}

# ---- part 1: masquerading ----------------------------------------------------

setup_nat_topology 1
[ -n "$(ttl_exceeded)" ]
log_test $? "/proc/net/l4vs_drops has a ttl_exceeded counter"
serve "${NS_RS[1]}" rs1 $PORT
serve "$NS_DIR" local $LPORT

add_nat_service_both_vips -u $PORT || fail "cannot add the NAT services"
ipvsadm_d -R <<-EOF || fail "cannot add the local service"
	-A -u $VIP:$LPORT -s rr
	-a -u $VIP:$LPORT -r $DIR_IP:$LPORT -m -w 1
EOF

want_ttl "NAT" "$VIP" $PORT rs1 63
want_ttl "NAT IPv6" "$VIP6" $PORT rs1 63
want_expire "NAT" "$VIP" $PORT "type=11 code=0"
want_expire "NAT IPv6" "$VIP6" $PORT "type=3 code=0"
want_local "$VIP" $LPORT
check_all rs1
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

want_ttl "DR" "$VIP" $PORT rs1 64
want_ttl "DR IPv6" "$VIP6" $PORT rs1 64
want_ttl "ipip" "$VIP" $LPORT rs1 64
want_ttl "ip6ip6" "$VIP6" $LPORT rs1 64
want_expire "DR" "$VIP" $PORT "type=11 code=0"
want_expire "DR IPv6" "$VIP6" $PORT "type=3 code=0"
want_expire "ipip" "$VIP" $LPORT "type=11 code=0"
want_expire "ip6ip6" "$VIP6" $LPORT "type=3 code=0"
check_all rs1

exit $RET
