#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# compare-ipvsadm.sh: l4vsadm must print what ipvsadm prints, byte for byte,
# and must read and write ipvsadm's save format.
#
#   cl (10.0.1.2) ---- (10.0.1.1) lb (10.0.2.1) ---- (10.0.2.2) rs
#                       VIP 10.0.1.1               socat listeners
#
# One configuration (TCP, UDP, fwmark and IPv6 services; several
# schedulers, flags, weights, thresholds, -m/-g/-i, persistence) is loaded
# in the lb namespace with ipvsadm, some traffic is sent from cl through it,
# then every listing is taken with both tools and compared.  Save/restore is
# checked in both directions, and the configuration is loaded a second time
# with l4vsadm's commands to check that they build the same table.  Sync
# daemons are started and stopped with each tool, listed with both
# (-L --daemon), and both tools must refuse bad daemon requests with the
# same message.
#
# Needs root and an IPVS implementation in the kernel (the kernel's ip_vs by
# default, or l4vs: set COMPARE_MODULE=l4vs).  Exit 0: all equal, 1: a
# difference, 4: skipped.
#
# Environment: L4VSADM, IPVSADM (tool paths), COMPARE_MODULE or
# L4VS_COMPARE_MODULE (what to modprobe when the IPVS family is missing; the
# latter passes through tools/vm/run.sh), VERBOSE=1 (print every output),
# COMPARE_ONLY=daemons (only the sync daemon checks: a quicker run).

set -u

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
L4VSADM=${L4VSADM:-$dir/l4vsadm}
IPVSADM=${IPVSADM:-$(command -v ipvsadm || echo /usr/sbin/ipvsadm)}
COMPARE_MODULE=${COMPARE_MODULE:-${L4VS_COMPARE_MODULE:-ip_vs}}
VERBOSE=${VERBOSE:-0}

# The checks run inside lb (re-executed there with --inner): one namespace
# switch instead of one per command, which matters on a slow TCG guest.
if [ "${1:-}" = --inner ]; then
	inner=1
	tag=$2
	tmp=$3
else
	inner=0
	tag=$(printf '%04x%04x' $RANDOM $RANDOM)
	tmp=
fi
lb=cmp-lb-$tag
cl=cmp-cl-$tag
rs=cmp-rs-$tag
n=0
failed=0

skip() {
	echo "# SKIP: $*"
	exit 4
}

cleanup() {
	local ns

	for ns in "$cl" "$rs" "$lb"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$tmp" ] && rm -rf "$tmp"
}

setup_net() {
	ip netns add "$lb" && ip netns add "$cl" && ip netns add "$rs" || return 1
	ip -n "$lb" link set lo up
	ip -n "$cl" link set lo up
	ip -n "$rs" link set lo up
	ip link add c0 netns "$cl" type veth peer name l0 netns "$lb" || return 1
	ip link add r0 netns "$rs" type veth peer name l1 netns "$lb" || return 1
	ip -n "$cl" addr add 10.0.1.2/24 dev c0
	ip -n "$lb" addr add 10.0.1.1/24 dev l0
	ip -n "$lb" addr add 10.0.2.1/24 dev l1
	ip -n "$rs" addr add 10.0.2.2/24 dev r0
	ip -n "$cl" link set c0 up
	ip -n "$lb" link set l0 up
	ip -n "$lb" link set l1 up
	ip -n "$rs" link set r0 up
	ip -n "$rs" route add default via 10.0.2.1
	ip -n "$cl" route add default via 10.0.1.1
	ip netns exec "$lb" sysctl -qw net.ipv4.ip_forward=1
}

if [ $inner = 0 ]; then
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$L4VSADM" ] || skip "$L4VSADM not built (make -C tools/l4vsadm)"
	[ -x "$IPVSADM" ] || skip "ipvsadm not installed"
	command -v socat >/dev/null || skip "socat not installed"
	# probe with l4vsadm: ipvsadm would load ip_vs on its own
	if ! "$L4VSADM" -L --timeout >/dev/null 2>&1; then
		modprobe "$COMPARE_MODULE" 2>/dev/null ||
			skip "no IPVS in this kernel and cannot load $COMPARE_MODULE"
	fi
	trap cleanup EXIT
	tmp=$(mktemp -d)
	setup_net || skip "cannot build the test namespaces"
	ip netns exec "$lb" "$IPVSADM" -Ln >/dev/null 2>&1 ||
		skip "IPVS does not work in a namespace"
	# a private mount namespace for the name files below
	ip netns exec "$lb" unshare -m bash "${BASH_SOURCE[0]}" --inner "$tag" "$tmp"
	exit $?
