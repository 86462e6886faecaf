#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns            director ns                          rs1 ns
#  10.0.1.2  -------  cli0   VIP 10.0.1.100:53 udp -m  rs1 --- 10.0.11.2
#  fd00:1::2                 [VIP6]:53 udp -m          (fq)    fd00:11::2
#  a UDP socket with
#  SO_TIMESTAMPNS
#
# Forwarded packets must leave without their receive time stamp, as the
# kernel's forward path leaves them.  Once any socket on the host asks for
# receive time stamps (SO_TIMESTAMPNS here, in the client namespace: the
# switch is global), every received packet carries the time of day in
# skb->tstamp; the fq qdisc reads skb->tstamp on the way out as a departure
# time in CLOCK_MONOTONIC, finds it decades ahead and drops the packet
# ("horizon_drops").  With fq on the director's link to the real server,
# masqueraded UDP requests must all be answered, IPv4 and IPv6, and fq must
# have dropped nothing.  UDP, because a TCP sender stamps its packets with
# its own departure time (CLOCK_MONOTONIC, kept across the veth), which
# leaves no room for the receive time stamp.

. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
DGRAM=$SELFTESTS_DIR/tools/vs_dgram.py

require_tools "$PYTHON"
load_impl
modprobe sch_fq 2>/dev/null
setup_nat_topology 1
start_servers -u 53

dir_exec tc qdisc replace dev rs1 root fq || skip "no fq qdisc"
dir_exec tc qdisc show dev rs1 | grep -q "^qdisc fq " || skip "fq is not on rs1"

# receive time stamps on, for every packet the host receives
rm -f "$TMPD/ts.ready"
bg ip netns exec "$NS_CLI" "$PYTHON" "$DGRAM" serve ts 9 --tstamp \
	--ready "$TMPD/ts.ready"
wait_until 30 test -e "$TMPD/ts.ready" || fail "time stamping socket did not start"

add_nat_service_both_vips -u 53 || fail "cannot add the services"

for vip in "$VIP" "$VIP6"; do
	client -u -n 3 -w 1000 "$vip" 53 >"$TMPD/out"
	got=$(tally "$TMPD/out")
	[ "$got" = "rs1=3" ]
	log_test $? "$vip: requests through fq are answered (got: $got)"
done

# tc shows horizon_drops only once there are some
drops=$(dir_exec tc -s qdisc show dev rs1 |
	sed -n 's/.*horizon_drops \([0-9]*\).*/\1/p')
[ "${drops:-0}" = 0 ]
log_test $? "fq dropped nothing beyond its horizon (horizon_drops: ${drops:-0})"

exit $RET
