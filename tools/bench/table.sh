#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Scenarios 2, 3 and 4 in one pass per implementation, because they share
# the expensive part, filling the connection table:
#
#   - 1,000 hot flows (10.0.1.2, ports 40000-40999) are the only entries:
#     their pps is the "1k" point of the lookup scenario (3);
#   - new-connection rate (2) "empty": entries created per second while
#     every packet comes from a new source address (entries counted by the
#     slab cache, see conn_objs in lib.sh);
#   - the table is filled with pktgen (one new source address per packet,
#     UDP timeout 3600 s so nothing expires) to each level of BENCH_LEVELS,
#     where the hot flows' pps (3) and the memory per connection (4) are
#     measured, and to BENCH_MID, where the new-connection rate is measured
#     again.  Filling has a time budget (BENCH_FILL_BUDGET per
#     implementation): under a loaded TCG host a million entries may be out
#     of reach, and then the last level is measured where filling stopped.
#
# Repetitions are back to back inside the pass (a table of a million
# entries is filled once per implementation, not once per repetition).
BENCH_DIR=${BASH_SOURCE[0]%/*}
. "$BENCH_DIR/lib.sh"
. "$BENCH_DIR/params.sh"

modprobe pktgen || fail "no pktgen"
topo_up || fail "topology"
trap topo_down EXIT
pg_dev || fail "pktgen device"

# Source addresses for new flows: 10.64.0.0 upwards, one per packet.
SRC_BASE=$(((10 << 24) | (64 << 16)))
src_next=0

ip4() {
	echo "$(($1 >> 24 & 255)).$(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))"
}

# new_flows COUNT: send COUNT packets (0: until pg_stop), each from an
# address not used before.
new_flows_setup() {
	pg_flows $B_VIP 53 "$(ip4 $((SRC_BASE + src_next)))" \
		"$(ip4 $((SRC_BASE + (1 << 22) - 1)))" 10000 10000 "$1"
}

# pg_sofar: packets the last pktgen run sent
pg_sofar() {
	local k v

	while read -r k v _; do
		[ "$k" = pkts-sofar: ] && { echo "$v"; return 0; }
	done <"$PG/eth0"
	echo 0
}

new_flows() {
	new_flows_setup "$1" || return 1
	pg_run_count
	src_next=$((src_next + $(pg_sofar)))
}

# fill_to N: new flows until the table holds N entries (more than at c0),
# in chunks of about 15 s; gives up when BENCH_FILL_BUDGET seconds (per
# implementation) are spent, leaving fewer entries (recorded as
# "resident" with each measurement).
fill_to() {
	local want=$1 have chunk=$BENCH_NEWCONN_PKTS t0 t1 h0 rate

	while :; do
		have=$(($(conn_objs) - c0))
		[ "$have" -ge "$want" ] && return 0
		if [ $((${EPOCHREALTIME%.*} - fill_start)) -ge "$BENCH_FILL_BUDGET" ]; then
			blog "fill_to $want: budget of ${BENCH_FILL_BUDGET}s spent at $have entries"
			return 1
		fi
		[ "$chunk" -gt $((want - have)) ] && chunk=$((want - have))
		t0=${EPOCHREALTIME/./}; h0=$have
		new_flows "$chunk" || return 1
		t1=${EPOCHREALTIME/./}
		rate=$((($(conn_objs) - c0 - h0) * 1000000 / (t1 - t0 + 1)))
		chunk=$((rate * 15))
		[ $chunk -lt 1000 ] && chunk=1000
		[ $chunk -gt 200000 ] && chunk=200000
	done
}

# newconn_rate IMPL VARIANT: connections created per second while pktgen
# sends a new flow per packet for BENCH_WIN seconds, BENCH_REPS times.
newconn_rate() {
	local rep a b t0 t1

	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		new_flows_setup 0 || return 1
		pg_start
		nap "$BENCH_WARM"
		a=$(conn_objs); t0=${EPOCHREALTIME/./}
		nap "$BENCH_WIN"
		b=$(conn_objs); t1=${EPOCHREALTIME/./}
		pg_stop
		src_next=$((src_next + $(pg_sofar)))
		record newconn "$1" "$2" cps "$rep" $(((b - a) * 1000000 / (t1 - t0)))
	done
}

# hot_pps IMPL LEVEL
hot_pps() {
	local rep pps sent

	pg_flows $B_VIP 53 10.0.1.2 10.0.1.2 40000 40999 0 || return 1
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		read -r pps sent <<<"$(measure_pps rs0 "$BENCH_WARM" "$BENCH_WIN")"
		record lookup "$1" "$2" pps "$rep" "$pps"
		record lookup "$1" "$2" sent_pps "$rep" "$sent"
	done
	record lookup "$1" "$2" resident 1 $(($(conn_objs) - c0))
}

# memory IMPL LEVEL: bytes per connection from the slab cache and from
# MemAvailable (everything: entries, table, per-CPU caches).
memory() {
	local impl=$1 cache n a sz pps slabs m k

	cache=$CONN_CACHE
	n=$(($(conn_objs) - c0))
	read -r a _ sz _ pps slabs <<<"$(slab_info "$cache")"
	m=$(mem_available_kb)
	k=$(kmem_kb)
	record memory "$impl" "$2" conns 1 "$n"
	record memory "$impl" "$2" slab_objs 1 "$a"
	record memory "$impl" "$2" objsize 1 "$sz"
	[ "$a" -gt 0 ] &&
		record memory "$impl" "$2" slab_bytes_per_conn 1 $((slabs * pps * 4096 / a))
	[ "$n" -gt 0 ] &&
		record memory "$impl" "$2" avail_bytes_per_conn 1 $(((m0 - m) * 1024 / n))
	[ "$n" -gt 0 ] &&
		record memory "$impl" "$2" kmem_bytes_per_conn 1 $(((k - k0) * 1024 / n))
}

one_impl() {
	local impl=$1 n full=1

	use_impl "$impl" || return 1
	adm "$impl" -C
	adm "$impl" -A -u $B_VIP:53 -s rr &&
	adm "$impl" -a -u $B_VIP:53 -r $B_RS_UDP:53 -m &&
	adm "$impl" --set 900 120 3600 || return 1
	# l4vs's default conn_max (one entry per 4 KiB of RAM) is about the
	# million entries filled here: no limit, as ip_vs has none
	if [ "$impl" = l4vs ]; then
		ip netns exec $NS_D sysctl -qw net.ipv4.vs.conn_max=0 || return 1
	fi
	# settle: the previous pass's memory is being given back
	mem_settle
	m0=$(mem_available_kb)
	k0=$(kmem_kb)
	c0=$(conn_objs)
	src_next=0
	fill_start=${EPOCHREALTIME%.*}

	read -r -a levels <<<"$BENCH_LEVELS"
	hot_pps "$impl" "$(label "${levels[0]}")" || return 1
	# the hot flows are in; memory at the first level is too noisy to use
	newconn_rate "$impl" empty || return 1
	for n in "${levels[@]:1}"; do
		if [ "$n" -gt "$BENCH_MID" ] && [ -z "$mid_done" ]; then
			mid_done=1
			# out of budget: the rate would not be "at BENCH_MID"
			fill_to "$BENCH_MID" &&
				{ newconn_rate "$impl" "$(label "$BENCH_MID")" || return 1; }
		fi
		blog "table: $impl filling to $n"
		# out of budget: measure where filling stopped, labelled so
		fill_to "$n" || { full=0; n=$(($(conn_objs) - c0)); }
		hot_pps "$impl" "$(label "$n")" || return 1
		memory "$impl" "$(label "$n")"
		[ "$full" = 0 ] && break
	done
	adm "$impl" -C
}

rc=0
for impl in ${BENCH_IMPLS:-ipvs l4vs}; do
	mid_done=
	blog "table: $impl"
	one_impl "$impl" || { blog "table: $impl failed"; rc=1; }
	# the next implementation starts from an empty director
	use_impl plain
done
exit $rc