fi

# A private /etc/hosts and resolver for name output: names must not depend
# on the machine, and lookups must not wait for an absent DNS server.
cat >"$tmp/hosts" <<'EOF'
127.0.0.1	localhost
10.0.1.1	vip.l4vs.test
10.0.2.2	rs-two.l4vs.test
200.1.1.1	a-rather-long-host-name-for-column-truncation.l4vs.test
EOF
: >"$tmp/resolv.conf"
mount --bind "$tmp/hosts" /etc/hosts &&
	mount --bind "$tmp/resolv.conf" /etc/resolv.conf ||
	skip "cannot bind the test hosts file"

report() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
		[ "$VERBOSE" = 1 ] && echo "# ${SECONDS}s"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# compare NAME ARGS...: the same arguments to both tools, outputs and exit
# codes equal.
compare() {
	local name=$1 try rc_a rc_b pid_a pid_b
	shift

	# Counters and timers move: both tools run at once, so that they read
	# the same second, and fresh pairs are taken a few times.
	for try in 1 2 3 4 5; do
		timeout 60 "$IPVSADM" "$@" >"$tmp/a" 2>&1 &
		pid_a=$!
		timeout 60 "$L4VSADM" "$@" >"$tmp/b" 2>&1 &
		pid_b=$!
		wait $pid_a
		rc_a=$?
		wait $pid_b
		rc_b=$?
		if [ $rc_a = 0 ] && [ $rc_b = 0 ] && cmp -s "$tmp/a" "$tmp/b"; then
			break
		fi
		sleep 0.3
	done
	if [ "$VERBOSE" = 1 ]; then
		echo "# ipvsadm $*"
		sed 's/^/#   /' "$tmp/a"
	fi
	if [ $rc_a != 0 ] || [ $rc_b != 0 ]; then
		echo "# $*: ipvsadm exit $rc_a, l4vsadm exit $rc_b"
		sed 's/^/#   /' "$tmp/a" "$tmp/b"
		report 1 "$name"
		return
	fi
	if ! cmp -s "$tmp/a" "$tmp/b"; then
		echo "# $*: outputs differ (- ipvsadm, + l4vsadm)"
		diff -u "$tmp/a" "$tmp/b" | tail -n +3 | sed 's/^/#   /'
		report 1 "$name"
		return
	fi
	report 0 "$name"
}

# compare_conns NAME ARGS...: as compare, but the expire column counts down
# while the tools start (ipvsadm sets up netlink before it reads /proc), so
# if no pair matches exactly, the column may differ by a few seconds; every
# other byte must still be equal.
compare_conns() {
	local name=$1
	shift

	compare "$name" "$@" >"$tmp/cmp-out"
	if grep -q '^ok' "$tmp/cmp-out"; then
		cat "$tmp/cmp-out"
		return
	fi
	n=$((n - 1))
	failed=$((failed - 1))
	sed -E 's/^(.{4})[0-9]{2,}:[0-9]{2}/\1XX:XX/' "$tmp/a" >"$tmp/a.norm"
	sed -E 's/^(.{4})[0-9]{2,}:[0-9]{2}/\1XX:XX/' "$tmp/b" >"$tmp/b.norm"
	if cmp -s "$tmp/a.norm" "$tmp/b.norm" &&
	   paste -d' ' <(awk 'NR > 2 { split($2, t, ":"); print t[1] * 60 + t[2] }' "$tmp/a") \
			<(awk 'NR > 2 { split($2, t, ":"); print t[1] * 60 + t[2] }' "$tmp/b") |
	   awk '{ d = $1 - $2; if (d < -5 || d > 5) exit 1 }'; then
		report 0 "$name (expire within 5 s)"
	else
		cat "$tmp/cmp-out"
		report 1 "$name"
	fi
}

