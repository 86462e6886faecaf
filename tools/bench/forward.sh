#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scenario 1, forwarding cost: 64-byte UDP from pktgen through the director,
# 1 and 1,000 flows, counted on the director's egress (rs0).  Variants:
# plain routing (to the real server's address), then ip_vs and l4vs with a
# one-server UDP service in NAT, DR and TUN.  Each repetition visits every
# variant, in a rotated order, so slow drifts of the host hit all of them.
BENCH_DIR=${BASH_SOURCE[0]%/*}
. "$BENCH_DIR/lib.sh"
. "$BENCH_DIR/params.sh"

modprobe pktgen || fail "no pktgen"
topo_up || fail "topology"
trap topo_down EXIT
pg_dev || fail "pktgen device"

impls=(plain ipvs l4vs)
declare -A mode_base=([nat]=10000 [dr]=20000 [tun]=30000)

# one_run IMPL VARIANT DST SPORT_MIN SPORT_MAX REP
one_run() {
	local pps sent

	pg_flows "$3" 53 10.0.1.2 10.0.1.2 "$4" "$5" 0 || return 1
	read -r pps sent <<<"$(measure_pps rs0 "$BENCH_WARM" "$BENCH_WIN")"
	record forward "$1" "$2" pps "$6" "$pps"
	record forward "$1" "$2" sent_pps "$6" "$sent"
}

rc=0
for ((rep = 1; rep <= BENCH_REPS; rep++)); do
	for ((k = 0; k < 3; k++)); do
		impl=${impls[(rep - 1 + k) % 3]}
		blog "forward: rep $rep $impl"
		use_impl "$impl" || { blog "cannot switch to $impl"; rc=1; continue; }
		if [ "$impl" = plain ]; then
			one_run plain 1 $B_RS_UDP 9000 9000 "$rep" || rc=1
			one_run plain 1000 $B_RS_UDP 9000 9999 "$rep" || rc=1
			continue
		fi
		for mode in nat dr tun; do
			b=${mode_base[$mode]}
			adm "$impl" -C
			adm "$impl" -A -u $B_VIP:53 -s rr &&
			adm "$impl" -a -u $B_VIP:53 -r $B_RS_UDP:53 "$(fwd_flag $mode)" ||
				{ blog "$impl $mode: configuration failed"; rc=1; continue; }
			# fresh source ports per mode: an entry of the previous
			# mode would point at a server that is gone
			one_run "$impl" "$mode-1" $B_VIP "$b" "$b" "$rep" || rc=1
			one_run "$impl" "$mode-1000" $B_VIP $((b + 1000)) $((b + 1999)) "$rep" || rc=1
		done
		adm "$impl" -C
	done
done
use_impl plain
exit $rc
