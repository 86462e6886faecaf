#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns          director ns                        real server
#  10.0.1.2  -------  VIP 10.0.1.100:53 udp, -m    ---   rs1 10.0.11.2
#                     --set 900 120 5
#
# A UDP connection entry lives for the UDP timeout: after --set 900 120 5
# one request creates an entry that is gone about 5 s later (not at once,
# and not much later either: expiry is polled with a bound).

. "$(dirname "$0")/lib.sh"

UDP_TO=5
# the entry may outlive its timer by a garbage collector period or so
SLACK=8

require_tools
load_impl
setup_nat_topology 1
start_servers -u 53
add_nat_service -u "$VIP:53" || fail "cannot add the service"
ipvsadm_d --set 900 120 $UDP_TO || fail "cannot set timeouts"

got=$(ipvsadm_d -L --timeout)
[ "$got" = "Timeout (tcp tcpfin udp): 900 120 $UDP_TO" ]
log_test $? "--timeout shows 900 120 $UDP_TO (got: $got)"

udp_entries() {
	ipvsadm_d -Lnc | awk '$1 == "UDP"' >"$TMPD/conns"
	[ -s "$TMPD/conns" ]
}

t0=$(now_ms)
client -u -n 1 "$VIP" 53 >"$TMPD/out"
log_test $? "udp request answered ($(cat "$TMPD/out"))"

udp_entries
log_test $? "an entry appears: $(cat "$TMPD/conns")"
read -r _ expire _ <"$TMPD/conns"
secs=$((10#${expire%%:*} * 60 + 10#${expire##*:}))
[ "$secs" -le "$UDP_TO" ]
log_test $? "its timer is within the UDP timeout ($expire)"

gone() {
	! udp_entries
}
wait_until $((UDP_TO + SLACK)) gone
rc=$?
ms=$(($(now_ms) - t0))
log_test $rc "the entry is gone within $((UDP_TO + SLACK)) s (after ${ms} ms)"
[ "$ms" -ge $(((UDP_TO - 1) * 1000)) ]
log_test $? "the entry lived about its timeout, not less (${ms} ms)"

exit $RET