# compare_err NAME ARGS...: both tools refuse, with nothing on stdout and the
# same message on stderr once l4vsadm's "l4vsadm: " prefix is taken off.  A
# usage error exits 2 from both; a request the kernel refuses exits 255 from
# ipvsadm and 1 from l4vsadm (l4vsadm's documented exit codes).  Both run
# on the same state: no refused request changes it.
compare_err() {
	local name=$1 rc_a rc_b want
	shift

	"$IPVSADM" "$@" >"$tmp/a" 2>"$tmp/a.err" </dev/null
	rc_a=$?
	"$L4VSADM" "$@" >"$tmp/b" 2>"$tmp/b.err" </dev/null
	rc_b=$?
	want=$rc_a
	[ "$rc_a" = 255 ] && want=1
	sed 's/^/l4vsadm: /' "$tmp/a.err" >"$tmp/a.want"
	if [ "$VERBOSE" = 1 ]; then
		echo "# ipvsadm $* (exit $rc_a)"
		sed 's/^/#   /' "$tmp/a.err"
	fi
	if [ "$rc_a" = 0 ] || [ "$rc_b" != "$want" ] || [ -s "$tmp/a" ] ||
	   [ -s "$tmp/b" ] || ! cmp -s "$tmp/a.want" "$tmp/b.err"; then
		echo "# $*: ipvsadm exit $rc_a, l4vsadm exit $rc_b (- ipvsadm, + l4vsadm)"
		diff -u "$tmp/a.want" "$tmp/b.err" | tail -n +3 | sed 's/^/#   /'
		sed 's/^/#   stdout: /' "$tmp/a" "$tmp/b"
		report 1 "$name"
		return
	fi
	report 0 "$name"
}

# same NAME FILE_A FILE_B
same() {
	if cmp -s "$2" "$3"; then
		report 0 "$1"
	else
		echo "# $1: differ"
		diff -u "$2" "$3" | tail -n +3 | sed 's/^/#   /'
		report 1 "$1"
	fi
}

# The configuration, in ipvsadm's grammar, restored by whichever tool is $1
# (one process: each start costs seconds on a loaded TCG guest).
# Addresses are chosen so that ipvsadm's odd sort order (10.x after 200.x)
# shows, and names resolve through the hosts file above.
configure() {
	"$1" -R <<'EOF'
-A -t 10.0.1.1:80 -s wlc
-a -t 10.0.1.1:80 -r 10.0.2.2:80 -m -w 3
-a -t 10.0.1.1:80 -r 10.0.2.3:8080 -m -w 1 -x 100 -y 50
-a -t 10.0.1.1:80 -r 10.0.2.4 -g -w 0
-A -t 10.0.1.1:443 -s rr -p 600 -M 255.255.255.0
-a -t 10.0.1.1:443 -r 10.0.2.2 -g
-a -t 10.0.1.1:443 -r 10.0.2.5 -i -w 5
-a -t 10.0.1.1:443 -r 2001:db8:5::5 -i -w 2
-A -u 10.0.1.1:53 -s sh -b sh-port,sh-fallback -o
-a -u 10.0.1.1:53 -r 10.0.2.2:5353 -m
-A -u 10.0.1.1:syslog -s wrr -p
-a -u 10.0.1.1:syslog -r 10.0.2.7:domain -m -w 4
-A -t 10.0.1.1:http-alt -s lc
-a -t 10.0.1.1:http-alt -r 10.0.2.2:http -m
-A -t 200.1.1.1:22 -s wrr -b flag-3
-a -t 200.1.1.1:22 -r 10.9.9.9 -m -w 65535
-a -t 200.1.1.1:22 -r 172.16.0.1:2222 -m -x 7
-a -t 200.1.1.1:22 -r 200.1.1.1 -g
-A -t 192.168.100.1:25 -s fo
-A -t 10.0.1.1:0 -s nq -p 30
-a -t 10.0.1.1:0 -r 10.0.2.8 -g
-A -f 7 -s sed -p 45
-a -f 7 -r 10.0.2.6:0 -g
-a -f 7 -r 10.0.2.9:81 -m
-A -f 8 -6 -s wrr
-A -t [2001:db8::1]:80 -s mh -b mh-port -p 120 -M 64
-a -t [2001:db8::1]:80 -r [2001:db8:2::2]:8080 -m -w 2
-a -t [2001:db8::1]:80 -r 2001:db8:2::3 -g -x 10 -y 5
-A -u [2001:db8::1]:53 -s ovf
-A -t 10.0.1.1:8443 -s dh -p 86400 -M 255.255.0.0
-a -t 10.0.1.1:8443 -r 10.0.2.2 -i --tun-type gue --tun-port 6080 --tun-csum
-a -t 10.0.1.1:8443 -r 10.0.2.3 -i --tun-type gre --tun-csum
--set 900 120 300
EOF
}

