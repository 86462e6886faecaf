#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest-side vocabulary of the benchmark scenarios.  Sourced, never run.
#
# Topology (fixed names: one benchmark per guest boot):
#
#   bcli                 bdir (director)                      bsink
#  +-----------+       +---------------------------+       +----------------+
#  | eth0      |-------| cli0 10.0.1.1/24          |       | eth0 (no addr) |
#  | 10.0.1.2  |       |      VIP 10.0.1.100/32    |-rs0---| eth1 (no addr) |
#  | pktgen    |       | rs0  10.0.2.1/24  (UDP)   |-rs1---|  drops all     |
#  | synflood  |       | rs1  10.0.3.1/24  (TCP)   |       +----------------+
#  +-----------+       | mon0 10.0.9.1/24 ---------|--- bmon eth0 10.0.9.2
#                      +---------------------------+
#
# The real servers 10.0.2.2 and 10.0.3.2 exist only as permanent neighbour
# entries pointing at bsink, which has no address and so drops everything
# without answering: the director's egress (rs0, rs1) is where packets are
# counted, never the sink.  Every variant (plain routing, ip_vs, l4vs) sends
# the same 64-byte frames out of the same device.
#
# Results go to $BENCH_CSV as "scenario,impl,variant,metric,rep,value".

BENCH_DIR=${BASH_SOURCE[0]%/*}
[ "${BENCH_DIR:0:1}" = / ] || BENCH_DIR=$PWD/$BENCH_DIR
REPO=${BENCH_DIR%/tools/bench}
# shellcheck source=selftests/lib.sh
. "$REPO/selftests/lib.sh"	# nap, now_ms, wait_until, unload_module
L4VSADM=$REPO/tools/l4vsadm/l4vsadm
IPVSADM=${IPVSADM:-/usr/sbin/ipvsadm}
SYNFLOOD=${SYNFLOOD:-$BENCH_DIR/synflood}

BENCH_OUT=${BENCH_OUT:-${L4VS_OUTDIR:-/tmp}}
BENCH_CSV=${BENCH_CSV:-$BENCH_OUT/raw.csv}
BENCH_SMOKE=${BENCH_SMOKE:-0}
# BENCH_TRACE=1: trace the scenario scripts (console and console.log)
[ "${BENCH_TRACE:-0}" = 1 ] && set -x

B_VIP=10.0.1.100
B_RS_UDP=10.0.2.2
B_RS_TCP=10.0.3.2

NS_C=bcli
NS_D=bdir
NS_S=bsink
NS_M=bmon
PID_C=
PID_D=

blog() {
	printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
}

# record SCENARIO IMPL VARIANT METRIC REP VALUE
record() {
	local IFS=,

	echo "$*" >>"$BENCH_CSV"
	blog "  $*"
}

# ---- namespaces ----------------------------------------------------------

topo_down() {
	local ns

	[ -n "$PID_C" ] && kill "$PID_C" 2>/dev/null
	[ -n "$PID_D" ] && kill "$PID_D" 2>/dev/null
	[ -n "$PG_FD" ] && { echo quit >&"$PG_FD"; exec {PG_FD}>&-; }
	[ -n "$PG_HELPER" ] && kill "$PG_HELPER" 2>/dev/null
	PID_C='' PID_D='' PG_FD='' PG_HELPER=''
	for ns in $NS_C $NS_D $NS_S $NS_M; do
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# topo_up: build the picture above.  pktgen must be loaded first: its
# per-namespace threads are created when a namespace is.
topo_up() {
	local smac1 smac2

	topo_down
	ip -batch - <<-EOF || return 1
		netns add $NS_C
		netns add $NS_D
		netns add $NS_S
		netns add $NS_M
		link add eth0 netns $NS_C type veth peer name cli0 netns $NS_D
		link add eth0 netns $NS_S type veth peer name rs0 netns $NS_D
		link add eth1 netns $NS_S type veth peer name rs1 netns $NS_D
		link add eth0 netns $NS_M type veth peer name mon0 netns $NS_D
	EOF
	ip netns exec $NS_D sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.cli0.rp_filter=0 || return 1
	ip -n $NS_S -batch - <<-EOF || return 1
		link set lo up
		link set eth0 up
		link set eth1 up
	EOF
	smac1=$(ip -n $NS_S -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	smac2=$(ip -n $NS_S -o link show eth1 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n $NS_D -batch - <<-EOF || return 1
		link set lo up
		link set cli0 up
		link set rs0 up
		link set rs1 up
		link set mon0 up
		addr add 10.0.1.1/24 dev cli0
		addr add $B_VIP/32 dev cli0
		addr add 10.0.2.1/24 dev rs0
		addr add 10.0.3.1/24 dev rs1
		addr add 10.0.9.1/24 dev mon0
		neigh add $B_RS_UDP lladdr $smac1 dev rs0 nud permanent
		neigh add $B_RS_TCP lladdr $smac2 dev rs1 nud permanent
		route add default via 10.0.1.2
	EOF
	ip -n $NS_C -batch - <<-EOF || return 1
		link set lo up
		link set eth0 up
		addr add 10.0.1.2/24 dev eth0
		route add default via 10.0.1.1
	EOF
	ip -n $NS_M -batch - <<-EOF || return 1
		link set lo up
		link set eth0 up
		addr add 10.0.9.2/24 dev eth0
	EOF
	# Long-lived processes whose /proc/PID/net shows each namespace's
	# files, so reading counters costs no fork.
	ip netns exec $NS_C sleep 1000000 &
	PID_C=$!
	ip netns exec $NS_D sleep 1000000 &
	PID_D=$!
	wait_until 5 test -e /proc/$PID_C/net/pktgen/pgctrl || return 1
	wait_until 5 test -e /proc/$PID_D/net/dev || return 1
	DIR_MAC=$(ip -n $NS_D -o link show cli0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	# the first packets must not wait for ARP
	ip -n $NS_C neigh add 10.0.1.1 lladdr "$DIR_MAC" dev eth0 nud permanent
	ip -n $NS_C neigh add $B_VIP lladdr "$DIR_MAC" dev eth0 nud permanent
}

# ---- counters (bash builtins only) -----------------------------------------

# tx_packets DEV [PID]: the transmit counter of DEV in the namespace of PID
# (default: the director's).
tx_packets() {
	local name rest f

	while read -r name rest; do
		if [ "$name" = "$1:" ]; then
			read -r -a f <<<"$rest"
			echo "${f[9]}"
			return 0
		fi
	done <"/proc/${2:-$PID_D}/net/dev"
	echo 0
}

# conns_total: connections created since the module was loaded in the
# director namespace (the "Conns" column of /proc/net/ip_vs_stats).
conns_total() {
	local line n=0 v

	while read -r line; do
		n=$((n + 1))
		if [ $n -eq 3 ]; then
			read -r v _ <<<"$line"
			echo $((16#$v))
			return 0
		fi
	done <"/proc/$PID_D/net/ip_vs_stats"
	echo 0
}

# slab_info CACHE: "active_objs num_objs objsize objperslab pagesperslab
# num_slabs" of a slab cache, or zeros.
slab_info() {
	local f

	while read -r -a f; do
		if [ "${f[0]}" = "$1" ]; then
			echo "${f[1]} ${f[2]} ${f[3]} ${f[4]} ${f[5]} ${f[14]}"
			return 0
		fi
	done </proc/slabinfo
	echo "0 0 0 0 0 0"
}

# conn_objs: connection entries alive now, as the slab cache of the
# implementation in use counts them (CONN_CACHE, set by use_impl).  Not the
# "Conns" counter of /proc/net/ip_vs_stats: ip_vs folds its per-CPU
# counters into that only every two seconds.
CONN_CACHE=
conn_objs() {
	local a

	read -r a _ <<<"$(slab_info "$CONN_CACHE")"
	echo "$a"
}

# kmem_kb: memory the kernel holds for itself and cannot reclaim: unreclaimable
# slab, vmalloc and per-CPU areas (a balancer's entries, tables, counters),
# without the page cache noise MemAvailable carries.
kmem_kb() {
	local k v sum=0

	while read -r k v _; do
		case $k in
		SUnreclaim:|VmallocUsed:|Percpu:) sum=$((sum + v)) ;;
		esac
	done </proc/meminfo
	echo "$sum"
}

# mem_settle: wait (up to 30 s) until MemAvailable stops moving by more
# than 1 MiB in 2 s: memory of a previous pass is given back through RCU.
mem_settle() {
	local a b i

	a=$(mem_available_kb)
	for ((i = 0; i < 15; i++)); do
		nap 2
		b=$(mem_available_kb)
		[ $((a - b)) -lt 1024 ] && [ $((b - a)) -lt 1024 ] && return 0
		a=$b
	done
}

mem_available_kb() {
	local k v

	while read -r k v _; do
		[ "$k" = MemAvailable: ] && { echo "$v"; return 0; }
	done </proc/meminfo
}

# ---- pktgen ------------------------------------------------------------------

PG=
PG_FD=
PG_HELPER=
# pg_dev: bind the client's eth0 to its namespace's pktgen thread 0.
pg_dev() {
	PG=/proc/$PID_C/net/pktgen
	[ -n "$PG_FD" ] || pg_helper_up || return 1
	echo "rem_device_all" >"$PG/kpktgend_0" || return 1
	echo "add_device eth0" >"$PG/kpktgend_0" || return 1
}

pgset() {
	local c

	for c in "$@"; do
		echo "$c" >"$PG/eth0" || { blog "pktgen: '$c' refused"; return 1; }
	done
}

# pg_flows DST DPORT SRC_MIN SRC_MAX SPORT_MIN SPORT_MAX COUNT: 64-byte UDP
# frames; addresses and ports walk their ranges sequentially, so N ports
# are N flows and a range of addresses gives a new flow per packet.
pg_flows() {
	pgset "count $7" "clone_skb 0" "pkt_size 60" "delay 0" \
		"dst_mac $DIR_MAC" "dst_min $1" "dst_max $1" \
		"udp_dst_min $2" "udp_dst_max $2" \
		"src_min $3" "src_max $4" "udp_src_min $5" "udp_src_max $6" \
		"flag !IPSRC_RND" "flag !UDPSRC_RND" "flag !UDPDST_RND" "flag !IPDST_RND"
}

# pktgen is driven through /proc/net/pktgen/pgctrl of the client
# namespace, which only a process inside it can use ("start" and "stop" act
# on the writer's namespace).  Rather than an "ip netns exec" per command
# (a fork and exec over 9p: seconds on a busy TCG host, during which pktgen
# keeps sending), one helper shell lives there and takes commands from a
# FIFO; it runs "start", which blocks until pktgen is done, in a subshell
# and then creates PG_DONE.
PG_FIFO=
PG_DONE=
pg_helper_up() {
	make_tmpdir
	PG_FIFO=$TMPD/pgctl
	PG_DONE=$TMPD/pgdone
	rm -f "$PG_FIFO" "$PG_DONE"
	mkfifo "$PG_FIFO" || return 1
	# shellcheck disable=SC2016
	ip netns exec $NS_C bash -c '
		exec 3<>"$1"
		while read -r c <&3; do
			case $c in
			start)	(echo start >/proc/net/pktgen/pgctrl; : >"$2") & ;;
			quit)	exit 0 ;;
			*)	echo "$c" >/proc/net/pktgen/pgctrl ;;
			esac
		done' pg-helper "$PG_FIFO" "$PG_DONE" &
	PG_HELPER=$!
	exec {PG_FD}>"$PG_FIFO"
}

pg_running() {
	local line

	while read -r line; do
		case $line in
		Running:*eth0*) return 0 ;;
		esac
	done <"$PG/kpktgend_0"
	return 1
}

pg_done() {
	[ -e "$PG_DONE" ]
}

# pg_start: start pktgen in the background; returns once it really sends
# (or has already finished a short run).
pg_start() {
	rm -f "$PG_DONE"
	echo start >&"$PG_FD"
	wait_until 20 pg_started || blog "pktgen did not start"
}

pg_started() {
	pg_running || pg_done
}

pg_stop() {
	echo stop >&"$PG_FD"
	wait_until 20 pg_done || blog "pktgen did not stop"
}

# pg_run_count: send the configured count and wait for it.
pg_run_count() {
	rm -f "$PG_DONE"
	echo start >&"$PG_FD"
	wait_until 3600 pg_done
}

# measure_pps DEV WARMUP SECS: "PPS SENT", the packets per second leaving
# the director's DEV while pktgen runs (already configured) and those the
# generator's own device sent in the same window.  A window in which the
# generator sent nothing is a pktgen start that did not take (seen now and
# then under TCG), not a measurement: it is tried once more.  One in which
# the generator sent and nothing left DEV is the balancer's failure, and is
# reported as such (tools/bench/report.py), never retried away.
measure_pps() {
	local dev=$1 warm=$2 secs=$3 t0 t1 p0 p1 s0 s1 try

	for try in 1 2; do
		pg_start
		nap "$warm"
		s0=$(tx_packets eth0 "$PID_C")
		p0=$(tx_packets "$dev"); t0=${EPOCHREALTIME/./}
		nap "$secs"
		p1=$(tx_packets "$dev"); t1=${EPOCHREALTIME/./}
		s1=$(tx_packets eth0 "$PID_C")
		pg_stop
		[ "$s1" -gt "$s0" ] && break
		blog "pktgen sent nothing in ${secs}s (try $try)"
	done
	[ "$p1" -gt "$p0" ] || blog "nothing left $dev while pktgen sent $((s1 - s0)) packets"
	echo $(((p1 - p0) * 1000000 / (t1 - t0))) $(((s1 - s0) * 1000000 / (t1 - t0)))
}

# ---- implementations ------------------------------------------------------------

# use_impl plain|ipvs|l4vs: exactly that one owns the director (the other
# one unloaded; ip_vs's unload under TCG takes a while).
use_impl() {
	case $1 in
	plain)
		unload_module l4vs || return 1
		unload_module ip_vs || return 1
		;;
	ipvs)
		unload_module l4vs || return 1
		module_loaded ip_vs || modprobe ip_vs || return 1
		CONN_CACHE=ip_vs_conn
		;;
	l4vs)
		unload_module ip_vs || return 1
		module_loaded l4vs || modprobe l4vs || return 1
		CONN_CACHE=l4vs_conn
		;;
	esac
}

# adm IMPL ARGS...: the implementation's own tool in the director namespace
# (ipvsadm for ip_vs, l4vsadm for l4vs), as an operator would use them.
adm() {
	local impl=$1

	shift
	if [ "$impl" = ipvs ]; then
		ip netns exec $NS_D "$IPVSADM" "$@"
	else
		ip netns exec $NS_D "$L4VSADM" "$@"
	fi
}

# fwd_flag nat|dr|tun
fwd_flag() {
	case $1 in
	nat) echo -m ;;
	dr) echo -g ;;
	tun) echo -i ;;
	esac
}

# median VALUES...
median() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print 0 }'
}
