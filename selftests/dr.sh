#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#                    one bridge (lan ns), 10.0.1.0/24, fd00:1::/64
#   ---+----------------------+----------------+--------------+-----------
#      |                      |                |              |
#   client               director            rs1 .11        rs2 .12  rs3 .13
#   10.0.1.2             10.0.1.1            VIP, VIP6 on lo, arp_ignore=1,
#   fd00:1::2            VIP 10.0.1.100      arp_announce=2; answer the client
#                        VIP6 fd00:1::100    directly (not via the director)
#                        -s rr, -g (DR)
#
# Direct routing: the director only rewrites the destination MAC; the real
# servers get the packet still addressed to the VIP and reply straight to
# the client.  TCP and UDP over IPv4 and IPv6, 15 requests each, every one a
# new connection (TCP) or source port (UDP): the spread must be exactly
# 5/5/5 and every backend must see the client's own address.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

N=15
EXPECT="rs1=5 rs2=5 rs3=5"

require_tools
load_impl
setup_lan_topology 3
start_servers -k -t 80 -u 80

rules=
for vs in "-t $VIP:80" "-u $VIP:80" "-t [$VIP6]:80" "-u [$VIP6]:80"; do
	rules+="-A $vs -s rr"$'\n'
	for ((i = 1; i <= NUM_RS; i++)); do
		if [ "${vs:3:1}" = "[" ]; then
			rules+="-a $vs -r [${RS_IP6[i]}]:80 -g -w 1"$'\n'
		else
			rules+="-a $vs -r ${RS_IP[i]}:80 -g -w 1"$'\n'
		fi
	done
done
ipvsadm_d -R <<<"$rules" || fail "cannot add the DR services"

wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"
lan_vip_mac_is_director
log_test $? "the client resolves the VIP to the director's MAC"

check_spread tcp "$CLI_IP" "$VIP" 80
check_spread udp "$CLI_IP" -u "$VIP" 80
check_spread tcp6 "$CLI_IP6" "$VIP6" 80
check_spread udp6 "$CLI_IP6" -u "$VIP6" 80

# Direct routing keeps the VIP as destination: no real server may have
# answered ARP for it, and the director must have scheduled every request.
lan_vip_mac_is_director
log_test $? "after the traffic the client still maps the VIP to the director"

conns=$(ipvsadm_d -Ln --stats -t "$VIP:80" | awk '$1 == "TCP" { print $3 }')
[ "$conns" = "$N" ]
log_test $? "TCP service counted $N connections (got: ${conns:-none})"

# Replies bypass the director: its outgoing packet counter for the TCP
# service must stay 0 (IPVS counts no replies for -g).
outpkts=$(ipvsadm_d -Ln --stats -t "$VIP:80" | awk '$1 == "TCP" { print $5 }')
[ "$outpkts" = 0 ]
log_test $? "no reply crossed the director (OutPkts ${outpkts:-none})"

exit $RET
