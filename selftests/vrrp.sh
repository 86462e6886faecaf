#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#                  one bridge (lan ns), 10.0.1.0/24
#   ---+--------------+-----------------+-----------------+-----------+---
#      |              |                 |                 |           |
#   client        director 1        director 2          rs1 .11    rs2 .12
#   10.0.1.2      10.0.1.1          10.0.1.3            VIP on lo, arp_ignore,
#                 keepalived -i dir1 keepalived -i dir2 answer the client
#                 priority 150      priority 100        directly (DR)
#                 VIP 10.0.1.100 on whichever is the VRRP master
#
# Two directors share the VIP through keepalived's VRRP
# (Documentation/examples/keepalived-vrrp.conf, as it is); both run the
# same DR virtual server over l4vs.  Requests must succeed, through the
# director that holds the VIP, after every move:
#   - at start, director 1 is master;
#   - its keepalived stopped: the VIP moves to director 2 within a bound;
#   - restarted: director 1 preempts and takes the VIP back;
#   - its link down: director 2 takes over; link up: back to director 1.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
EXAMPLE=$REPO_DIR/Documentation/examples/keepalived-vrrp.conf
DIR2_IP=10.0.1.3
# keepalived starts slowly under TCG; a failover takes 3 adverts (1 s each)
# plus the skew, a takeover by preemption one advert
START_BOUND=120
MOVE_BOUND=60
N=6

[ -x "$KEEPALIVED" ] || skip "keepalived is not installed ($KEEPALIVED)"
[ -r "$EXAMPLE" ] || fail "$EXAMPLE is missing"
require_tools
require_l4vsadm
load_impl
setup_lan_topology 2

# The second director: another "dir-<suffix>" namespace on the same bridge
# (run.sh's reaper knows that name pattern).
printf -v _s2 '%04x%04x' $RANDOM $RANDOM
NS_DIR2=dir-$_s2
lan_add_host "$NS_DIR2" pd2 "$DIR2_IP"
in_ns "$NS_DIR2" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 "net.ipv4.conf.$LAN_DEV.rp_filter=0" ||
	fail "sysctls in $NS_DIR2"
# The VIP belongs to keepalived now, not to the topology.
ip -n "$NS_DIR" addr del "$VIP/24" dev "$LAN_DEV" || fail "cannot remove the static VIP"
ip -n "$NS_DIR" addr del "$VIP6/64" dev "$LAN_DEV" 2>/dev/null

start_servers -k -t 80

CONF=$TMPD/keepalived-vrrp.conf
sed -e "s/\b10\.0\.1\.100\b/$VIP/g" -e "s/\b10\.0\.1\.1\b/$DIR_IP/g" \
    -e "s/\b10\.0\.1\.3\b/$DIR2_IP/g" -e "s/\b10\.0\.1\.11\b/${RS_IP[1]}/g" \
    -e "s/\b10\.0\.1\.12\b/${RS_IP[2]}/g" -e "s/\blan0\b/$LAN_DEV/g" \
    "$EXAMPLE" >"$CONF" || fail "cannot copy $EXAMPLE"

for d in 1 2; do
	ns=$NS_DIR
	[ $d = 2 ] && ns=$NS_DIR2
	in_ns "$ns" "$KEEPALIVED" -i "dir$d" -t"$TMPD/config-test.$d" -f "$CONF" \
		>/dev/null 2>&1
	rc=$?
	[ $rc = 0 ] || sed 's/^/    /' "$TMPD/config-test.$d" | head -n 20
	log_test $rc "keepalived -t -i dir$d accepts the configuration"
done

KA=()
# start_ka D: keepalived for director D, VRRP and checker, in the foreground
# of a background job; its pid (the parent's) in KA[D].
start_ka() {
	local d=$1 ns=$NS_DIR

	[ "$d" = 2 ] && ns=$NS_DIR2
	bg ip netns exec "$ns" "$KEEPALIVED" --dont-fork --log-console \
		--log-detail --no-syslog -i "dir$d" -f "$CONF" \
		-p "$TMPD/ka$d.pid" -c "$TMPD/ka$d.checkers.pid" \
		-r "$TMPD/ka$d.vrrp.pid" >>"$TMPD/ka$d.log" 2>&1
	KA[d]=$BG_PID
}

