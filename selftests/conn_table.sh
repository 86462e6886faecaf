#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns (pktgen)      director ns                      real server
#  10.0.1.2  ------------  VIP 10.0.1.100:5000 udp, -m  ---  rs1 10.0.11.2
#                          conn_tab_bits=8 (256 buckets)     (echo on 5000)
#
# The connection table resizes itself: pktgen opens thousands of UDP flows
# (one source port each) and the table grows to about one bucket per entry;
# a flow opened before the growth is still found afterwards (its datagrams
# are answered by the same entry, no new one is created); when the entries
# expire, the table shrinks back to its starting size.
#
# conn_max: with the limit set, a flood of unanswered flows keeps the table
# at the limit (new flows take the place of unanswered ones) and an
# answered flow still gets through.  A flood the server answers does not
# earn trust either (a spoofed source never sees the answers): its entries
# stay evictable until their client sends again, so a new flow still gets
# in when the table is full of them.

. "$(dirname "$0")/lib.sh"

START_BITS=8
FLOWS=3000
UDP_TO=60		# long enough for a loaded host to get from pktgen to the re-probe
LIMIT=500

require_tools
[ -e /proc/modules ] || skip "kernel has no module support (run in the VM)"
modinfo pktgen >/dev/null 2>&1 || skip "pktgen module not available"
unload_module ip_vs || fail "cannot unload ip_vs"
unload_module l4vs || fail "cannot unload l4vs (to load it with conn_tab_bits)"
modprobe l4vs conn_tab_bits=$START_BITS || fail "modprobe l4vs conn_tab_bits=$START_BITS"
IMPL=l4vs
modprobe pktgen || fail "modprobe pktgen"
defer modprobe -r pktgen

setup_nat_topology 1
start_servers -k -u 5000 -t 5001
add_nat_service -u "$VIP:5000" && add_nat_service -t "$VIP:5001" ||
	fail "cannot add the services"
ipvsadm_d --set 900 120 $UDP_TO || fail "cannot set timeouts"

# Entries of the director (its /proc, not the initial namespace's).
entries() {
	dir_exec awk 'NR > 1 { n++ } END { print n + 0 }' /proc/net/ip_vs_conn
}

drops() {
	dir_exec awk -v k="$1" '$1 == k { print $2 }' /proc/net/l4vs_drops
}

size=$(dir_exec sed -n '1s/.*(size=\([0-9]*\)).*/\1/p' /proc/net/ip_vs)
[ "$size" = $((1 << START_BITS)) ]
log_test $? "the table starts at 2^$START_BITS buckets (size=$size)"

# One flow opened before the table grows, from a fixed source port.
probe_port=40000
probe() {
	cli_exec python3 - "$VIP" 5000 "$probe_port" <<-'EOF'
		import socket, sys
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		s.bind(("0.0.0.0", int(sys.argv[3])))
		s.settimeout(2)
		s.sendto(b"probe\n", (sys.argv[1], int(sys.argv[2])))
		print(s.recv(256).decode().split()[0])
	EOF
}
first=$(probe)
[ "$first" = rs1 ]
log_test $? "a flow from port $probe_port is answered (by $first)"

# pktgen_flows COUNT SPORT_MIN: COUNT datagrams to the VIP, one source port
# each, from the client namespace; returns when they are sent.
pktgen_flows() {
	local npkts=$1 smin=$2 mac pg=/proc/net/pktgen

	mac=$(dir_exec cat /sys/class/net/cli0/address)
	cli_exec bash -c "
		echo rem_device_all >$pg/kpktgend_0 &&
		echo 'add_device eth0' >$pg/kpktgend_0 &&
		for c in 'count $npkts' 'clone_skb 0' 'pkt_size 64' 'delay 0' \
			 'dst $VIP' 'dst_mac $mac' 'src_min $CLI_IP' 'src_max $CLI_IP' \
			 'udp_src_min $smin' 'udp_src_max $((smin + npkts - 1))' \
			 'udp_dst_min 5000' 'udp_dst_max 5000'; do
			echo \"\$c\" >$pg/eth0 || exit 1
		done &&
		echo start >$pg/pgctrl"
}

# A TCP connection exchanging a line every 20 ms while the table resizes
# under it: no exchange may fail.  An answer may take up to a second, five
# on the debug kernel (KASAN, lockdep: its segments wait behind pktgen's
# burst for longer); an entry lost in the resize is never answered.
long_wait=1000
[ "${L4VS_DEBUG_KERNEL:-}" = 1 ] && long_wait=5000
bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -i 20 -d 300 -w $long_wait "$VIP" 5001 >"$TMPD/long"
LONG_PID=$BG_PID
long_up() {
	grep -q '^connected ' "$TMPD/long"
}
wait_until 10 long_up || fail "the long-lived connection did not start"

