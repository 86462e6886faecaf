#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Not one of the six scenarios: where the forwarding time goes.  For ip_vs
# and l4vs in NAT and DR with 1,000 flows (as forward.sh), samples every CPU
# with perf (cpu-clock) while pktgen sends, and writes the hottest kernel
# symbols to $BENCH_OUT/profile-IMPL-MODE.txt, with the rate measured
# alongside.  Run it with BENCH_SCENARIOS=profile tools/bench/bench.sh.
BENCH_DIR=${BASH_SOURCE[0]%/*}
. "$BENCH_DIR/lib.sh"
. "$BENCH_DIR/params.sh"

PERF=${PERF:-$(command -v perf)}
[ -x "$PERF" ] || fail "perf is needed (Debian: linux-perf)"
modprobe pktgen || fail "no pktgen"
topo_up || fail "topology"
trap topo_down EXIT
pg_dev || fail "pktgen device"

# profile IMPL MODE DST SPORT: one variant (plain: no balancer)
profile() {
	local impl=$1 mode=$2 out=$BENCH_OUT/profile-$1-$2 pps sent

	pg_flows "$3" 53 10.0.1.2 10.0.1.2 "$4" $(($4 + 999)) 0 || return 1
	read -r pps sent <<<"$(measure_pps rs0 "$BENCH_WARM" "$BENCH_WIN")"
	pg_start
	nap "$BENCH_WARM"
	"$PERF" record -q -e cpu-clock -a -o "$out.data" -- sleep "$BENCH_WIN" 2>/dev/null
	pg_stop
	{
		echo "# $impl $mode 1000 flows: $pps pps"
		"$PERF" report -i "$out.data" --stdio --no-children --sort sym \
			--percent-limit 0.3 2>/dev/null | grep -v '^$'
	} >"$out.txt"
	rm -f "$out.data"
	record profile "$impl" "$mode-1000" pps 1 "$pps"
	record profile "$impl" "$mode-1000" sent_pps 1 "$sent"
}

rc=0
use_impl plain && profile plain route $B_RS_UDP 10000 || rc=1
for impl in ipvs l4vs; do
	use_impl "$impl" || { rc=1; continue; }
	# fresh source ports per mode: an entry of the previous mode would
	# point at a server that is gone
	port=20000
	for mode in nat dr; do
		adm "$impl" -C
		adm "$impl" -A -u $B_VIP:53 -s rr &&
		adm "$impl" -a -u $B_VIP:53 -r $B_RS_UDP:53 "$(fwd_flag $mode)" &&
		profile "$impl" "$mode" $B_VIP $port || rc=1
		port=$((port + 1000))
	done
	adm "$impl" -C
done
use_impl plain
exit $rc
