#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns          director ns                    real servers
#  10.0.1.2  -------  VIP 10.0.1.100:80 tcp + udp    --- rs1 10.0.11.2
#                     -s rr -m                       --- rs2 10.0.12.2  (deleted)
#                                                    --- rs3 10.0.13.2
#
# Deleting a real server: it disappears from -Ln (from that service only),
# and new connections spread evenly over the ones left.

. "$(dirname "$0")/lib.sh"

require_tools
load_impl
setup_nat_topology 3
start_servers -k -t 80 -u 80
add_nat_service -t "$VIP:80" || fail "cannot add the TCP service"
add_nat_service -u "$VIP:80" || fail "cannot add the UDP service"

client -n 6 "$VIP" 80 >"$TMPD/before"
got=$(tally "$TMPD/before")
[ "$got" = "rs1=2 rs2=2 rs3=2" ]
log_test $? "before: tcp spread over 3 servers (got: $got)"

rs2=${RS_IP[2]}:80
ipvsadm_d -d -t "$VIP:80" -r "$rs2"
log_test $? "delete $rs2 from the TCP service"

ipvsadm_d -Ln >"$TMPD/list"
tcp_dests=$(awk '$1 == "TCP" { s = 1; next } $1 == "UDP" { s = 0 }
	s && $1 == "->" && $2 != "RemoteAddress:Port" { print $2 }' "$TMPD/list" | sort | xargs)
udp_dests=$(awk '$1 == "UDP" { s = 1; next } $1 == "TCP" { s = 0 }
	s && $1 == "->" && $2 != "RemoteAddress:Port" { print $2 }' "$TMPD/list" | sort | xargs)
[ "$tcp_dests" = "${RS_IP[1]}:80 ${RS_IP[3]}:80" ]
log_test $? "-Ln: the TCP service lists rs1 and rs3 only (got: $tcp_dests)"
[ "$udp_dests" = "${RS_IP[1]}:80 ${RS_IP[2]}:80 ${RS_IP[3]}:80" ]
log_test $? "-Ln: the UDP service still lists all three (got: $udp_dests)"

client -n 10 "$VIP" 80 >"$TMPD/after"
got=$(tally "$TMPD/after")
[ "$got" = "rs1=5 rs3=5" ]
log_test $? "after: tcp spread over rs1 and rs3 (got: $got)"

client -u -n 9 "$VIP" 80 >"$TMPD/udp"
got=$(tally "$TMPD/udp")
[ "$got" = "rs1=3 rs2=3 rs3=3" ]
log_test $? "udp still spread over all three (got: $got)"

ipvsadm_d -d -u "$VIP:80" -r "${RS_IP[1]}:80" &&
	ipvsadm_d -d -u "$VIP:80" -r "${RS_IP[3]}:80"
log_test $? "delete rs1 and rs3 from the UDP service"
client -u -n 4 "$VIP" 80 >"$TMPD/udp1"
got=$(tally "$TMPD/udp1")
[ "$got" = "rs2=4" ]
log_test $? "udp now all to rs2 (got: $got)"

exit $RET
