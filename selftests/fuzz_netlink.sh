#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                  director ns                     real servers
#  10.0.1.2 ----------------  VIP 10.0.1.100:80 tcp, rr, -m   --- rs1 10.0.11.2
#  vs_client loop (traffic)   (the control service)           --- rs2 10.0.12.2
#                             2 x nl_fuzz: IPVS genetlink,
#                             seeds S and S+1, in parallel
#
# Seeded fuzzing of the "IPVS" generic netlink family while traffic flows
# through a NAT service: two nl_fuzz processes send every IPVS_CMD_* with
# plausible, random, byte-mangled and truncated attributes (services, real
# servers and daemons on other addresses come and go).  Every request must
# be answered and every reply well formed; the control service's rules must
# come out unchanged and keep serving; then a shorter run that may flush
# the table; l4vsadm still lists, and the module unloads.  run.sh fails the
# test on any kernel splat.  Size: L4VS_FUZZ_SCALE=large or
# L4VS_FUZZ_ITERS=N; replay: L4VS_FUZZ_SEED=S (printed).

. "$(dirname "$0")/lib.sh"

NL_FUZZ=$SELFTESTS_DIR/tools/nl_fuzz

require_tools "$NL_FUZZ"
require_l4vsadm
load_impl
fuzz_setup 1500 40000
setup_nat_topology 2
start_servers -t 80
add_nat_service -t "$VIP:80" || fail "cannot add the control service"

tag=fuzz_netlink-$NS_SUFFIX
dmesg_mark "$tag"

# control: the control service's rules, as l4vsadm saves them
control() {
	l4vsadm_d -S -n | grep -F -- "-t $VIP:80 "
}
control >"$TMPD/control.before" || fail "cannot list the control service"
[ "$(wc -l <"$TMPD/control.before")" = 3 ] || fail "control service: $(cat "$TMPD/control.before")"

client -n 2 -w 2000 "$VIP" 80 >"$TMPD/pre"
[ "$(tally "$TMPD/pre")" = "rs1=1 rs2=1" ] || fail "NAT does not work to begin with: $(tally "$TMPD/pre")"

# traffic: a new connection after another until stopped
bg ip netns exec "$NS_CLI" "$VS_CLIENT" -n 1000000 -w 2000 "$VIP" 80 >"$TMPD/traffic"
traffic_pid=$BG_PID

start=$(now_ms)
dir_exec "$NL_FUZZ" -s "$FUZZ_SEED" -n "$FUZZ_ITERS" >"$TMPD/fuzz1" 2>&1 &
f1=$!
dir_exec "$NL_FUZZ" -s "$((FUZZ_SEED + 1))" -n "$FUZZ_ITERS" >"$TMPD/fuzz2" 2>&1 &
f2=$!
wait $f1
rc1=$?
wait $f2
rc2=$?
secs=$((($(now_ms) - start) / 1000))
kill -TERM "$traffic_pid" 2>/dev/null
wait "$traffic_pid" 2>/dev/null
cat "$TMPD/fuzz1" "$TMPD/fuzz2"
log_info "2 x $FUZZ_ITERS requests in ${secs}s"
[ $rc1 -eq 0 ]
log_test $? "seed $FUZZ_SEED: every request answered, every reply well formed (exit $rc1)"
[ $rc2 -eq 0 ]
log_test $? "seed $((FUZZ_SEED + 1)): every request answered, every reply well formed (exit $rc2)"

ok=$(grep -vc '^ERROR' "$TMPD/traffic")
bad=$(grep -c '^ERROR' "$TMPD/traffic")
[ "$ok" -gt 0 ]
log_test $? "traffic through the control service during the fuzz (ok $ok, failed $bad)"

control >"$TMPD/control.after"
same "the control service's rules are unchanged" "$TMPD/control.before" "$TMPD/control.after"

# not an exact 5/5: after thousands of connections a new one may reuse a
# client port whose TIME_WAIT entry still exists and so its real server
client -n 10 -w 2000 "$VIP" 80 >"$TMPD/post"
got=$(tally "$TMPD/post")
[[ $got =~ ^rs1=[0-9]+\ rs2=[0-9]+$ ]]
log_test $? "the control service still serves 10 requests on both real servers (got: $got)"

# now flushes too: the table may go at any moment
small=$((FUZZ_ITERS / 5))
dir_exec "$NL_FUZZ" -F -s "$((FUZZ_SEED + 2))" -n "$small" >"$TMPD/fuzz3" 2>&1
rc=$?
cat "$TMPD/fuzz3"
log_test $rc "seed $((FUZZ_SEED + 2)) with flushes: every request answered (exit $rc)"

l4vsadm_d -Ln >"$TMPD/list"
rc=$?
log_test $rc "l4vsadm -Ln still lists ($(($(wc -l <"$TMPD/list") - 3)) lines of services and servers)"
l4vsadm_d -L --daemon >/dev/null
log_test $? "l4vsadm -L --daemon still lists"

check_dmesg "$tag"
log_test $? "kernel log clean"

# the namespace goes with whatever the fuzz left (services, daemons), then
# the module
cleanup
NS_LIST=()
DEFERRED=()
TMPD=
mod=l4vs
[ "$IMPL" = ipvs ] && mod=ip_vs
unload_module "$mod"
log_test $? "the module unloads afterwards"

exit $RET