# Datagrams the client's veth could not hand to the director (its backlog
# was full: the debug kernel drains it slowly).  They never reached l4vs.
veth_drops() {
	cli_exec cat /sys/class/net/eth0/statistics/tx_dropped
}

t_flows=$(now_ms)
lost0=$(veth_drops)
pktgen_flows $FLOWS 10000
log_test $? "pktgen sent $FLOWS new flows"

# every flow that reached the director has its entry, and most did
grown() {
	n=$(entries)
	lost=$(($(veth_drops) - lost0))
	size=$(dir_exec sed -n '1s/.*(size=\([0-9]*\)).*/\1/p' /proc/net/ip_vs)
	[ "$n" -ge $((FLOWS - lost)) ] && [ "$n" -ge $((FLOWS * 9 / 10)) ] &&
		[ "$size" -ge $((n / 2)) ]
}
wait_until 15 grown
log_test $? "the table grew with the entries ($n entries for $FLOWS flows, $lost lost before the director, size=$size)"

kill "$LONG_PID"
wait "$LONG_PID" 2>/dev/null
summary=$(grep '^ok=' "$TMPD/long")
[[ $summary == *" fail=0 reconnects=0 "* && $summary != "ok=0 "* ]]
log_test $? "a TCP connection kept exchanging through the resize ($summary)"

again=$(probe)
n2=$(entries)
[ "$again" = "$first" ] && [ "$n2" -eq "$n" ]
log_test $? "the old flow is still found after the resize (answer $again, entries $n -> $n2, $((($(now_ms) - t_flows) / 1000)) s after the flows)"

shrunk() {
	size=$(dir_exec sed -n '1s/.*(size=\([0-9]*\)).*/\1/p' /proc/net/ip_vs)
	n=$(entries)
	# the closed TCP connection lingers in TIME_WAIT
	[ "$n" -le 1 ] && [ "$size" -eq $((1 << START_BITS)) ]
}
wait_until $((UDP_TO + 15)) shrunk
log_test $? "when the entries expire the table shrinks back ($n entries, size=$size)"

# conn_max: a flood of unanswered flows (nothing listens on 6000).
ipvsadm_d -A -u "$VIP:6000" -s rr && ipvsadm_d -a -u "$VIP:6000" -r "${RS_IP[1]}:6000" -m ||
	fail "cannot add the second service"
dir_exec sysctl -qw net.ipv4.vs.conn_max=$LIMIT || fail "cannot set conn_max"
# the same flows again (pktgen keeps its settings), to the other port
pktgen_flows_6000() {
	local pg=/proc/net/pktgen

	cli_exec bash -c "
		echo 'udp_dst_min 6000' >$pg/eth0 && echo 'udp_dst_max 6000' >$pg/eth0 &&
		echo start >$pg/pgctrl"
}
pktgen_flows_6000
n=$(entries)
[ "$n" -le $LIMIT ] && [ "$n" -ge $((LIMIT / 2)) ]
log_test $? "$FLOWS unanswered flows with conn_max=$LIMIT leave $n entries"

probe_port=40001
answer=$(probe)
[ "$answer" = rs1 ]
log_test $? "an answered flow still gets in at the limit (answer: ${answer:-none})"

limited=$(drops conn_limit)
log_info "conn_limit drops: $limited"
n=$(entries)
[ "$n" -le $LIMIT ]
log_test $? "the table stays within conn_max ($n entries)"

# The same number of flows to the echo port, from source ports not used
# yet: the server answers each one, nobody sends a second datagram.
pktgen_flows_answered() {
	local pg=/proc/net/pktgen

	cli_exec bash -c "
		for c in 'udp_dst_min 5000' 'udp_dst_max 5000' 'udp_src_min 20000' \
			 'udp_src_max $((20000 + FLOWS - 1))'; do
			echo \"\$c\" >$pg/eth0 || exit 1
		done && echo start >$pg/pgctrl"
}
pktgen_flows_answered
log_test $? "pktgen sent $FLOWS flows that the server answers"
answered() {
	dir_exec awk '$5 == "1388" { n++ } END { print n + 0 }' /proc/net/ip_vs_conn
}
# replies the director has passed back (OutPkts of the echo service)
replies() {
	ipvsadm_d -Ln --stats -u "$VIP:5000" | awk '$1 == "UDP" { print $5 }'
}
# the answers of the last flows are back when OutPkts stops moving
replies_settled() {
	local a

	a=$(replies)
	nap 0.5
	[ "$(replies)" = "$a" ]
}
wait_until 15 replies_settled
log_info "entries to port 5000 after the answered flood: $(answered), replies $(replies)"
probe_port=40002
answer=$(probe)
[ "$answer" = rs1 ]
log_test $? "a new flow gets in when the table is full of answered flows (${answer:-none})"
n=$(entries)
[ "$n" -le $LIMIT ]
log_test $? "the table stays within conn_max after the answered flood ($n entries)"

exit $RET
