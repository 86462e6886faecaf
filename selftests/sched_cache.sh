#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client 10.0.1.2 ---- director: 10.3.0.1-32/32 on lo, nft mark 7,  ---- rs1, rs2
#                       fwmark service 7, NAT, lblc / lblcr
#
# The destination caches of lblc and lblcr are bounded and freed (IPVS's
# grew with every new destination address).  With cache_max=8, one
# connection to each of 24 VIPs (24 addresses, 24 would-be entries):
#   - the module's cache_entries never exceeds 8 and ends at 8 (the bound
#     holds and is what stops the growth), every connection is served;
#   - with net.ipv4.vs.lbl{c,cr}_expiration=1, entries unused for a second
#     are reclaimed by later inserts (the count falls below the bound);
#   - deleting the service, and swapping its scheduler to rr, frees every
#     entry (cache_entries 0); the module then unloads.
# Fails on: an insert that does not make room first (count reaches 24), no
# expiry (stays at 8), entries left behind by done_service (count > 0).

. "$(dirname "$0")/lib.sh"

[ "$L4VS_IMPL" = l4vs ] || skip "the l4vs modules' cache counters are the subject"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed for the client helper"

N_VIPS=24
BOUND=8

require_tools
load_impl l4vs
setup_nat_topology 2
start_servers -t 80

batch=
VIPS=()
for ((i = 1; i <= N_VIPS + 8; i++)); do
	batch+="addr add 10.3.0.$i/32 dev lo"$'\n'
	VIPS+=("10.3.0.$i")
done
ip -n "$NS_DIR" -batch - <<<"$batch" || fail "director addresses"
dir_exec nft -f - <<-NFT || skip "nft cannot mark packets for the fwmark service"
	table ip cachemark {
		chain pre {
			type filter hook prerouting priority mangle;
			ip daddr 10.3.0.0/24 meta mark set 7
		}
	}
NFT

# One connection to each address given; prints the servers that answered
# and, last, the largest cache_entries seen after any of them.
HELPER='
import sys
from vs_probe import probe
param = sys.argv[1]
most, names = 0, []
for dst in sys.argv[2:]:
    s, name = probe(dst, 80)
    s.close()
    names.append(name)
    most = max(most, int(open(param).read()))
print(" ".join(names))
print(most)
'

# connect SCHED ADDR...: NAMES (servers) and MOST (largest count seen).
connect() {
	local sched=$1 out

	shift
	out=$(ip netns exec "$NS_CLI" env PYTHONPATH="$SELFTESTS_DIR/tools" \
		PYTHONDONTWRITEBYTECODE=1 "$PY" -c "$HELPER" \
		"/sys/module/l4vs_$sched/parameters/cache_entries" "$@")
	NAMES=$(head -n1 <<<"$out")
	MOST=$(tail -n1 <<<"$out")
}

entries() {
	cat "/sys/module/l4vs_$1/parameters/cache_entries"
}

add_service() {
	ipvsadm_d -R <<-RULES
		-A -f 7 -s $1
		-a -f 7 -r ${RS_IP[1]}:80 -m -w 1
		-a -f 7 -r ${RS_IP[2]}:80 -m -w 1
	RULES
}

# under_bound SCHED: one connection to a fresh address, then the count is
# below the bound (expired entries were reclaimed to make room)
NEXT=$N_VIPS
under_bound() {
	connect "$1" "${VIPS[NEXT]}"
	NEXT=$(((NEXT + 1) % ${#VIPS[@]}))
	[ "$(entries "$1")" -lt "$BOUND" ]
}

no_entries() {
	[ "$(entries "$1")" = 0 ]
}

for sched in lblc lblcr; do
	unload_module "l4vs_$sched"
	modprobe "l4vs_$sched" || fail "modprobe l4vs_$sched"
	echo $BOUND >"/sys/module/l4vs_$sched/parameters/cache_max" || fail "cache_max"
	add_service "$sched" || fail "cannot add the $sched service"

	connect "$sched" "${VIPS[@]:0:N_VIPS}"
	served=$(grep -o 'rs[0-9]' <<<"$NAMES" | wc -l)
	now=$(entries "$sched")
	[ "$MOST" -le $BOUND ] && [ "$now" = $BOUND ] && [ "$served" = $N_VIPS ]
	log_test $? "$sched: $N_VIPS addresses, at most $BOUND entries (most seen $MOST, now $now, served $served)"

	dir_exec sysctl -qw "net.ipv4.vs.${sched}_expiration=1" || fail "cannot set ${sched}_expiration"
	got=$(dir_exec cat "/proc/sys/net/ipv4/vs/${sched}_expiration")
	[ "$got" = 1 ]
	log_test $? "$sched: ${sched}_expiration reads back 1 s (got $got)"
	wait_until 15 under_bound "$sched"
	log_test $? "$sched: entries unused for 1 s are reclaimed (now $(entries "$sched"))"
	dir_exec sysctl -qw "net.ipv4.vs.${sched}_expiration=86400"

	ipvsadm_d -D -f 7
	wait_until 5 no_entries "$sched"
	log_test $? "$sched: deleting the service frees every entry (now $(entries "$sched"))"

	add_service "$sched" || fail "cannot add the $sched service again"
	connect "$sched" "${VIPS[@]:0:4}"
	before=$(entries "$sched")
	ipvsadm_d -E -f 7 -s rr
	after=$(entries "$sched")
	[ "$before" = 4 ] && [ "$after" = 0 ]
	log_test $? "$sched: swapping to rr frees every entry ($before -> $after)"
	ipvsadm_d -C
	unload_module "l4vs_$sched"
	! module_loaded "l4vs_$sched"
	log_test $? "$sched: the module unloads"
done

exit $RET
