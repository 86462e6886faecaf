#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scenario 6, flood: 1,000 established UDP flows (pktgen, service VIP:53 on
# rs0) are measured before, during and after a flood of forged flows from
# spoofed sources (synflood, pinned to the second CPU, as fast as it goes
# unless BENCH_FLOOD_RATE sets packets per second), while a legitimate
# client in bcli opens one TCP connection after the other to VIP:8080 (NAT
# to bweb, a real server that answers) and counts how many succeed.  One
# run per flood kind (BENCH_FLOOD_KINDS):
#
#   syn     SYNs to VIP:80, NAT to rs1's sink (never answered)
#   synack  SYN + blind ACK to VIP:80, direct routing to rs1's sink
#   sctp    INIT + COOKIE_ECHO + DATA to SCTP VIP:80, direct routing
#   udp     one datagram per source to UDP VIP:5353, NAT to bweb, which
#           answers every one (an answered flood)
#
# l4vs runs with net.ipv4.vs.conn_max = BENCH_CONN_MAX; ip_vs, which has no
# such limit, runs as it comes.  Meanwhile the director pings bmon over
# mon0 five times a second: a balancer that starved the namespace would
# lose those.
#
#   bcli -- bdir -- rs0/rs1 -- bsink       (lib.sh's topology)
#             |---- rs2 ----- bweb 10.0.4.2 (vs_server: TCP 8080, UDP 5353)
BENCH_DIR=${BASH_SOURCE[0]%/*}
. "$BENCH_DIR/lib.sh"
. "$BENCH_DIR/params.sh"

NS_W=bweb
B_WEB=10.0.4.2
VS_SERVER=$REPO/selftests/tools/vs_server
VS_CLIENT=$REPO/selftests/tools/vs_client
WEB_PID=

[ -x "$SYNFLOOD" ] || fail "$SYNFLOOD not built"
[ -x "$VS_SERVER" ] && [ -x "$VS_CLIENT" ] || fail "selftests/tools not built (make -C selftests)"
modprobe pktgen || fail "no pktgen"
modprobe sctp 2>/dev/null	# ip_vs's SCTP support; l4vs needs none

web_down() {
	[ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null
	WEB_PID=
	ip netns del "$NS_W" 2>/dev/null
	topo_down
}

# web_up: a real server that answers, behind the director's rs2.
web_up() {
	ip netns add $NS_W &&
	ip link add eth0 netns $NS_W type veth peer name rs2 netns $NS_D || return 1
	ip -n $NS_D -batch - <<-EOF || return 1
		link set rs2 up
		addr add 10.0.4.1/24 dev rs2
	EOF
	ip -n $NS_W -batch - <<-EOF || return 1
		link set lo up
		link set eth0 up
		addr add $B_WEB/24 dev eth0
		route add default via 10.0.4.1
	EOF
	rm -f "$BENCH_OUT/web.ready"
	ip netns exec $NS_W "$VS_SERVER" -n web -r "$BENCH_OUT/web.ready" -t 8080 -u 5353 &
	WEB_PID=$!
	wait_until 20 test -e "$BENCH_OUT/web.ready"
}

topo_up || fail "topology"
trap web_down EXIT
web_up || fail "web server"
pg_dev || fail "pktgen device"

rate=${BENCH_FLOOD_RATE:-10000000}
secs=$BENCH_FLOOD_SECS

# pps_window SECS: pps on rs0 over SECS while pktgen already runs
pps_window() {
	local p0 p1 t0 t1

	p0=$(tx_packets rs0); t0=${EPOCHREALTIME/./}
	nap "$1"
	p1=$(tx_packets rs0); t1=${EPOCHREALTIME/./}
	echo $(((p1 - p0) * 1000000 / (t1 - t0)))
}

# flood_service IMPL KIND: the service the flood aims at; prints synflood's
# port and kind arguments.
flood_service() {
	case $2 in
	syn)	adm "$1" -A -t $B_VIP:80 -s rr &&
		adm "$1" -a -t $B_VIP:80 -r $B_RS_TCP:80 -m && echo "80" ;;
	synack)	adm "$1" -A -t $B_VIP:80 -s rr &&
		adm "$1" -a -t $B_VIP:80 -r $B_RS_TCP:80 -g && echo "80" ;;
	sctp)	adm "$1" -A --sctp-service $B_VIP:80 -s rr &&
		adm "$1" -a --sctp-service $B_VIP:80 -r $B_RS_TCP:80 -g && echo "80" ;;
	udp)	adm "$1" -A -u $B_VIP:5353 -s rr &&
		adm "$1" -a -u $B_VIP:5353 -r $B_WEB:5353 -m && echo "5353" ;;
	*)	return 1 ;;
	esac
}

# legit_count FILE: "ok fail" of a vs_client request-mode output.  The
# request in flight when the client was stopped (its last line, if an
# error) is not counted.
legit_count() {
	local ok=0 fail=0 line last=

	while read -r line; do
		[ -n "$last" ] && case $last in
			ERROR*) fail=$((fail + 1)) ;;
			*) ok=$((ok + 1)) ;;
		esac
		last=$line
	done <"$1"
	case $last in
	ERROR*|"") ;;
	*) ok=$((ok + 1)) ;;
	esac
	echo "$ok $fail"
}

one_impl() {
	local impl=$1 kind=$2 var cache before during m0 mmin m k0 kmax k a maxa
	local fl_pid ping_pid cl_pid t_end t rec pps loss out sent flows fpps p0 t0
	local settled port lok lfail

	# a fresh table: nothing left from the previous kind
	use_impl plain || return 1
	use_impl "$impl" || return 1
	adm "$impl" -A -u $B_VIP:53 -s rr &&
	adm "$impl" -a -u $B_VIP:53 -r $B_RS_UDP:53 -m &&
	adm "$impl" -A -t $B_VIP:8080 -s rr &&
	adm "$impl" -a -t $B_VIP:8080 -r $B_WEB:8080 -m || return 1
	port=$(flood_service "$impl" "$kind") || { blog "cannot add the $kind service"; return 1; }
	if [ "$impl" = l4vs ]; then
		cache=l4vs_conn
		ip netns exec $NS_D sysctl -qw net.ipv4.vs.conn_max="$BENCH_CONN_MAX" ||
			{ blog "cannot set net.ipv4.vs.conn_max"; return 1; }
	else
		cache=ip_vs_conn
	fi
	var=$kind
	out=$BENCH_OUT/flood-$impl-$kind
	mkdir -p "$out"

	pg_flows $B_VIP 53 10.0.1.2 10.0.1.2 50000 50999 0 || return 1
	pg_start
	nap "$BENCH_WARM"
	before=$(pps_window "$BENCH_WIN")
	m0=$(mem_available_kb)
	mmin=$m0
	k0=$(kmem_kb)
	kmax=$k0
	maxa=0

	ip netns exec $NS_D ping -n -q -i 0.2 -w $((secs + 2)) 10.0.9.2 >"$out/ping.txt" 2>&1 &
	ping_pid=$!
	ip netns exec $NS_C taskset -c 1 "$SYNFLOOD" -k "$kind" -d $B_VIP -p "$port" \
		-r "$rate" -n $((rate * secs)) -t "$secs" >"$out/synflood.txt" 2>&1 &
	fl_pid=$!
	# the legitimate client: new connections one after the other, 3 s
	# each at most (one SYN retransmission), until the flood ends
	ip netns exec $NS_C "$VS_CLIENT" -n 1000000 -w 3000 $B_VIP 8080 >"$out/legit.txt" 2>&1 &
	cl_pid=$!
	# skip the first second (the flood ramps up), then sample every second
	nap 1
	p0=$(tx_packets rs0); t0=${EPOCHREALTIME/./}
	while kill -0 "$fl_pid" 2>/dev/null; do
		nap 1
		m=$(mem_available_kb)
		[ "$m" -lt "$mmin" ] && mmin=$m
		k=$(kmem_kb)
		[ "$k" -gt "$kmax" ] && kmax=$k
		read -r a _ <<<"$(slab_info $cache)"
		[ "$a" -gt "$maxa" ] && maxa=$a
	done
	during=$((($(tx_packets rs0) - p0) * 1000000 / (${EPOCHREALTIME/./} - t0)))
	wait "$fl_pid"
	t_end=${EPOCHREALTIME/./}
	kill -TERM "$cl_pid" 2>/dev/null
	wait "$cl_pid"
	read -r lok lfail <<<"$(legit_count "$out/legit.txt")"
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
	flows=$(sed -n 's/.*flows=\([0-9]*\).*/\1/p' "$out/synflood.txt")
	fpps=$(sed -n 's/.*pps=\([0-9]*\).*/\1/p' "$out/synflood.txt")
	record flood "$impl" "$var" flood_pkts_sent 1 "${sent:-0}"
	record flood "$impl" "$var" flood_flows 1 "${flows:-0}"
	record flood "$impl" "$var" flood_pps 1 "${fpps:-0}"
	record flood "$impl" "$var" legit_ok 1 "$lok"
	record flood "$impl" "$var" legit_fail 1 "$lfail"
	record flood "$impl" "$var" legit_ok_pct 1 $((lok + lfail > 0 ? lok * 100 / (lok + lfail) : 0))
	record flood "$impl" "$var" pps_before 1 "$before"
	record flood "$impl" "$var" pps_during 1 "$during"
	record flood "$impl" "$var" during_over_before_pct 1 $((before > 0 ? during * 100 / before : 0))
	record flood "$impl" "$var" mem_growth_kb 1 $((m0 - mmin))
	record flood "$impl" "$var" kmem_growth_kb 1 $((kmax - k0))
	record flood "$impl" "$var" max_conn_objs 1 "$maxa"
	record flood "$impl" "$var" conn_objs_after 1 "$settled"
	record flood "$impl" "$var" conn_max 1 "$([ "$impl" = l4vs ] && echo "$BENCH_CONN_MAX" || echo 0)"
	record flood "$impl" "$var" recovery_ms 1 "$rec"
	record flood "$impl" "$var" ping_loss_pct 1 "${loss:-100}"
	[ "$impl" = l4vs ] && ip netns exec $NS_D cat /proc/net/l4vs_drops >"$out/drops.txt"
	adm "$impl" -C
}

rc=0
for kind in ${BENCH_FLOOD_KINDS:-syn synack sctp udp}; do
	for impl in ${BENCH_FLOOD_IMPLS:-l4vs ipvs}; do
		blog "flood: $impl, $kind flood at up to $rate pkt/s for ${secs}s"
		one_impl "$impl" "$kind" || { blog "flood: $impl $kind failed"; rc=1; }
	done
done
use_impl plain
exit $rc
