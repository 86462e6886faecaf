#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                  director ns (deleted mid-traffic)   real servers
#  long-lived TCP + UDP ===   VIP 10.0.1.100:80 tcp + udp, rr, -m  --- rs1
#  new connections, churn --                                       --- rs2
#                                                                  --- rs3
#
# Module and namespace teardown under traffic.  The rule (the same as the
# kernel's ip_vs): a service holds a reference on its scheduler module, and
# the scheduler module uses the core's symbols, so while services exist
# "modprobe -r <sched>" and "rmmod <core>" are refused as in use and change
# nothing.  Deleting the director namespace tears its services down (under
# traffic, without a splat), after which both modules unload; they load
# again and work; a flush under traffic also releases them.

. "$(dirname "$0")/lib.sh"

if [ "$L4VS_IMPL" = ipvs ]; then
	core=ip_vs
	sched=ip_vs_rr
else
	core=l4vs
	sched=l4vs_rr
fi

require_tools
load_impl
dmesg_mark "unload_traffic-$$"

# traffic: long-lived TCP and UDP exchanges plus a stream of new connections
start_traffic() {
	bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -i 100 -d 300 -w 500 "$VIP" 80 >"$TMPD/ltcp"
	bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -u -i 100 -d 300 -w 500 "$VIP" 80 \
		>"$TMPD/ludp"
	bg ip netns exec "$NS_CLI" "$VS_CLIENT" -n 1000000 -w 500 "$VIP" 80 >"$TMPD/churn"
}

traffic_up() {
	grep -q '^connected ' "$TMPD/ltcp" && grep -q '^connected ' "$TMPD/ludp" &&
		grep -q '^rs' "$TMPD/churn"
}

build() {
	new_names
	setup_nat_topology 3
	start_servers -k -t 80 -u 80
	add_nat_service -t "$VIP:80" && add_nat_service -u "$VIP:80"
	log_test $? "services configured in $NS_DIR"
	start_traffic
	wait_until 20 traffic_up
	log_test $? "traffic flows"
}

build
ipvsadm_d -Sn >"$TMPD/before"

modprobe -r "$sched" 2>"$TMPD/err"
rc=$?
[ $rc -ne 0 ]
log_test $? "modprobe -r $sched refused while services use it ($(cat "$TMPD/err"))"
rmmod "$core" 2>"$TMPD/err"
rc=$?
if [ $rc -ne 0 ]; then
	log_test 0 "rmmod $core refused while configured ($(cat "$TMPD/err"))"
	ipvsadm_d -Sn >"$TMPD/after"
	same "refused unloads change nothing" "$TMPD/before" "$TMPD/after"
	n=$(grep -c '^rs' "$TMPD/churn")
	wait_until 10 eval '[ "$(grep -c "^rs" "$TMPD/churn")" -gt "$n" ]'
	log_test $? "traffic still flows after the refused unloads"
else
	# Allowed only if the module's exit tore everything down cleanly.
	log_info "rmmod $core succeeded with services configured"
	! module_loaded "$sched"
	log_test $? "$sched went away with $core"
	load_impl
	ipvsadm_d -Sn >"$TMPD/after"
	[ ! -s "$TMPD/after" ]
	log_test $? "after reload the old services are gone"
	add_nat_service -t "$VIP:80" && add_nat_service -u "$VIP:80"
	log_test $? "services configured again"
fi

# Delete the director namespace under traffic.
ip netns del "$NS_DIR"
log_test $? "ip netns del $NS_DIR under traffic"
# The namespace is torn down asynchronously; the modules stay busy until then.
# Every scheduler module pins the core, and earlier tests may have loaded
# others than $sched: unload whichever are there, then the core.
unload_both() {
	local m

	while read -r m; do
		modprobe -r "$m" 2>/dev/null || return 1
	done < <(awk -v p="${core}_" 'index($1, p) == 1 { print $1 }' /proc/modules)
	modprobe -r "$core" 2>/dev/null
}
wait_until 60 unload_both
log_test $? "$sched and $core unload once the namespace is gone"
stop_bg
cleanup
NS_LIST=()
TMPD=
_sleep_fd=

# Load again and check everything still works, then flush under traffic.
load_impl
module_loaded "$core"
log_test $? "$core loads again"
build
# The background clients take turns too, so no exact 2/2/2 here: nat_rr
# checks the distribution; this checks every request is served.
client -n 6 "$VIP" 80 >"$TMPD/again"
rc=$?
got=$(tally "$TMPD/again")
[ $rc -eq 0 ] && [[ $got != *ERROR* ]] && [ "$(grep -c '^rs[1-3] ' "$TMPD/again")" -eq 6 ]
log_test $? "after reload: 6 new connections all served (got: $got)"

ipvsadm_d -C
log_test $? "flush under traffic"
wait_until 30 unload_both
log_test $? "$sched and $core unload after the flush, traffic still running"
stop_bg

load_impl
log_test $? "$core loads once more"

check_dmesg "unload_traffic-$$"
log_test $? "kernel log clean"

exit $RET
