#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns          director ns                      real servers
#  10.0.1.2  -------  VIP 10.0.1.100:80 tcp -s rr -m   --- rs1 10.0.11.2
#  one long TCP                                        --- rs2 10.0.12.2
#  connection
#
# A real server removed and added back (a health checker's flap) gets its
# connections back, as with IPVS: one long-lived TCP connection exchanging
# every 200 ms loses its server for a moment (its packets are dropped and
# counted as dest_gone meanwhile), then carries on with the same server, no
# exchange failed and no reconnect.  TCP's retransmissions back off (0.2,
# 0.6, 1.4, 3, 6.2 s), so on a loaded host where the gap lasts seconds the
# answer can take over 6 s: the client waits up to 20.  The client runs
# until the test stops it, a few answers after the server is back: a fixed
# duration could end before the gap on a loaded host (setup took 8 s once).
# Afterwards the server counts the connection as active again.  A server
# removed for good still lets new connections go to the others.

. "$(dirname "$0")/lib.sh"

require_tools
load_impl
setup_nat_topology 2
start_servers -k -t 80
add_nat_service -t "$VIP:80" || fail "cannot add the service"

dest_gone() {
	dir_exec awk '$1 == "dest_gone" { print $2 }' /proc/net/l4vs_drops
}

# the server the long connection landed on, from -Lnc
long_server() {
	ipvsadm_d -Lnc | awk -v c="$CLI_IP" '$1 == "TCP" && $3 == "ESTABLISHED" &&
		index($4, c ":") == 1 { sub(/:80$/, "", $6); print $6; exit }'
}

long_start "$TMPD/long" -i 200 -w 20000 "$VIP" 80
long_pid=$LONG_PID
long_up() {
	[ -n "$(long_server)" ]
}
wait_until 10 long_up
rs=$(long_server)
[ -n "$rs" ]
log_test $? "the long connection is established (server ${rs:-none})"
[ -n "$rs" ] || exit "$RET"

before=$(dest_gone)
t_gap=$(now_ms)
ipvsadm_d -d -t "$VIP:80" -r "$rs:80"
log_test $? "remove $rs:80 while the connection is open"
# let the connection's packets hit the gap: wait until some are dropped
dropped() {
	[ "$(dest_gone)" -gt "$before" ]
}
wait_until 5 dropped
log_test $? "its packets are dropped meanwhile (dest_gone $before -> $(dest_gone))"
ipvsadm_d -a -t "$VIP:80" -r "$rs:80" -m -w 1
log_test $? "add $rs:80 back ($(($(now_ms) - t_gap)) ms after removing it)"

# five more answers after the server came back
long_stop "$long_pid" "$TMPD/long" 5
summary=$(tail -n 1 "$TMPD/long")
[[ $summary =~ fail=0\ reconnects=0\ changes=0 ]] && [[ $summary =~ ok=[1-9] ]]
log_test $? "the connection carried on with its server ($summary)"

active=$(ipvsadm_d -Ln | awk -v r="$rs:80" '$1 == "->" && $2 == r { print $5 + $6 }')
[ "${active:-0}" -ge 1 ]
log_test $? "$rs counts the connection again (active+inactive: ${active:-none})"

# removed for good: new connections go to the other server only
ipvsadm_d -d -t "$VIP:80" -r "$rs:80"
client -n 4 "$VIP" 80 >"$TMPD/after"
got=$(tally "$TMPD/after")
other=rs1
[ "$rs" = "${RS_IP[1]}" ] && other=rs2
[ "$got" = "$other=4" ]
log_test $? "removed again: new connections go to the other server (got: $got)"

exit $RET
