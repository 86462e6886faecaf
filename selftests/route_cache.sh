#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns          director ns                      real servers
#  10.0.1.2  -------  VIP 10.0.1.100:80 tcp -> rs1     --- rs1 10.0.11.2
#  fd00:1::2          [VIP6]:80 tcp -> rs1             ---     fd00:11::2
#                     VIP 10.0.1.100:53 udp -> rs2     --- rs2 10.0.12.2
#                     [VIP6]:53 udp -> rs2                     fd00:12::2
#
# The per-destination route cache (net/route.c) must follow the routing
# tables and must never hold a device:
#  - a prohibit route to the server, added after the route was cached, stops
#    forwarding (counted as no_route) and removing it restores it, for IPv4
#    and IPv6 (dst_check() on every packet);
#  - deleting a server from its service while a connection still holds it,
#    then deleting its link, completes at once (the unlink dropped the route);
#  - deleting the link of a server still in service completes at once (the
#    netdevice notifier dropped the routes), and the namespace goes away.
# A cached route left behind would leave "unregister_netdevice: waiting for"
# in dmesg and the link deletion hanging; both fail the test.  (On 6.1 and
# 6.12 the stack also moves FIB-owned routes off a departing device itself,
# dst_dev_put(), so the link checks guard the notifier and the unlink path
# against regressions; the prohibit-route checks fail without dst_check().)

. "$(dirname "$0")/lib.sh"

require_tools
load_impl
setup_nat_topology 2
start_servers -k -t 80 -u 53

ipvsadm_d -R <<-EOF || fail "cannot add the services"
	-A -t $VIP:80 -s rr
	-a -t $VIP:80 -r ${RS_IP[1]}:80 -m -w 1
	-A -t [$VIP6]:80 -s rr
	-a -t [$VIP6]:80 -r [${RS_IP6[1]}]:80 -m -w 1
	-A -u $VIP:53 -s rr
	-a -u $VIP:53 -r ${RS_IP[2]}:53 -m -w 1
	-A -u [$VIP6]:53 -s rr
	-a -u [$VIP6]:53 -r [${RS_IP6[2]}]:53 -m -w 1
EOF

# no_route: the director's no_route drop counter
no_route() {
	dir_exec awk '$1 == "no_route" { print $2 }' /proc/net/l4vs_drops
}

# requests WHAT EXPECT ADDR PORT [ARGS]: 3 requests, tallied as EXPECT
requests() {
	local what=$1 expect=$2 got

	shift 2
	client -n 3 -w 1000 "$@" >"$TMPD/out"
	got=$(tally "$TMPD/out")
	[ "$got" = "$expect" ]
	log_test $? "$what (got: $got)"
}

[ -n "$(no_route)" ] || fail "no no_route counter in /proc/net/l4vs_drops"

for fam in 4 6; do
	if [ $fam = 4 ]; then
		vip=$VIP rs=${RS_IP[1]}/32
	else
		vip=$VIP6 rs=${RS_IP6[1]}/128
	fi
	requests "IPv$fam: route cached, requests reach rs1" "rs1=3" "$vip" 80

	before=$(no_route)
	dir_exec ip -$fam route add prohibit "$rs" || fail "cannot add prohibit $rs"
	requests "IPv$fam: prohibit $rs: requests fail" "ERROR=3" "$vip" 80
	after=$(no_route)
	[ "$after" -gt "$before" ]
	log_test $? "IPv$fam: the failures count as no_route ($before -> $after)"

	dir_exec ip -$fam route del prohibit "$rs" || fail "cannot delete prohibit $rs"
	requests "IPv$fam: prohibit route gone: requests reach rs1 again" "rs1=3" "$vip" 80
done

# UDP flows to rs2 cache its routes (an IPv6 route holds its device until
# released); the server then leaves the services while the flows' entries
# still hold it.
for vip in "$VIP" "$VIP6"; do
	out=$(client -u -n 1 -w 1000 "$vip" 53)
	[[ $out == rs2* ]]
	log_test $? "UDP flow to $vip reaches rs2 (got: $out)"
done
ipvsadm_d -d -u "$VIP:53" -r "${RS_IP[2]}:53" &&
	ipvsadm_d -d -u "[$VIP6]:53" -r "[${RS_IP6[2]}]:53"
log_test $? "rs2 deleted from both UDP services"
conns=$(ipvsadm_d -Lnc | grep -c -e "${RS_IP[2]}:53" -e "${RS_IP6[2]}\]:53")
[ "$conns" -ge 2 ]
log_test $? "connection entries still hold rs2 ($conns)"

# link_del DEV: delete a director link, bounded: a held device never goes
link_del() {
	local t0 rc

	t0=$(now_ms)
	timeout 8 ip -n "$NS_DIR" link del "$1"
	rc=$?
	log_test $rc "link $1 deleted in $(($(now_ms) - t0)) ms (held by a route: hangs)"
	return $rc
}

link_del rs2 || fail "the director's rs2 link is stuck"

# rs1 is still in service, with IPv4 and IPv6 routes cached
requests "IPv4: rs1 still answers" "rs1=3" "$VIP" 80
requests "IPv6: rs1 still answers" "rs1=3" "$VIP6" 80
link_del rs1 || fail "the director's rs1 link is stuck"
requests "IPv4: rs1's link gone: requests fail" "ERROR=3" "$VIP" 80

if dmesg | grep -q "unregister_netdevice: waiting for"; then
	log_test 1 "no device left waiting for its references"
else
	log_test 0 "no device left waiting for its references"
fi

exit $RET
