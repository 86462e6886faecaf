#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                     director ns                    real server
#  long TCP conn   -> VIP:80     VIP 10.0.1.100, -m, rr   ---   rs1 :80 tcp
#  long SCTP assoc -> VIP:81     (module reloaded while         rs1 :81 sctp
#  (paused meanwhile)             both are open)
#
# Sloppy pickup (net.ipv4.vs.sloppy_tcp, sloppy_sctp): a director that
# never saw a flow open (here: the balancing module reloaded under open
# connections, as after a restart or a failover without connection sync)
# creates its entry from the first packet it sees, when the protocol's knob
# is set.  Round 1: sloppy_tcp=1, sloppy_sctp=0; round 2 the other way.
# With the knob set the flow carries on, on the same server, without a
# reconnect, and the director lists its entry ESTABLISHED (the state the
# packet implies); without it the first mid-stream packet creates nothing,
# goes to the director's own stack (a reset, an ABORT) and the client has
# to connect again.  Then, where the kernel has ip_vs, the same rounds run
# through it and must end the same way.
#
# While the module is out the clients are stopped (SIGSTOP, after their
# last exchange was acknowledged) and the director drops the VIP's traffic
# and the server's, so nothing reaches a half-configured director.
#
# Fails if: l4vs_tcp_may_pick_up() / l4vs_sctp_may_pick_up() ignore their
# knob (the knob-off flow is picked up, or the knob-on one is not), or if a
# picked-up entry does not start ESTABLISHED (tcp_next_state(),
# sctp_next_state() from NONE).

. "$(dirname "$0")/lib.sh"

require_tools
modprobe sctp 2>/dev/null
[ -d /proc/sys/net/sctp ] || skip "no SCTP support in this kernel (modprobe sctp failed)"
command -v nft >/dev/null || skip "nft (nftables) is not installed"

setup_nat_topology 1
start_servers -k -t 80 -s 81
# the client retransmits soon and often, the server late: after the
# window, the client's packet is the one the director sees first
cli_exec sysctl -qw net.sctp.rto_min=100 net.sctp.rto_initial=300 \
	net.sctp.rto_max=500 || fail "client SCTP sysctls"
in_ns "${NS_RS[1]}" sysctl -qw net.sctp.rto_min=3000 net.sctp.rto_initial=3000 ||
	fail "server SCTP sysctls"

services() {
	ipvsadm_d -R <<-EOF
		-A -t $VIP:80 -s rr
		-a -t $VIP:80 -r ${RS_IP[1]}:80 -m -w 1
		-A --sctp-service $VIP:81 -s rr
		-a --sctp-service $VIP:81 -r ${RS_IP[1]}:81 -m -w 1
	EOF
}

block() {
	dir_exec nft -f - <<-EOF
		table ip l4vs_sloppy {
			chain pre {
				type filter hook prerouting priority -500;
				ip daddr $VIP drop
				ip saddr ${RS_IP[1]} drop
			}
		}
	EOF
}

# state PROTO PORT: the state of the director's entry for VIP:PORT
state() {
	ipvsadm_d -Lnc | awk -v p="$1" -v v="$VIP:$2" \
		'$1 == p && $5 == v { print $3; exit }'
}

# reload IMPL SLOPPY_TCP SLOPPY_SCTP: the module out and in again under the
# open connections, the knobs set before the services come back
reload() {
	local impl=$1 mod=l4vs

	[ "$impl" = ipvs ] && mod=ip_vs
	block || fail "cannot block the VIP"
	ipvsadm_d -C
	unload_module "$mod" || fail "cannot unload $mod"
	load_impl "$impl"
	dir_exec sysctl -qw net.ipv4.vs.sloppy_tcp="$2" net.ipv4.vs.sloppy_sctp="$3" ||
		fail "cannot set the sloppy knobs"
	services || fail "cannot add the services again"
	dir_exec nft delete table ip l4vs_sloppy || fail "cannot unblock the VIP"
}

