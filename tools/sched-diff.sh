#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sched-diff.sh [SCENARIO...]: differential test of the schedulers, run
# inside a test guest as root:
#
#   L4VS_MODULES_DIR=<dir with the .ko> tools/vm/run.sh -- tools/sched-diff.sh
#
# The same scripted connection sequence goes once through the kernel's ip_vs
# and once through l4vs (both driven by the stock ipvsadm, one loaded at a
# time since both own the "IPVS" genetlink family); for every scenario the
# server picked for each connection, in order, must be the same.
#
#   ns c: clients 10.0.1.1-40           root ns: director          ns s
#   c0 ------------------------------ d0 10.0.1.254   d1 ------------ s0
#                                     VIPs 10.0.0.100-139 (dummy)    10.0.2.1-4
#                                        10.0.2.254                  :80, NAT
#
# Connections are TCP and stay open until the scenario ends, so the
# connection-counting schedulers see them as active.  Every scenario uses its
# own virtual port, so no connection of one can match another.
#
# Exit: 0 all scenarios agree, 1 some differ or fail, 4 skipped (not root,
# python3 or a module missing).

set -u
VIP=10.0.0.100
PY=$(command -v python3) || { echo "SKIP: python3 missing"; exit 4; }
[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 4; }
tmp=$(mktemp -d)
srvpid=
clientpid=

cleanup() {
	exec 3>&-
	[ -n "$clientpid" ] && kill "$clientpid" 2>/dev/null
	[ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null
	ip netns del sdc 2>/dev/null
	ip netns del sds 2>/dev/null
	ip link del sdvip 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- scenarios --------------------------------------------------------
# One per line: name | sched and ipvsadm service options | steps.  Steps are
# separated by ';': "a IP W" adds a server, "e IP W" edits its weight, "d IP"
# deletes it, "c N [SRC]" opens N connections, from client SRC (1-40) or, with
# SRC "all", from clients 1..N in turn; "k" closes every open connection and
# waits until the director counts them inactive.
SCENARIOS='
rr      | -s rr                  | a 1 1; a 2 1; a 3 1; c 12
wrr531  | -s wrr                 | a 1 5; a 2 3; a 3 1; c 18
wrr420  | -s wrr                 | a 1 4; a 2 2; a 3 0; c 12
wrrchg  | -s wrr                 | a 1 5; a 2 3; a 3 1; c 7; e 2 4; c 9; d 1; c 8; a 4 2; c 10
wrrdi   | -s wrr                 | a 1 6; a 2 4; c 3; a 3 2; c 12; e 3 8; c 11
lc      | -s lc                  | a 1 1; a 2 1; a 3 1; c 7; k; c 8
wlc     | -s wlc                 | a 1 3; a 2 2; a 3 1; c 18
sed     | -s sed                 | a 1 3; a 2 2; a 3 1; c 18
nq      | -s nq                  | a 1 3; a 2 2; a 3 1; c 18
fo      | -s fo                  | a 1 1; a 2 3; a 3 2; c 4; e 2 0; c 4
ovf     | -s ovf                 | a 1 3; a 2 2; a 3 1; c 12
sh      | -s sh                  | a 1 1; a 2 2; a 3 1; c 40 all
shport  | -s sh -b sh-port       | a 1 1; a 2 2; a 3 1; c 20 7
shfb    | -s sh -b sh-fallback   | a 1 1; a 2 2; a 3 1; e 2 0; c 40 all
dh      | -s dh                  | a 1 1; a 2 1; a 3 1; a 4 1; c 40 vip
'

# ---- topology ---------------------------------------------------------

topo() {
	local i
	ip netns add sdc && ip netns add sds || return 1
	ip link add d0 type veth peer name c0 netns sdc
	ip link add d1 type veth peer name s0 netns sds
	ip link add sdvip type dummy
	ip link set sdvip up
	for i in $(seq 100 139); do ip addr add 10.0.0.$i/32 dev sdvip; done
	ip addr add 10.0.1.254/24 dev d0
	ip addr add 10.0.2.254/24 dev d1
	ip link set d0 up
	ip link set d1 up
	sysctl -qw net.ipv4.ip_forward=1
	ip -n sdc link set lo up
	ip -n sdc link set c0 up
	for i in $(seq 1 40); do ip -n sdc addr add 10.0.1.$i/24 dev c0; done
	ip -n sdc route add 10.0.0.0/24 via 10.0.1.254
	ip -n sds link set lo up
	ip -n sds link set s0 up
	for i in 1 2 3 4; do ip -n sds addr add 10.0.2.$i/24 dev s0; done
	ip -n sds route add default via 10.0.2.254
	# dh needs a firewall-mark service: mark everything for the VIPs
	tc qdisc add dev d0 clsact &&
	tc filter add dev d0 ingress protocol ip flower dst_ip 10.0.0.0/24 \
		action skbedit mark 7
}

# The servers log "client-ip:port server-ip" per accepted connection.
start_servers() {
	ip netns exec sds "$PY" -u -c '
import socket, threading, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(512)
open(sys.argv[1], "w").close()
def hold(c):
    try:
        while c.recv(64): pass
    except OSError: pass
    c.close()
while True:
    c, peer = s.accept()
    print("%s:%d %s" % (peer[0], peer[1], c.getsockname()[0]), flush=True)
    threading.Thread(target=hold, args=(c,), daemon=True).start()
' "$tmp/server.ready" >"$tmp/server.log" 2>&1 &
	srvpid=$!
	while [ ! -e "$tmp/server.ready" ]; do
		kill -0 "$srvpid" 2>/dev/null || return 1
		sleep 0.1
	done
}

# One client process for the whole run (starting python under TCG is slow):
# it reads "open N SRC VIP PORT SPORT" and "close" from a fifo on fd 3,
# appends "client-ip:port" per connection to $tmp/clients, holds the
# connections, and acknowledges each command by creating $tmp/ack.
start_client() {
	mkfifo "$tmp/cmd" || return 1
	ip netns exec sdc "$PY" -u -c '
import socket, sys, os
tmp = sys.argv[1]
held = []
for line in open(tmp + "/cmd"):
    w = line.split()
    if w[0] == "open":
        n, src, vip, port, sport = int(w[1]), w[2], w[3], int(w[4]), int(w[5])
        out = []
        for i in range(n):
            cip = "10.0.1.%d" % (i % 40 + 1 if src in ("all", "vip") else int(src))
            dst = "10.0.0.%d" % (100 + i % 40) if src == "vip" else vip
            s = socket.socket(); s.settimeout(2)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((cip, sport + i))
            try:
                s.connect((dst, port))
            except OSError:
                pass
            out.append("%s:%d\n" % s.getsockname())
            held.append(s)
        with open(tmp + "/clients", "a") as f:
            f.write("".join(out))
    elif w[0] == "close":
        for s in held:
            s.close()
        held = []
    open(tmp + "/ack", "w").close()
' "$tmp" 2>"$tmp/client.err" &
	clientpid=$!
	exec 3>"$tmp/cmd"
}

client_cmd() {
	rm -f "$tmp/ack"
	echo "$*" >&3
	while [ ! -e "$tmp/ack" ]; do
		kill -0 "$clientpid" 2>/dev/null || return 1
		sleep 0.1
	done
}

# open N connections; source ports are fixed so sh-port sees the same ones
open_conns() {	# n src
	client_cmd open "$1" "${2:-1}" "$VIP" "$vport" \
		$((20000 + vport % 1000 * 200 + nconn))
	nconn=$((nconn + $1))
}

close_conns() {
	local t

	client_cmd close
	for _ in $(seq 50); do
		# shellcheck disable=SC2086
		ipvsadm -Ln $svc 2>/dev/null |
			awk '/->/ && $5 != "ActiveConn" { a += $5 } END { exit a > 0 }' && return
		sleep 0.2
	done
}

# run one scenario; prints the picks, one server number per connection
run_scenario() {	# name opts steps
	local name=$1 opts=$2 steps=$3 step nconn=0
	if [ "$name" = dh ]; then svc="-f 7"; else svc="-t $VIP:$vport"; fi
	: >"$tmp/clients"
	# shellcheck disable=SC2086
	ipvsadm -A $svc $opts || return 1
	IFS=';' read -ra list <<<"$steps"
	for step in "${list[@]}"; do
		# shellcheck disable=SC2086
		set -- $step
		case $1 in
		a) ipvsadm -a $svc -r 10.0.2.$2:80 -m -w "$3" || return 1 ;;
		e) ipvsadm -e $svc -r 10.0.2.$2:80 -m -w "$3" || return 1 ;;
		d) ipvsadm -d $svc -r 10.0.2.$2:80 || return 1 ;;
		c) open_conns "$2" "${3:-1}" ;;
		k) close_conns ;;
		esac
	done
	sleep 1
	close_conns
	ipvsadm -D $svc
	# join the client order with the servers' log
	awk 'NR == FNR { split($2, a, "."); pick[$1] = a[4]; next }
	     { printf "%s", ($1 in pick) ? pick[$1] : "-" } END { print "" }' \
		"$tmp/server.log" "$tmp/clients"
}