# A few TCP connections and UDP datagrams through the VIP, so that the
# counters have something in them.
traffic() {
	local i

	# the server holds each connection open for a while: ESTABLISHED entries
	ip netns exec "$rs" socat TCP-LISTEN:80,fork,reuseaddr \
		SYSTEM:'echo hello; sleep 60' </dev/null >/dev/null 2>&1 &
	ip netns exec "$rs" socat UDP-RECVFROM:5353,fork SYSTEM:'echo pong' \
		</dev/null >/dev/null 2>&1 &
	sleep 1
	for i in 1 2 3; do
		ip netns exec "$cl" socat -T 1 - TCP:10.0.1.1:80,connect-timeout=2 \
			</dev/null >/dev/null 2>&1
		echo ping | ip netns exec "$cl" socat -T 1 - UDP:10.0.1.1:53 \
			>/dev/null 2>&1
	done
	return 0
}

# Connections that are still in the table when -Lc reads it: two held open,
# one to a real server that does not answer (SYN_RECV), one UDP flow and
# the persistence template of 10.0.1.1:443.
hold_conns() {
	local i

	for i in 1 2; do
		sleep 90 | ip netns exec "$cl" socat -T 90 - TCP:10.0.1.1:80 \
			>/dev/null 2>&1 &
	done
	ip netns exec "$cl" socat -T 1 - TCP:10.0.1.1:http-alt,connect-timeout=1 \
		</dev/null >/dev/null 2>&1
	ip netns exec "$cl" socat -T 1 - TCP:10.0.1.1:https,connect-timeout=1 \
		</dev/null >/dev/null 2>&1
	echo ping | ip netns exec "$cl" socat -T 1 - UDP:10.0.1.1:53 >/dev/null 2>&1
	sleep 1
}