# round IMPL SLOPPY_TCP SLOPPY_SCTP: OUT[tcp], OUT[sctp] = "picked up
# STATE" or "reconnected"
declare -A OUT
round() {
	local impl=$1 tcp=$TMPD/tcp.$1.$2 sctp=$TMPD/sctp.$1.$2 p f sum

	long_start "$tcp" -i 200 -w 30000 "$VIP" 80
	local tpid=$LONG_PID
	long_start "$sctp" -s -i 200 -w 30000 "$VIP" 81
	local spid=$LONG_PID
	wait_until 15 long_connected "$tcp" && wait_until 15 long_connected "$sctp" ||
		fail "the long-lived connections did not come up"
	kill -STOP "$tpid" "$spid"
	# every request answered and acknowledged before the module goes
	nap 0.5
	reload "$impl" "$2" "$3"
	kill -CONT "$tpid" "$spid"
	wait_until 15 long_wrote "$tcp" $(($(long_lines "$tcp") + 3))
	wait_until 15 long_wrote "$sctp" $(($(long_lines "$sctp") + 3))
	OUT[tcp]=$(state TCP 80)
	OUT[sctp]=$(state SCTP 81)
	long_stop "$tpid" "$tcp" 1
	long_stop "$spid" "$sctp" 1
	for p in tcp sctp; do
		f=$TMPD/$p.$1.$2
		sum=$(tail -n 1 "$f")
		if [[ $sum =~ fail=0\ reconnects=0\ changes=0 ]]; then
			OUT[$p]="picked up ${OUT[$p]:-(no entry)}"
		else
			OUT[$p]=reconnected
		fi
		log_info "$impl sloppy_tcp=$2 sloppy_sctp=$3 $p: $sum"
	done
}

# check WHAT GOT WANT
check() {
	[ "$2" = "$3" ]
	log_test $? "$1: $3 (got: $2)"
}

declare -A L4VS_OUT
impls=(l4vs)
if [ "$L4VS_IMPL" = l4vs ] && modinfo ip_vs >/dev/null 2>&1; then
	impls+=(ipvs)
else
	log_info "no ip_vs to compare with"
fi
for impl in "${impls[@]}"; do
	load_impl "$impl"
	services || fail "cannot add the services"
	if [ "$impl" = l4vs ]; then
		v="$(dir_exec cat /proc/sys/net/ipv4/vs/sloppy_tcp) $(dir_exec cat /proc/sys/net/ipv4/vs/sloppy_sctp)"
		check "sloppy_tcp and sloppy_sctp default to 0" "$v" "0 0"
	fi
	round "$impl" 1 0
	r1="${OUT[tcp]}|${OUT[sctp]}"
	round "$impl" 0 1
	r2="${OUT[tcp]}|${OUT[sctp]}"
	if [ "$impl" = l4vs ]; then
		check "sloppy_tcp=1: the TCP connection is picked up mid-stream" \
			"${r1%|*}" "picked up ESTABLISHED"
		check "sloppy_sctp=0: the SCTP association is not, the client reconnects" \
			"${r1#*|}" reconnected
		check "sloppy_tcp=0: the TCP connection is not, the client reconnects" \
			"${r2%|*}" reconnected
		check "sloppy_sctp=1: the SCTP association is picked up mid-stream" \
			"${r2#*|}" "picked up ESTABLISHED"
		L4VS_OUT=([r1]=$r1 [r2]=$r2)
	else
		[ "$r1" = "${L4VS_OUT[r1]}" ] && [ "$r2" = "${L4VS_OUT[r2]}" ]
		log_test $? "ip_vs ends both rounds as l4vs (ip_vs: $r1 / $r2)"
	fi
	ipvsadm_d -C
done
[ "${impls[-1]}" = ipvs ] && load_impl l4vs

exit $RET
