#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scenario 6, flood: 1,000 established UDP flows (pktgen, service VIP:53 on
# rs0) are measured before, during and after a SYN flood from spoofed
# sources (synflood, service VIP:80 on rs1) at twice the new-connection rate
# measured by table.sh (BENCH_FLOOD_RATE overrides).  l4vs runs with
# net.l4vs.conn_max = BENCH_CONN_MAX; ip_vs, which has no such limit, runs
# as it comes.  Meanwhile the director pings bmon over mon0 five times a
# second: a balancer that starved the namespace would lose those.
BENCH_DIR=${BASH_SOURCE[0]%/*}
. "$BENCH_DIR/lib.sh"
. "$BENCH_DIR/params.sh"

[ -x "$SYNFLOOD" ] || fail "$SYNFLOOD not built"
modprobe pktgen || fail "no pktgen"
topo_up || fail "topology"
trap topo_down EXIT
pg_dev || fail "pktgen device"

rate=${BENCH_FLOOD_RATE:-}
if [ -z "$rate" ]; then
	cps=$(median $(awk -F, '$1 == "newconn" && $2 == "l4vs" && $3 == "empty" { print $6 }' \
		"$BENCH_CSV" 2>/dev/null))
	rate=$((2 * ${cps:-0}))
	[ "$rate" -gt 0 ] || rate=10000
fi
secs=$BENCH_FLOOD_SECS

# pps_window SECS: pps on rs0 over SECS while pktgen already runs
pps_window() {
	local p0 p1 t0 t1

	p0=$(tx_packets rs0); t0=${EPOCHREALTIME/./}
	nap "$1"
	p1=$(tx_packets rs0); t1=${EPOCHREALTIME/./}
	echo $(((p1 - p0) * 1000000 / (t1 - t0)))
}

one_impl() {
	local impl=$1 var cache before during m0 mmin m a maxa fl_pid ping_pid
	local t_end t rec pps loss out sent p0 t0 settled

	use_impl "$impl" || return 1
	adm "$impl" -C
	adm "$impl" -A -u $B_VIP:53 -s rr &&
	adm "$impl" -a -u $B_VIP:53 -r $B_RS_UDP:53 -m &&
	adm "$impl" -A -t $B_VIP:80 -s rr &&
	adm "$impl" -a -t $B_VIP:80 -r $B_RS_TCP:80 -m || return 1
	if [ "$impl" = l4vs ]; then
		var=conn_max=$BENCH_CONN_MAX
		cache=l4vs_conn
		ip netns exec $NS_D sysctl -qw net.l4vs.conn_max="$BENCH_CONN_MAX" ||
			{ blog "cannot set net.l4vs.conn_max"; return 1; }
	else
		var=no_limit
		cache=ip_vs_conn
	fi
	out=$BENCH_OUT/flood-$impl
	mkdir -p "$out"

	pg_flows $B_VIP 53 10.0.1.2 10.0.1.2 50000 50999 0 || return 1
	pg_start
	nap "$BENCH_WARM"
	before=$(pps_window "$BENCH_WIN")
	m0=$(mem_available_kb)
	mmin=$m0
	maxa=0

	ip netns exec $NS_D ping -n -q -i 0.2 -w $((secs + 2)) 10.0.9.2 >"$out/ping.txt" 2>&1 &
	ping_pid=$!
	ip netns exec $NS_C taskset -c 1 "$SYNFLOOD" -d $B_VIP -p 80 -r "$rate" \
		-n $((rate * secs)) -t "$secs" >"$out/synflood.txt" 2>&1 &
	fl_pid=$!
	# skip the first second (the flood ramps up), then sample every second
	nap 1
	p0=$(tx_packets rs0); t0=${EPOCHREALTIME/./}
	while kill -0 "$fl_pid" 2>/dev/null; do
		nap 1
		m=$(mem_available_kb)
		[ "$m" -lt "$mmin" ] && mmin=$m
		read -r a _ <<<"$(slab_info $cache)"
		[ "$a" -gt "$maxa" ] && maxa=$a
	done
	during=$((($(tx_packets rs0) - p0) * 1000000 / (${EPOCHREALTIME/./} - t0)))
	wait "$fl_pid"
	t_end=${EPOCHREALTIME/./}
	# the slab also counts entries dropped early and still waiting for
	# their RCU grace period: a second after the flood, those are gone
	nap 1
	read -r settled _ <<<"$(slab_info $cache)"
	# recovery: first half-second window back at 90% of the rate before,
	# counted from the end of the flood
	rec=-1
	while :; do
		pps=$(pps_window 0.5)
		t=${EPOCHREALTIME/./}
		if [ $((pps * 10)) -ge $((before * 9)) ]; then
			rec=$(((t - t_end) / 1000))
			break
		fi
		[ $((t - t_end)) -gt 30000000 ] && break
	done
	pg_stop
	wait "$ping_pid"
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$out/ping.txt")
	sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$out/synflood.txt")
	record flood "$impl" "$var" syn_rate_target 1 "$rate"
	record flood "$impl" "$var" syn_sent 1 "${sent:-0}"
	record flood "$impl" "$var" pps_before 1 "$before"
	record flood "$impl" "$var" pps_during 1 "$during"
	record flood "$impl" "$var" during_over_before_pct 1 $((before > 0 ? during * 100 / before : 0))
	record flood "$impl" "$var" mem_growth_kb 1 $((m0 - mmin))
	record flood "$impl" "$var" max_conn_objs 1 "$maxa"
	record flood "$impl" "$var" conn_objs_after 1 "$settled"
	record flood "$impl" "$var" conn_max 1 "$([ "$impl" = l4vs ] && echo "$BENCH_CONN_MAX" || echo 0)"
	record flood "$impl" "$var" recovery_ms 1 "$rec"
	record flood "$impl" "$var" ping_loss_pct 1 "${loss:-100}"
	adm "$impl" -C
}

rc=0
for impl in ${BENCH_FLOOD_IMPLS:-l4vs ipvs}; do
	blog "flood: $impl at $rate SYN/s for ${secs}s"
	one_impl "$impl" || { blog "flood: $impl failed"; rc=1; }
done
use_impl plain
exit $rc