# Sync daemons.  Each tool starts one, both list them; then the same
# daemon is started by each tool in turn and ipvsadm's listing of it must
# not depend on which tool started it (the requests mean the same).
daemons() {
	local t opts

	# IPv6 groups need an IPv6 address on the interface
	ip addr add fd00:1::1/64 dev l0 nodad
	compare "daemons: none running"		-L --daemon
	"$IPVSADM" --start-daemon master --mcast-interface l0 --syncid 7
	report $? "daemons: ipvsadm starts a master"
	"$L4VSADM" --start-daemon backup --mcast-interface l1 --syncid 9 \
		--sync-maxlen 1200 --mcast-group 239.1.2.3 --mcast-port 9000 \
		--mcast-ttl 4
	report $? "daemons: l4vsadm starts a backup"
	compare "daemons: master and backup"	-L --daemon
	compare "daemons: -l -n"		-l -n --daemon
	compare "daemons: --syncid taken and ignored" -L --daemon --syncid 3
	if command -v python3 >/dev/null; then
		"$L4VSADM" -L --daemon -j | python3 -c '
import json, sys
d = json.load(sys.stdin)["daemons"]
assert [x["state"] for x in d] == ["master", "backup"], d
b = d[1]
assert (b["mcast_interface"], b["syncid"], b["mcast_group"], b["mcast_port"],
        b["mcast_ttl"], b["mcast_family"]) == ("l1", 9, "239.1.2.3", 9000, 4,
        "inet"), b
assert d[0]["mcast_interface"] == "l0" and d[0]["syncid"] == 7, d
'
		report $? "daemons: JSON listing"
	fi
	compare_err "daemons: a second master is refused" \
		--start-daemon master --mcast-interface l1
	compare_err "daemons: a second backup is refused" \
		--start-daemon backup --mcast-interface l0
	"$L4VSADM" --stop-daemon master
	report $? "daemons: l4vsadm stops the master"
	compare "daemons: backup only"		-L --daemon
	"$IPVSADM" --stop-daemon backup
	report $? "daemons: ipvsadm stops the backup"
	compare "daemons: none after stopping"	-L --daemon
	compare_err "daemons: stop a master that is not running" \
		--stop-daemon master
	compare_err "daemons: stop a backup that is not running" \
		--stop-daemon backup --syncid 4
	compare_err "daemons: missing interface" \
		--start-daemon master --mcast-interface nosuchif0
	# ipvsadm's default interface, eth0, does not exist in this namespace
	compare_err "daemons: default interface eth0" --start-daemon backup
	compare_err "daemons: a cut interface name" \
		--start-daemon master --mcast-interface abcdefghijklmnopq

	for opts in "master --mcast-interface l0" \
		    "backup --mcast-interface l1 --syncid 255" \
		    "master --mcast-interface l0 --mcast-group ff02::81 --mcast-port 8849" \
		    "backup --mcast-interface l0 --mcast-group ff02::82 --sync-maxlen 9000 --mcast-ttl 2" \
		    "master --mcast-interface l1 --sync-maxlen 1 --mcast-group 224.0.0.81 --mcast-port 65535 --mcast-ttl 255 --syncid 0"; do
		for t in "$IPVSADM" "$L4VSADM"; do
			# shellcheck disable=SC2086
			"$t" --start-daemon $opts &&
			"$IPVSADM" -L --daemon >"$tmp/daemon-$(basename "$t")"
			report $? "daemons: $(basename "$t") --start-daemon $opts"
			[ "$t" = "$L4VSADM" ] &&
				compare "daemons: list after --start-daemon $opts" -L --daemon
			"$IPVSADM" --stop-daemon "${opts%% *}"
		done
		same "daemons: the same daemon from both tools: $opts" \
			"$tmp/daemon-$(basename "$IPVSADM")" \
			"$tmp/daemon-$(basename "$L4VSADM")"
	done

	printf -- '--start-daemon backup --mcast-interface l0 --syncid 2\n' |
		"$L4VSADM" -R
	report $? "daemons: l4vsadm -R starts a daemon"
	compare "daemons: started by a restore"	-L --daemon
	"$L4VSADM" --stop-daemon backup

	# usage errors: the daemon options' own messages are ipvsadm's
	compare_err "daemons: bad state to start" --start-daemon Master
	compare_err "daemons: bad state to stop" --stop-daemon bogus
	compare_err "daemons: syncid too large" --start-daemon master --syncid 256
	compare_err "daemons: syncid not decimal" --start-daemon master --syncid 0x10
	compare_err "daemons: syncid twice" --start-daemon master --syncid 1 --syncid 2
	compare_err "daemons: sync-maxlen too large" \
		--start-daemon master --sync-maxlen 65508
	compare_err "daemons: sync-maxlen 0" --start-daemon master --sync-maxlen 0
	compare_err "daemons: unicast IPv4 group" \
		--start-daemon master --mcast-group 10.0.0.1
	compare_err "daemons: unicast IPv6 group" \
		--start-daemon master --mcast-group 2001:db8::1
	compare_err "daemons: group with a port" \
		--start-daemon master --mcast-group 224.1.2.3:80
	compare_err "daemons: group by name" --start-daemon master --mcast-group bogus
	compare_err "daemons: mcast-port 0" --start-daemon master --mcast-port 0
	compare_err "daemons: mcast-port by name" --start-daemon master --mcast-port http
	compare_err "daemons: mcast-ttl too large" --start-daemon master --mcast-ttl 256
	compare_err "daemons: -n with --start-daemon" \
		--start-daemon master --mcast-interface l0 -n
	compare_err "daemons: --daemon with --start-daemon" \
		--start-daemon master --daemon
	compare_err "daemons: a service with --start-daemon" \
		--start-daemon master -t 10.0.1.1:80
	compare_err "daemons: interface with --stop-daemon" \
		--stop-daemon master --mcast-interface l0
	compare_err "daemons: group with --stop-daemon" \
		--stop-daemon master --mcast-group 224.1.1.1
	compare_err "daemons: -L --daemon --stats" -L --daemon --stats
	compare_err "daemons: -L --daemon -c" -L --daemon -c
	compare_err "daemons: -L --daemon --timeout" -L --daemon --timeout
	compare_err "daemons: -L --daemon with a service" -L --daemon -t 10.0.1.1:80
	compare_err "daemons: -L with an interface" -L --daemon --mcast-interface l0
	compare_err "daemons: --daemon twice" -L --daemon --daemon
	compare_err "daemons: --syncid with -A" -A -t 10.0.1.1:80 --syncid 3
	compare_err "daemons: --daemon with -S" -S --daemon
	ip addr del fd00:1::1/64 dev l0
}

