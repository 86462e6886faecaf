#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns              director ns                          real servers
#  10.0.1.2   ---------   nft: ct state rules (input, forward) --- rs1 10.0.11.2
#                         => nf_conntrack active here          --- rs2 10.0.12.2
#                         VIP 10.0.1.100:80 tcp+udp -s rr -m   --- rs3 10.0.13.2
#                         sysctl net.ipv4.vs.conntrack = 0 / 1
#
# l4vs next to nf_conntrack.  With conntrack running in the director
# namespace, NAT keeps working with the sysctl at 0 and at 1.  At 0 (the
# default) the balanced packets leave untracked: no conntrack entry has the
# VIP as original destination.  At 1 a balanced TCP connection and a UDP
# flow each show up as one entry client -> VIP whose reply direction comes
# from the real server that served it.

. "$(dirname "$0")/lib.sh"

require_tools
command -v nft >/dev/null || skip "nft (nftables) is not installed"
command -v conntrack >/dev/null || skip "conntrack (conntrack-tools) is not installed"
load_impl
setup_nat_topology 3
start_servers -k -t 80 -u 80

dir_exec nft -f - <<-EOF || fail "cannot load the conntrack rules"
	table inet l4vs_ct {
		chain c_in {
			type filter hook input priority 0;
			ct state established,related counter
			ct state new counter
		}
		chain c_fwd {
			type filter hook forward priority 0;
			ct state established,related counter
			ct state new counter
		}
	}
EOF

add_nat_service -t "$VIP:80" || fail "cannot add the TCP service"
add_nat_service -u "$VIP:80" || fail "cannot add the UDP service"

sysctl_ct=/proc/sys/net/ipv4/vs/conntrack
val=$(dir_exec cat "$sysctl_ct") || fail "no $sysctl_ct"
[ "$val" = 0 ]
log_test $? "net.ipv4.vs.conntrack defaults to 0 (got: $val)"

ct_list() {	# ct_list PROTO: entries whose original destination is the VIP
	dir_exec conntrack -L -p "$1" -d "$VIP" 2>/dev/null
}

# ---- conntrack = 0 ----------------------------------------------------------
client -n 3 -w 2000 "$VIP" 80 >"$TMPD/t0"
got=$(tally "$TMPD/t0")
[ "$got" = "rs1=1 rs2=1 rs3=1" ]
log_test $? "conntrack=0: TCP through NAT works, rs1=1 rs2=1 rs3=1 (got: $got)"
client -u -n 3 -w 2000 "$VIP" 80 >"$TMPD/u0"
got=$(tally "$TMPD/u0")
[ "$got" = "rs1=1 rs2=1 rs3=1" ]
log_test $? "conntrack=0: UDP through NAT works, rs1=1 rs2=1 rs3=1 (got: $got)"
long_start "$TMPD/long0" -i 200 -w 2000 "$VIP" 80
long0=$LONG_PID
wait_until 10 long_connected "$TMPD/long0" || fail "long-lived client did not connect"
entries=$(ct_list tcp; ct_list udp)
[ -z "$entries" ]
log_test $? "conntrack=0: balanced packets are untracked (no entry to the VIP)"
[ -n "$entries" ] && echo "$entries"
long_stop "$long0" "$TMPD/long0"

# ---- conntrack = 1 ----------------------------------------------------------
dir_exec sysctl -qw net.ipv4.vs.conntrack=1 || fail "cannot set net.ipv4.vs.conntrack=1"
dir_exec conntrack -F >/dev/null 2>&1

