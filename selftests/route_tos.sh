#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns            director ns                         rs1 ns
#  10.0.1.2  -------  VIP 10.0.1.100:5353 udp -m -> rs1 --- 10.0.11.2
#  one UDP flow,
#  TOS 0x00, 0x10, 0x00, 0x10, ...
#
# The director caches its route to each real server (net/route.c).  The
# cache must not be keyed by anything the client chooses: a client that
# alternates its DSCP/TOS on every datagram of one flow must not force a
# routing lookup per packet.  Counted with the fib:fib_table_lookup
# tracepoint: output lookups (iif 1, loopback) towards rs1 while 20
# datagrams of one flow cross the director; the route is looked up once
# (a few events: one per routing table tried), not 20 times.

. "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
DGRAM=$SELFTESTS_DIR/tools/vs_dgram.py
PORT=5353
N=20
TR=/sys/kernel/tracing

require_tools "$PYTHON"
load_impl
[ -d "$TR/events" ] || mount -t tracefs nodev "$TR" 2>/dev/null
[ -d "$TR/events/fib/fib_table_lookup" ] || skip "no fib_table_lookup tracepoint"
setup_nat_topology 1

rm -f "$TMPD/rs1.ready"
bg ip netns exec "${NS_RS[1]}" "$PYTHON" "$DGRAM" serve rs1 $PORT \
	--ready "$TMPD/rs1.ready"
wait_until 30 test -e "$TMPD/rs1.ready" || fail "rs1 did not start"

ipvsadm_d -R <<-EOF || fail "cannot add the service"
	-A -u $VIP:$PORT -s rr
	-a -u $VIP:$PORT -r ${RS_IP[1]}:$PORT -m -w 1
EOF

# warm up: the route is cached after the first datagram
out=$(cli_exec "$PYTHON" "$DGRAM" send "$VIP" $PORT)
[[ $out == "rs1 "* ]]
log_test $? "a first datagram reaches rs1 (got: $out)"

echo 0 >"$TR/tracing_on"
echo >"$TR/trace"
echo 1 >"$TR/events/fib/fib_table_lookup/enable"
defer "echo 0 >$TR/events/fib/fib_table_lookup/enable"
echo 1 >"$TR/tracing_on"
cli_exec "$PYTHON" "$DGRAM" send "$VIP" $PORT --count $N --tos 0,0x10 >"$TMPD/out"
echo 0 >"$TR/tracing_on"
echo 0 >"$TR/events/fib/fib_table_lookup/enable"

got=$(tally "$TMPD/out")
[ "$got" = "rs1=$N" ]
log_test $? "$N datagrams with alternating TOS all answered (got: $got)"

# the tracepoint works: the real server's and the client's own lookups
total=$(grep -c "fib_table_lookup" "$TR/trace")
[ "$total" -gt 0 ]
log_test $? "the tracepoint recorded route lookups ($total)"
lookups=$(grep -c " iif 1 .* -> ${RS_IP[1]}/" "$TR/trace")
[ "$lookups" -le 4 ]
log_test $? "$N datagrams cost at most 4 route lookups towards rs1 (got: $lookups)"
echo >"$TR/trace"

exit $RET