# Sync daemons, on an empty table: the kernel's ip_vs refuses to start one
# while a real server has another family than its service (checked first,
# with the configuration saved in $tmp/saved-ipvsadm).  l4vs may not have
# the daemon commands (yet): then say so instead of failing every check.
daemon_section() {
	"$IPVSADM" -C
	if ! "$IPVSADM" --start-daemon master --mcast-interface l0 2>"$tmp/err"; then
		n=$((n + 1))
		echo "ok $n - daemons # SKIP ipvsadm cannot start one here: $(cat "$tmp/err")"
		return
	fi
	"$IPVSADM" --stop-daemon master
	"$IPVSADM" -R <"$tmp/saved-ipvsadm"
	compare_err "daemons: refused while a real server has another family" \
		--start-daemon master --mcast-interface l0
	"$IPVSADM" -C
	daemons
}

echo "TAP version 13"

# COMPARE_ONLY=daemons: the sync daemon checks alone (they need no traffic).
if [ "${COMPARE_ONLY:-}" = daemons ]; then
	configure "$IPVSADM"
	report $? "configuration loads with ipvsadm"
	"$IPVSADM" -Sn >"$tmp/saved-ipvsadm"
	daemon_section
	"$IPVSADM" -C
	echo "1..$n"
	echo "# $((n - failed)) passed, $failed failed"
	[ $failed = 0 ]
	exit
fi

configure "$IPVSADM"
report $? "configuration loads with ipvsadm"
traffic

compare "list numeric"			-Ln
compare "list with names"		-L
compare "list -l"			-l -n
compare "stats"				-Ln --stats
compare "stats exact"			-Ln --stats --exact
compare "rate"				-Ln --rate
compare "rate exact"			-Ln --rate --exact
compare "thresholds"			-Ln --thresholds
compare "persistent-conn"		-Ln --persistent-conn
compare "tun-info"			-Ln --tun-info
compare "nosort"			-Ln --nosort
compare "one service"			-Ln -t 10.0.1.1:80
compare "one service by name"		-L -t vip.l4vs.test:http
compare "one fwmark service"		-Ln -f 7
compare "one IPv6 service stats"	-Ln --stats -t [2001:db8::1]:80
compare "timeout"			-L --timeout
compare "save numeric"			-Sn
compare "save with names"		-S
hold_conns
entries=$("$IPVSADM" -Lnc | tail -n +3 | wc -l)
[ "$entries" -ge 3 ]
report $? "the connection table has entries to compare ($entries)"
compare_conns "connections numeric"	-Lnc
compare_conns "connections with names"	-Lc

# Save with ipvsadm, restore with l4vsadm, and the other way round.
"$IPVSADM" -Sn >"$tmp/saved-ipvsadm"
"$L4VSADM" -C && "$L4VSADM" -R <"$tmp/saved-ipvsadm"
report $? "l4vsadm -R takes ipvsadm -Sn output"
"$IPVSADM" -Sn >"$tmp/after-l4vsadm-restore"
same "ipvsadm -Sn after l4vsadm -R" "$tmp/saved-ipvsadm" "$tmp/after-l4vsadm-restore"

