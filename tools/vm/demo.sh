#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: a NAT virtual service with round robin over three real servers.
# Meant for the throw-away guest of `make demo` (it loads l4vs and plays with
# network namespaces), run from the checkout.
#
#   client ns                director (guest's init netns)            real servers
#  +-----------+            +------------------------------+        +--------------+
#  | 10.0.0.2  |--veth------| 10.0.0.1  VIP 10.0.0.1:80/tcp |--veth--| rs1 10.1.1.2 |
#  +-----------+            | 10.1.N.1 per real server     |--veth--| rs2 10.1.2.2 |
#                           +------------------------------+--veth--| rs3 10.1.3.2 |
#                                                                   +--------------+
# Each real server answers with its own name; NAT sends replies back through
# the director, so the real servers route via 10.1.N.1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# L4VS_DEMO_IMPL=ipvs runs the same scenario on the kernel's ip_vs with ipvsadm,
# to tell a harness problem from an l4vs one.
impl=${L4VS_DEMO_IMPL:-l4vs}
if [ "$impl" = ipvs ]; then
	adm=${L4VS_ADM:-ipvsadm}
else
	adm=${L4VS_ADM:-$PWD/tools/l4vsadm/l4vsadm}
fi
requests=${L4VS_DEMO_REQUESTS:-30}
vip=10.0.0.1
port=80
ns_client=l4vs-demo-client

step() {
	echo
	echo "== $*"
}

cleanup() {
	for ns in "$ns_client" l4vs-demo-rs1 l4vs-demo-rs2 l4vs-demo-rs3; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}
trap cleanup EXIT

command -v "$adm" >/dev/null || { echo "demo: $adm not found (run make)" >&2; exit 1; }

step "loading $impl"
# only one of them can own the "IPVS" generic netlink family
if [ "$impl" = ipvs ]; then
	modprobe ip_vs
else
	! lsmod | grep -q '^ip_vs ' || modprobe -r ip_vs
	modprobe l4vs
fi
lsmod | grep -E '^(l4vs|ip_vs)' || true

step "building the topology (1 client, director, 3 real servers)"
sysctl -qw net.ipv4.ip_forward=1
ip netns add "$ns_client"
ip link add cl0 type veth peer name eth0 netns "$ns_client"
ip addr add $vip/24 dev cl0
ip link set cl0 up
ip -n "$ns_client" addr add 10.0.0.2/24 dev eth0
ip -n "$ns_client" link set eth0 up
ip -n "$ns_client" link set lo up
ip -n "$ns_client" route add default via $vip

for n in 1 2 3; do
	ns=l4vs-demo-rs$n
	ip netns add "$ns"
	ip link add "rs$n" type veth peer name eth0 netns "$ns"
	ip addr add "10.1.$n.1/24" dev "rs$n"
	ip link set "rs$n" up
	ip -n "$ns" addr add "10.1.$n.2/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ip -n "$ns" route add default via "10.1.$n.1"
	# -t: under TCG the forked echo can take longer than socat's 0.5 s default
	ip netns exec "$ns" socat -t 10 TCP-LISTEN:$port,fork,reuseaddr SYSTEM:"echo rs$n" \
		</dev/null >/dev/null 2>&1 &
done
# wait for the listeners instead of sleeping a guessed time
for n in 1 2 3; do
	for _ in $(seq 100); do
		ip netns exec "l4vs-demo-rs$n" ss -Hltn "sport = :$port" | grep -q . && break
		sleep 0.1
	done
done

step "configuring the virtual service with l4vsadm"
set -x
"$adm" -A -t $vip:$port -s rr
for n in 1 2 3; do
	"$adm" -a -t $vip:$port -r "10.1.$n.2:$port" -m
done
"$adm" -Ln
{ set +x; } 2>/dev/null

step "sending $requests requests from the client"
declare -A hits=()
failed=0
for i in $(seq "$requests"); do
	# -u: only read, so the client never half-closes before the reply
	reply=$(ip netns exec "$ns_client" socat -T 10 -u \
		"TCP:$vip:$port,connect-timeout=10" STDOUT </dev/null 2>/dev/null) || true
	if [ -n "$reply" ]; then
		hits[$reply]=$((${hits[$reply]:-0} + 1))
	else
		failed=$((failed + 1))
	fi
	printf '%s ' "${reply:-FAIL}"
	[ $((i % 10)) -eq 0 ] && echo
done
echo
for name in "${!hits[@]}"; do
	echo "  $name answered ${hits[$name]} requests"
done
echo "  failed requests: $failed"

step "${adm##*/} -Ln --stats"
"$adm" -Ln --stats

[ "$failed" -eq 0 ] && [ "${#hits[@]}" -eq 3 ]
