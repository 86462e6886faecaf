#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns A                director ns A                       real servers A
#  10.0.1.2, 10.2.0.1 ...  -- VIP 10.0.1.100:80 -s mh -b mh-port  rs1..rs3 w 5:3:1
#  (M flow addresses)         VIP 10.0.1.100:81 -s mh          -- rs1..rs5 w 1
#                             (then rs3 deleted)
#
#  client ns B                director ns B                       real servers B
#  10.2.0.1 ... (same)     -- VIP 10.0.1.100:81 -s mh          -- rs1..rs5 w 1
#                             (servers added in reverse order)    (same addresses)
#
# Maglev hashing.  The properties, not the tables, are checked (l4vs's
# table differs from ip_vs's by design), so L4VS_IMPL=ipvs runs it too:
#  1. distribution: N_DIST connections from one address with distinct source
#     ports (mh-port) over weights 5:3:1; each server's share within
#     SHARE_TOL of 5/9, 3/9, 1/9.
#  2. disruption: M flows, one per client address (mh without mh-port, so
#     the address is the whole key), over 5 servers; rs3 is deleted and the
#     same addresses connect again.  The fraction of flows that moved must be
#     within MOVE_TOL of 1/5, every flow of rs3 must move, and at most
#     OTHER_MAX of the flows of the other servers may move.
#  3. consistency: director B, same servers added in the opposite order,
#     sends every one of the M flows to the server director A picked.

. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed to bind flow addresses"

N_DIST=1500
SHARE_TOL=4		# percentage points (3 sigma of 1/9..5/9 at 1500 is < 3.9)
M=400
NSERV=5
DEL=3
MOVE_TOL=6		# percentage points around 100/NSERV (3 sigma at 400)
OTHER_MAX=3		# percent of the flows not on the deleted server

require_tools
load_impl
if [ "$IMPL" = l4vs ]; then
	modinfo l4vs_mh >/dev/null 2>&1 || skip "l4vs_mh.ko is not installed"
else
	modinfo ip_vs_mh >/dev/null 2>&1 || skip "ip_vs_mh is not available"
fi

# add_flow_addresses: put the M flow addresses on the client's eth0 and
# route them back from the director.
add_flow_addresses() {
	local i batch=

	for ((i = 0; i < M; i++)); do
		batch+="addr add 10.2.$((i / 250)).$((i % 250 + 1))/32 dev eth0"$'\n'
	done
	ip -n "$NS_CLI" -batch - <<<"$batch" || fail "client flow addresses"
	ip -n "$NS_DIR" route add 10.2.0.0/16 via "$CLI_IP" || fail "director route"
}