stop_ka() {
	local d=$1

	kill -TERM "${KA[d]}" 2>/dev/null
	wait_until 30 eval '! kill -0 "${KA['"$d"']}" 2>/dev/null'
	wait "${KA[d]}" 2>/dev/null
}

has_vip() {
	ip -n "$1" -4 addr show dev "$LAN_DEV" | grep -q " $VIP/"
}

# master_is D: director D holds the VIP and the other one does not, and
# D's checker has the virtual server with both real servers.
master_is() {
	local me=$NS_DIR other=$NS_DIR2

	[ "$1" = 2 ] && { me=$NS_DIR2; other=$NS_DIR; }
	has_vip "$me" && ! has_vip "$other" &&
		[ "$(ip netns exec "$me" "$L4VSADM" -Sn | grep -c -- "^-a -t $VIP:80 .* -g -w 1\$")" = 2 ]
}

# conns D: connections director D's virtual server has scheduled so far.
conns() {
	local ns=$NS_DIR

	[ "$1" = 2 ] && ns=$NS_DIR2
	ip netns exec "$ns" "$L4VSADM" -Ln --stats -t "$VIP:80" 2>/dev/null |
		awk '$1 == "TCP" { print $3 }'
}

client_ok() {
	local out

	out=$(client -n 1 -w 1000 "$VIP" 80 2>/dev/null)
	[[ $out == rs* ]]
}

# moved WHAT D BOUND: the VIP is on director D within BOUND s; then N
# requests all succeed, spread over both real servers, and they went
# through director D.
moved() {
	local what=$1 d=$2 bound=$3 t0 ms rc=0 before after out=$TMPD/req got

	t0=$(now_ms)
	wait_until "$bound" master_is "$d" || rc=1
	ms=$(($(now_ms) - t0))
	log_test $rc "$what: director $d is master within ${bound}s (${ms} ms)"
	if [ $rc != 0 ]; then
		for f in "$TMPD"/ka?.log; do
			echo "---- ${f##*/} (last lines) ----"
			tail -n 25 "$f"
		done
		return 1
	fi
	# the client may still hold the old MAC for a moment (until the
	# gratuitous ARP lands): wait for a first answer, bounded too
	t0=$(now_ms)
	wait_until "$bound" client_ok
	log_test $? "$what: the VIP answers again ($(($(now_ms) - t0)) ms)"
	before=$(conns "$d")
	client -n "$N" -w 2000 "$VIP" 80 >"$out"
	after=$(conns "$d")
	got=$(tally "$out")
	[ "$got" = "rs1=$((N / 2)) rs2=$((N / 2))" ]
	log_test $? "$what: $N requests answered, spread over both real servers (got: $got)"
	[ $((${after:-0} - ${before:-0})) -ge "$N" ]
	log_test $? "$what: they went through director $d (connections ${before:-?} -> ${after:-?})"
}

start_ka 1
start_ka 2
moved "start" 1 "$START_BOUND"

stop_ka 1
log_info "director 1's keepalived stopped"
moved "keepalived on director 1 stopped" 2 "$MOVE_BOUND"

start_ka 1
moved "director 1's keepalived restarted (preemption)" 1 "$START_BOUND"

ip -n "$NS_DIR" link set "$LAN_DEV" down || fail "cannot down director 1's link"
log_info "director 1's link is down"
moved "director 1's link down" 2 "$MOVE_BOUND"

ip -n "$NS_DIR" link set "$LAN_DEV" up || fail "cannot up director 1's link"
log_info "director 1's link is up again"
moved "director 1's link up (preemption)" 1 "$MOVE_BOUND"

stop_ka 1
stop_ka 2
[ -z "$(ip netns exec "$NS_DIR" "$L4VSADM" -Sn)" ] &&
	[ -z "$(ip netns exec "$NS_DIR2" "$L4VSADM" -Sn)" ] &&
	! has_vip "$NS_DIR" && ! has_vip "$NS_DIR2"
log_test $? "both keepalived stopped: no VIP, no virtual server left"

exit $RET