run_impl() {	# impl vport-base
	local impl=$1 name opts steps
	# the two runs differ in virtual ports: no 4-tuple is ever reused
	vport=$2
	while IFS='|' read -r name opts steps; do
		name=${name// /}
		[ -n "$name" ] || continue
		vport=$((vport + 1))
		if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " =~ " $name " ]]; then
			continue
		fi
		echo "sched-diff: $impl $name" >&2
		printf '%s %s\n' "$name" "$(run_scenario "$name" "$opts" "$steps" || echo FAIL)"
	done <<<"$SCENARIOS" >"$tmp/$impl.out"
}

only=("$@")
topo || { echo "SKIP: cannot build the topology"; exit 4; }
start_servers || { echo "SKIP: cannot start the servers"; exit 4; }
start_client || { echo "SKIP: cannot start the client"; exit 4; }

modprobe ip_vs || { echo "SKIP: no ip_vs"; exit 4; }
run_impl ipvs 1000
ipvsadm -C
for m in $(lsmod | awk '/^ip_vs_/ { print $1 }'); do rmmod "$m"; done
rmmod ip_vs || { echo "cannot unload ip_vs"; exit 1; }

modprobe l4vs || { echo "SKIP: no l4vs"; exit 4; }
run_impl l4vs 2000
ipvsadm -C

rc=0
while read -r name ipvs; do
	l4vs=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/l4vs.out")
	counts() { echo "$1" | fold -w1 | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'; }
	# '-' is a refused connection: fine if both refuse, but not every one
	if [ "$ipvs" = "$l4vs" ] && [[ $ipvs != *FAIL* ]] && [[ $ipvs =~ [0-9] ]]; then
		echo "ok   $name $(counts "$ipvs")"
	else
		echo "FAIL $name"
		echo "     ip_vs: $ipvs ($(counts "$ipvs"))"
		echo "     l4vs:  $l4vs ($(counts "$l4vs"))"
		rc=1
	fi
done <"$tmp/ipvs.out"
exit $rc