# One connection per flow address, in order; prints the server names, one
# line per flow ("-" when it failed).
FLOWS_PY='
import sys
from vs_probe import probe
m, vip, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
out = []
for i in range(m):
    s, name = probe(vip, port, "10.2.%d.%d" % (i // 250, i % 250 + 1))
    s.close()
    out.append(name)
print("\n".join(out))
'

# run_flows PORT FILE: the M flows from the current client namespace.
run_flows() {
	ip netns exec "$NS_CLI" env PYTHONPATH="$SELFTESTS_DIR/tools" \
		PYTHONDONTWRITEBYTECODE=1 "$PY" -c "$FLOWS_PY" "$M" "$VIP" "$1" >"$2"
}

# ---- director A ---------------------------------------------------------------

setup_nat_topology $NSERV
start_servers -k -t 80 -t 81
add_flow_addresses
NS_CLI_A=$NS_CLI
NS_DIR_A=$NS_DIR

rules="-A -t $VIP:80 -s mh -b mh-port"$'\n'
rules+="-a -t $VIP:80 -r ${RS_IP[1]}:80 -m -w 5"$'\n'
rules+="-a -t $VIP:80 -r ${RS_IP[2]}:80 -m -w 3"$'\n'
rules+="-a -t $VIP:80 -r ${RS_IP[3]}:80 -m -w 1"$'\n'
rules+="-A -t $VIP:81 -s mh"$'\n'
for ((i = 1; i <= NSERV; i++)); do
	rules+="-a -t $VIP:81 -r ${RS_IP[i]}:81 -m -w 1"$'\n'
done
ipvsadm_d -R <<<"$rules" || fail "cannot add the mh services"

# ---- 1. distribution ------------------------------------------------------------

t0=$(now_ms)
client -n "$N_DIST" -w 2000 "$VIP" 80 >"$TMPD/dist"
log_info "distribution run: $((($(now_ms) - t0) / 1000)) s"
got=$(tally "$TMPD/dist")
log_info "$N_DIST connections, weights 5:3:1 with mh-port: $got"
declare -A cnt=()
for kv in $got; do
	cnt[${kv%%=*}]=${kv#*=}
done
desc=
rc=0
for s in 1:5 2:3 3:1; do
	i=${s%%:*}
	w=${s#*:}
	n=${cnt[rs$i]:-0}
	# share and expectation in hundredths of a percent
	share=$((n * 10000 / N_DIST))
	want=$((w * 10000 / 9))
	d=$((share - want))
	[ ${d#-} -le $((SHARE_TOL * 100)) ] || rc=1
	printf -v part ' rs%d %d.%02d%% (want %d.%02d%%)' "$i" $((share / 100)) $((share % 100)) \
		$((want / 100)) $((want % 100))
	desc+=$part
done
[ -z "${cnt[ERROR]:-}" ] || rc=1
log_test $rc "mh-port 5:3:1 over $N_DIST flows, shares within ${SHARE_TOL} points"
log_info "shares:$desc${cnt[ERROR]:+, ${cnt[ERROR]} failed}"

# ---- 2 and 3: the same M flows through two directors ----------------------------

t0=$(now_ms)
run_flows 81 "$TMPD/a_before" || fail "flow client failed on director A"
log_info "$M flows: $((($(now_ms) - t0) / 1000)) s"
mapfile -t before <"$TMPD/a_before"

new_names
setup_nat_topology $NSERV
start_servers -k -t 81
add_flow_addresses
rules="-A -t $VIP:81 -s mh"$'\n'
for ((i = NSERV; i >= 1; i--)); do
	rules+="-a -t $VIP:81 -r ${RS_IP[i]}:81 -m -w 1"$'\n'
done
ipvsadm_d -R <<<"$rules" || fail "cannot add the mh service on director B"
run_flows 81 "$TMPD/b" || fail "flow client failed on director B"
mapfile -t other <"$TMPD/b"

NS_CLI=$NS_CLI_A
NS_DIR=$NS_DIR_A
ipvsadm_d -d -t "$VIP:81" -r "${RS_IP[DEL]}:81" || fail "cannot delete rs$DEL"
run_flows 81 "$TMPD/a_after" || fail "flow client failed on director A after the delete"
mapfile -t after <"$TMPD/a_after"

same=0
failed=0
moved=0
moved_other=0
on_del=0
stayed_del=0
declare -A share_a=()
for ((i = 0; i < M; i++)); do
	a=${before[i]:--}
	b=${other[i]:--}
	c=${after[i]:--}
	if [ "$a" = - ] || [ "$b" = - ] || [ "$c" = - ]; then
		failed=$((failed + 1))
		continue
	fi
	share_a[$a]=$((${share_a[$a]:-0} + 1))
	[ "$a" = "$b" ] && same=$((same + 1))
	if [ "$a" = "rs$DEL" ]; then
		on_del=$((on_del + 1))
		[ "$c" = "$a" ] && stayed_del=$((stayed_del + 1))
	fi
	if [ "$a" != "$c" ]; then
		moved=$((moved + 1))
		[ "$a" = "rs$DEL" ] || moved_other=$((moved_other + 1))
	fi
done
desc=
for ((i = 1; i <= NSERV; i++)); do
	desc+=" rs$i=${share_a[rs$i]:-0}"
done
log_info "$M flows over $NSERV servers on director A:$desc"

[ $failed -eq 0 ]
log_test $? "all $M flows answered on both directors, before and after the delete (failed: $failed)"

# moved and its expectation in hundredths of a percent
mv=$((moved * 10000 / M))
want=$((10000 / NSERV))
d=$((mv - want))
rc=0
[ ${d#-} -le $((MOVE_TOL * 100)) ] || rc=1
printf -v pct '%d.%02d%%' $((mv / 100)) $((mv % 100))
log_test $rc "deleting 1 of $NSERV servers moved $pct of $M flows (want $((100 / NSERV))% +- $MOVE_TOL points)"

[ $on_del -gt 0 ] && [ $stayed_del -eq 0 ]
log_test $? "all $on_del flows of the deleted rs$DEL moved elsewhere (stayed: $stayed_del)"

rest=$((M - on_del - failed))
rc=1
[ $rest -gt 0 ] && [ $((moved_other * 100)) -le $((OTHER_MAX * rest)) ] && rc=0
log_test $rc "flows of the other servers that moved: $moved_other of $rest (at most $OTHER_MAX%)"

[ $same -eq $((M - failed)) ] && [ $failed -eq 0 ]
log_test $? "director B (servers added in reverse order) agrees on $same of $M flows"

exit $RET
