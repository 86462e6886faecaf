#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns              director ns                     real servers
#  10.0.1.2   ---------   VIP 10.0.1.100:80 udp -s rr     --- rs1 10.0.11.2 udp 80
#                         VIP 10.0.1.100:90 udp -s rr     --- rs2 10.0.12.2 udp 80
#                         -m (NAT) to :80 / :90           (nobody listens on 90)
#
# ICMP errors about balanced connections: a UDP request through NAT to a
# real server port where nothing listens makes the real server answer
# "port unreachable" about the rewritten packet; the director must
# translate it back (source VIP, inner header VIP:port) so that the
# client's connected socket reports "Connection refused".  The same client
# still reaches the working service afterwards.

. "$(dirname "$0")/lib.sh"

require_tools
load_impl
setup_nat_topology 2
start_servers -u 80

add_nat_service -u "$VIP:80" || fail "cannot add the UDP service"
add_nat_service -u "$VIP:90" || fail "cannot add the dead UDP service"

client -u -n 4 -w 1000 "$VIP" 90 >"$TMPD/dead"
got=$(tally "$TMPD/dead")
[ "$got" = "ERROR=4" ] && [ "$(grep -c 'ERROR Connection refused' "$TMPD/dead")" = 4 ]
log_test $? "UDP to a closed real server port: 4x Connection refused (got: $(sort "$TMPD/dead" | uniq -c | tr -s ' \n' ' '))"

# both real servers were tried, so the refusal came from each of them
conns=$(ipvsadm_d -Lnc)
for i in 1 2; do
	grep -qE "^UDP .* $CLI_IP:[0-9]+ +$VIP:90 +${RS_IP[i]//./\\.}:90 *\$" <<<"$conns"
	log_test $? "-Lnc: a VIP:90 entry for rs$i"
done

client -u -n 4 -w 2000 "$VIP" 80 >"$TMPD/live"
got=$(tally "$TMPD/live")
[ "$got" = "rs1=2 rs2=2" ]
log_test $? "the working UDP service still answers rs1=2 rs2=2 (got: $got)"

exit $RET
