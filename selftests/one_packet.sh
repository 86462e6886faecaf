#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns              director ns                        real servers
#  10.0.1.2   ---------   VIP 10.0.1.100:53 udp -s rr -o     --- rs1 10.0.11.2
#  one socket,            VIP 10.0.1.100:54 udp -s rr        --- rs2 10.0.12.2
#  one source port        (control: no -o), both -m (NAT)    --- rs3 10.0.13.2
#                                                              (log arrivals)
#
# One-packet scheduling: 9 datagrams from ONE UDP socket (one flow) to a -o
# service are scheduled one by one and arrive 3/3/3 at the real servers,
# all from the same client port, and no connection entry is kept.  The same
# 9 datagrams to the control service (no -o) all stick to one server.
# Answers through NAT are not rewritten with -o (as IPVS), so arrivals are
# counted at the servers, from vs_server's log.

. "$(dirname "$0")/lib.sh"

N=9

require_tools
load_impl
setup_nat_topology 3
: >"$TMPD/log"
start_servers -l "$TMPD/log" -u 53 -u 54

ipvsadm_d -R <<-EOF || fail "cannot add the services"
	-A -u $VIP:53 -s rr -o
	-a -u $VIP:53 -r ${RS_IP[1]}:53 -m -w 1
	-a -u $VIP:53 -r ${RS_IP[2]}:53 -m -w 1
	-a -u $VIP:53 -r ${RS_IP[3]}:53 -m -w 1
EOF
add_nat_service -u "$VIP:54" || fail "cannot add the control service"

nlines() {
	local n=0 line

	while read -r line; do
		n=$((n + 1))
	done <"$TMPD/log"
	[ "$n" -ge "$1" ]
}

out=$(client -u -f -x -n $N "$VIP" 53)
[ "$out" = "sent $N" ] || fail "client could not send: $out"
wait_until 10 nlines $N
nap 0.5		# anything beyond N would be a bug too
cp "$TMPD/log" "$TMPD/log53"
got=$(tally "$TMPD/log53")
[ "$got" = "rs1=3 rs2=3 rs3=3" ]
log_test $? "-o: $N datagrams of one flow arrive rs1=3 rs2=3 rs3=3 (got: $got)"

ports=$(while read -r _ peer port; do echo "$peer:$port"; done <"$TMPD/log53" | sort -u)
[ "$(wc -l <<<"$ports")" = 1 ] && [ "${ports%:*}" = "$CLI_IP" ]
log_test $? "-o: all from one client address and port (got: ${ports//$'\n'/ })"

conns=$(ipvsadm_d -Lnc)
! grep -qE "^UDP .* $VIP:53 " <<<"$conns"
log_test $? "-o: no connection entry for VIP:53"

inpkts=$(ipvsadm_d -Ln --stats -u "$VIP:53" | awk '$1 == "UDP" { print $3 "/" $4 }')
[ "$inpkts" = "$N/$N" ]
log_test $? "-o: service counts $N conns and $N packets in (got: $inpkts)"

# control: without -o the flow sticks to one server
: >"$TMPD/log"
out=$(client -u -f -x -n $N "$VIP" 54)
[ "$out" = "sent $N" ] || fail "client could not send: $out"
wait_until 10 nlines $N
nap 0.5
got=$(tally "$TMPD/log")
[[ $got =~ ^rs[1-3]=$N$ ]]
log_test $? "no -o: the $N datagrams of one flow stay on one server (got: $got)"

exit $RET