"$L4VSADM" -Sn >"$tmp/saved-l4vsadm"
"$IPVSADM" -C && "$IPVSADM" -R <"$tmp/saved-l4vsadm"
report $? "ipvsadm -R takes l4vsadm -Sn output"
"$IPVSADM" -Sn >"$tmp/after-ipvsadm-restore"
same "ipvsadm -Sn after ipvsadm -R of l4vsadm -Sn" "$tmp/saved-ipvsadm" \
	"$tmp/after-ipvsadm-restore"

# Names in a save file (-S) restore too.
"$IPVSADM" -S >"$tmp/saved-names"
"$L4VSADM" -C && "$L4VSADM" -R <"$tmp/saved-names"
report $? "l4vsadm -R takes ipvsadm -S (names) output"
"$IPVSADM" -Sn >"$tmp/after-names"
same "table after restoring names" "$tmp/saved-ipvsadm" "$tmp/after-names"

# The same commands given to l4vsadm build the same table.
"$IPVSADM" -C
"$IPVSADM" --set 1 1 1
configure "$L4VSADM"
report $? "configuration loads with l4vsadm"
"$IPVSADM" -Sn >"$tmp/configured-l4vsadm"
same "l4vsadm commands build ipvsadm's table" "$tmp/saved-ipvsadm" \
	"$tmp/configured-l4vsadm"
compare "timeout set by l4vsadm"	-L --timeout

# Edits and deletions go through both tools alike.
for t in "$IPVSADM" "$L4VSADM"; do
	"$t" -E -t 10.0.1.1:80 -s rr -p 99 &&
	"$t" -e -t 10.0.1.1:80 -r 10.0.2.2:80 -m -w 9 -x 20 -y 2 &&
	"$t" -d -t 10.0.1.1:80 -r 10.0.2.4 &&
	"$t" -D -u [2001:db8::1]:53 &&
	"$t" -Z -t 10.0.1.1:80 &&
	"$t" -Sn >"$tmp/edited-$(basename "$t")"
	report $? "edits with $(basename "$t")"
	# put the table back for the next tool
	"$IPVSADM" -C && "$IPVSADM" -R <"$tmp/saved-ipvsadm"
done
same "edits give the same table" "$tmp/edited-ipvsadm" "$tmp/edited-l4vsadm"

# Bad input: usage errors exit 2 and change nothing.
before=$("$IPVSADM" -Sn)
# (test-parse.sh checks many more without a kernel)
for bad in "-A -t 10.0.1.1:80 -w 3" "-a -t 10.0.1.1:80 -r 10.0.2.9 -w 70000"; do
	# shellcheck disable=SC2086
	"$L4VSADM" $bad 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ]
	report $? "usage error exits 2 with one line: $bad"
done
printf -- '-A -t 10.9.9.1:80\n-a -t 10.9.9.1:80 -r 10.0.0.1 -w bad\n' |
	"$L4VSADM" -R 2>/dev/null
[ $? = 2 ] && [ "$("$IPVSADM" -Sn)" = "$before" ]
report $? "a bad restore file changes nothing"
"$L4VSADM" -A -t 10.0.1.1:80 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ "$("$IPVSADM" -Sn)" = "$before" ]
report $? "kernel error exits 1 with one line ($(cat "$tmp/err"))"

# JSON parses and carries the table.
if command -v python3 >/dev/null && python3 -c 'import json' 2>/dev/null; then
	"$L4VSADM" -Ln --json --stats --rate >"$tmp/json"
	python3 - "$tmp/json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
svcs = d["services"]
assert any(s.get("port") == 80 and s.get("address") == "10.0.1.1" and
           len(s["dests"]) == 3 for s in svcs), "10.0.1.1:80 with 3 dests"
assert any(s.get("fwmark") == 7 for s in svcs), "fwmark 7"
assert all("stats" in s and "rates" in s for s in svcs)
EOF
	report $? "JSON listing"
	"$L4VSADM" --timeout -L -j | python3 -c \
		'import json,sys; t=json.load(sys.stdin)["timeouts"]; assert t["tcp"]==900, t'
	report $? "JSON timeouts"
	"$L4VSADM" -Lnc -j | python3 -c \
		'import json,sys; c=json.load(sys.stdin)["connections"]; assert isinstance(c, list)'
	report $? "JSON connections"
fi

daemon_section

"$IPVSADM" -C
echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
