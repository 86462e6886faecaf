#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns              director ns                  real servers
#  10.0.1.2   ---------   VIP 10.0.1.100:80 (tcp, udp)  --- rs1 10.0.11.2
#  fd00:1::2              VIP fd00:1::100:80 (tcp)      --- rs2 10.0.12.2
#                         -s rr, -m (NAT), weight 1     --- rs3 10.0.13.2
#
# NAT round robin: 30 requests to each service, every one a new connection
# (TCP) or a new source port (UDP), land exactly 10/10/10, and every
# backend sees the real client address.  The service counters agree.

. "$(dirname "$0")/lib.sh"

N=30
EXPECT="rs1=10 rs2=10 rs3=10"

require_tools
load_impl
setup_nat_topology 3
start_servers -k -t 80 -u 80

add_nat_service -t "$VIP:80" || fail "cannot add the TCP service"
add_nat_service -u "$VIP:80" || fail "cannot add the UDP service"
add_nat_service -t "[$VIP6]:80" || fail "cannot add the IPv6 TCP service"

check_spread tcp "$CLI_IP" "$VIP" 80
check_spread udp "$CLI_IP" -u "$VIP" 80
check_spread tcp6 "$CLI_IP6" "$VIP6" 80

# The service's connection counter must have counted every TCP request.
conns=$(ipvsadm_d -Ln --stats -t "$VIP:80" | awk '$1 == "TCP" { print $3 }')
[ "$conns" = "$N" ]
log_test $? "TCP service counted $N connections (got: ${conns:-none})"

exit $RET