long_start "$TMPD/long1" -i 200 -w 2000 "$VIP" 80
long1=$LONG_PID
wait_until 10 long_connected "$TMPD/long1" || fail "long-lived client did not connect"
srv=$(sed -n 's/^connected \(rs[0-9]*\) .*/\1/p' "$TMPD/long1")
rs=${RS_IP[${srv#rs}]}
re="src=$CLI_IP dst=$VIP sport=[0-9]+ dport=80 .*src=$rs dst=$CLI_IP sport=80 dport=[0-9]+"
tcp_entry() {
	ct_list tcp | grep -E "ESTABLISHED" | grep -qE "$re"
}
wait_until 5 tcp_entry
rc=$?
[ $rc -ne 0 ] && ct_list tcp
log_test $rc "conntrack=1: TCP entry client->VIP replies from $srv ($rs), ESTABLISHED"

client -u -n 1 -w 2000 "$VIP" 80 >"$TMPD/u1"
srv=$(awk '{ print $1 }' "$TMPD/u1")
[[ $srv =~ ^rs[1-3]$ ]]
log_test $? "conntrack=1: UDP through NAT works (got: $(cat "$TMPD/u1"))"
rs=${RS_IP[${srv#rs}]:-none}
ct_list udp | grep -qE "src=$CLI_IP dst=$VIP sport=[0-9]+ dport=80 .*src=$rs dst=$CLI_IP sport=80 dport=[0-9]+"
rc=$?
[ $rc -ne 0 ] && ct_list udp
log_test $rc "conntrack=1: UDP entry client->VIP replies from $srv ($rs)"

client -n 3 -w 2000 "$VIP" 80 >"$TMPD/t1"
got=$(tally "$TMPD/t1")
[[ $got =~ ^rs[1-3]=1\ rs[1-3]=1\ rs[1-3]=1$ ]]
log_test $? "conntrack=1: new TCP connections still spread 1/1/1 (got: $got)"

long_stop "$long1" "$TMPD/long1"
summary=$(tail -n 1 "$TMPD/long1")
[[ $summary =~ fail=0\ reconnects=0 ]]
log_test $? "conntrack=1: the long connection never failed ($summary)"

# ==== direct routing and tunnelling ============================================
#
# The same director, now on one LAN with two real servers (lib_lan.sh) that
# answer the client directly: conntrack on the director only ever sees the
# client's half of each connection.  nft counts what conntrack calls
# INVALID on the director's input.
#   conntrack = 0: -g and -i traffic flows and leaves untracked: no entry
#                  to the VIP, none for the tunnel's outer packets.  (Each
#                  packet then looks new to conntrack, so a client's FIN is
#                  INVALID: no invalid-drop rule in this mode.)
#   conntrack = 1: with "ct state invalid drop" on input, TCP and UDP still
#                  flow, nothing is INVALID, a long TCP connection shows as
#                  an ESTABLISHED entry client -> VIP (reply from the VIP)
#                  and never fails, UDP has its entry; for -i the outer
#                  packets (director -> real server) are a flow of their own.

# The NAT topology gives way to the LAN one (fresh namespace names).
stop_bg
for ns in "${NS_LIST[@]}"; do
	ip netns del "$ns"
done
NS_LIST=()
new_names
. "$SELFTESTS_DIR/lib_lan.sh"
require_modules ipip

setup_lan_topology 2
start_servers -k -t 80 -u 80
for ((i = 1; i <= NUM_RS; i++)); do
	ip -n "${NS_RS[i]}" link set tunl0 up || fail "tunl0 on rs$i"
	rs_no_rp_filter "$i" tunl0 || fail "rp_filter on rs$i"
done
dir_exec nft -f - <<-EOF || fail "cannot load the conntrack rules"
	table inet l4vs_ct {
		counter invalid { }
		chain strict {
		}
		chain c_in {
			type filter hook input priority 0;
			ct state invalid counter name "invalid" jump strict
		}
	}
EOF
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

# invalid: packets conntrack called INVALID since the last reset.
invalid() {
	dir_exec nft reset counter inet l4vs_ct invalid >/dev/null
}
invalid_count() {
	dir_exec nft list counter inet l4vs_ct invalid | awk '$1 == "packets" { print $2 }'
}

# outer_entries: entries director -> a real server (the tunnel's packets).
outer_entries() {
	local i

	for ((i = 1; i <= NUM_RS; i++)); do
		dir_exec conntrack -L 2>/dev/null | grep -v '^icmp' |
			grep -E "src=$DIR_IP dst=${RS_IP[i]} "
	done
}

# lan_method NAME FLAG: TCP and UDP services over both servers with FLAG.
lan_method() {
	local name=$1 flag=$2 ct got entries long srv re rc

	ipvsadm_d -R <<-EOF || fail "$name: cannot add the services"
		-C
		-A -t $VIP:80 -s rr
		-a -t $VIP:80 -r ${RS_IP[1]}:80 $flag -w 1
		-a -t $VIP:80 -r ${RS_IP[2]}:80 $flag -w 1
		-A -u $VIP:80 -s rr
		-a -u $VIP:80 -r ${RS_IP[1]}:80 $flag -w 1
		-a -u $VIP:80 -r ${RS_IP[2]}:80 $flag -w 1
	EOF

	for ct in 0 1; do
		dir_exec sysctl -qw net.ipv4.vs.conntrack=$ct ||
			fail "cannot set net.ipv4.vs.conntrack=$ct"
		dir_exec conntrack -F >/dev/null 2>&1
		invalid
		# conntrack=1 must not depend on INVALID packets getting through
		if [ $ct = 1 ]; then
			dir_exec nft add rule inet l4vs_ct strict drop ||
				fail "cannot add the invalid-drop rule"
		else
			dir_exec nft flush chain inet l4vs_ct strict
		fi

		# checked while it runs, before the other clients (TCG is slow)
		long_start "$TMPD/long-$name$ct" -i 200 -w 2000 "$VIP" 80
		long=$LONG_PID
		wait_until 10 long_connected "$TMPD/long-$name$ct" ||
			log_test 1 "$name conntrack=$ct: long-lived client did not connect"
		if [ $ct = 1 ]; then
			srv=$(sed -n 's/^connected \(rs[0-9]*\) .*/\1/p' "$TMPD/long-$name$ct")
			re="ESTABLISHED src=$CLI_IP dst=$VIP sport=[0-9]+ dport=80 .*src=$VIP dst=$CLI_IP sport=80 dport=[0-9]+"
			wait_until 5 eval 'ct_list tcp | grep -qE "$re"'
			rc=$?
			[ $rc -ne 0 ] && ct_list tcp
			log_test $rc "$name conntrack=1: ESTABLISHED entry client->VIP for the long connection ($srv)"
		fi
		client -n 4 -w 2000 "$VIP" 80 >"$TMPD/t-$name$ct"
		got=$(tally "$TMPD/t-$name$ct")
		[ "$got" = "rs1=2 rs2=2" ]
		log_test $? "$name conntrack=$ct: TCP works, rs1=2 rs2=2 (got: $got)"
		client -u -n 4 -w 2000 "$VIP" 80 >"$TMPD/u-$name$ct"
		got=$(tally "$TMPD/u-$name$ct")
		[ "$got" = "rs1=2 rs2=2" ]
		log_test $? "$name conntrack=$ct: UDP works, rs1=2 rs2=2 (got: $got)"

		if [ $ct = 0 ]; then
			entries=$(ct_list tcp; ct_list udp)
			[ -z "$entries" ]
			log_test $? "$name conntrack=0: balanced packets are untracked (no entry to the VIP)"
			[ -n "$entries" ] && echo "$entries"
			if [ "$flag" = -i ]; then
				entries=$(outer_entries)
				[ -z "$entries" ]
				log_test $? "$name conntrack=0: the tunnel's packets are untracked"
				[ -n "$entries" ] && echo "$entries"
			fi
		else
			ct_list udp | grep -qE "src=$CLI_IP dst=$VIP sport=[0-9]+ dport=80 "
			rc=$?
			[ $rc -ne 0 ] && ct_list udp
			log_test $rc "$name conntrack=1: UDP entry client->VIP"
			if [ "$flag" = -i ]; then
				entries=$(outer_entries)
				[ -n "$entries" ]
				log_test $? "$name conntrack=1: the tunnel's packets are tracked on their own"
			fi
		fi
		long_stop "$long" "$TMPD/long-$name$ct"
		got=$(tail -n 1 "$TMPD/long-$name$ct")
		[[ $got =~ fail=0\ reconnects=0 ]]
		log_test $? "$name conntrack=$ct: the long connection never failed ($got)"
		if [ $ct = 1 ]; then
			got=$(invalid_count)
			[ "$got" = 0 ]
			log_test $? "$name conntrack=1: no packet was INVALID for conntrack (got: ${got:-none})"
		fi
	done
}

lan_method dr -g
lan_method tun -i

exit $RET
