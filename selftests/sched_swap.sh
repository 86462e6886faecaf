#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ---- director (VIP:80, NAT) ---- rs1, rs2, rs3
#   long-lived TCP connection + new connections while the service's
#   scheduler is switched through every algorithm with `l4vsadm -E -s`
#
# Every scheduler module loads on demand from l4vsadm, the switch is visible
# in -Ln, new connections keep being served after each switch, the
# long-lived connection never breaks, and a scheduler in use cannot be
# unloaded.

. "$(dirname "$0")/lib.sh"

SCHEDS="rr wrr lc wlc sed nq sh dh mh fo ovf lblc lblcr twos"

require_tools
load_impl
[ -x "$L4VSADM" ] || skip "l4vsadm is not built"
dmesg_mark "sched_swap-$$"
setup_nat_topology 3
start_servers -k -t 80
add_nat_service -t "$VIP:80"
log_test $? "NAT service configured"

bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -i 100 -d 300 -w 1000 "$VIP" 80 >"$TMPD/long"
LONG_PID=$BG_PID
wait_until 20 grep -q '^connected ' "$TMPD/long"
log_test $? "long-lived connection up"

pfx=l4vs
[ "$L4VS_IMPL" = ipvs ] && pfx=ip_vs
for s in $SCHEDS; do
	dir_exec "$L4VSADM" -E -t "$VIP:80" -s "$s"
	log_test $? "l4vsadm -E -s $s"
	got=$(dir_exec "$L4VSADM" -Ln | awk -v v="$VIP:80" '$2 == v { print $3 }')
	[ "$got" = "$s" ]
	log_test $? "-Ln shows scheduler $s (got: $got)"
	client -n 3 "$VIP" 80 >"$TMPD/new.$s"
	n=$(grep -c '^rs' "$TMPD/new.$s")
	[ "$n" = 3 ]
	log_test $? "$s: 3 new connections served (got $n)"
	# refused, and still there: a module that was never loaded would
	# make the refusal meaningless
	module_loaded "${pfx}_$s" && ! modprobe -r "${pfx}_$s" 2>/dev/null &&
		module_loaded "${pfx}_$s"
	log_test $? "${pfx}_$s is loaded and cannot be unloaded while the service uses it"
done

kill "$LONG_PID" 2>/dev/null
wait "$LONG_PID" 2>/dev/null
summary=$(grep '^ok=' "$TMPD/long")
fails=$(sed -n 's/.*fail=\([0-9]*\).*/\1/p' <<<"$summary")
[ -n "$fails" ] && [ "$fails" = 0 ]
log_test $? "long-lived connection never failed ($summary)"

check_dmesg "sched_swap-$$"
log_test $? "kernel log clean"
exit $RET
