#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns              director ns                          real servers
#  10.0.1.2   ---------   nft: ct state rules (input, forward) --- rs1 10.0.11.2
#                         => nf_conntrack active here          --- rs2 10.0.12.2
#                         VIP 10.0.1.100:80 tcp+udp -s rr -m   --- rs3 10.0.13.2
#                         sysctl net.l4vs.conntrack = 0 / 1
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

sysctl_ct=/proc/sys/net/l4vs/conntrack
val=$(dir_exec cat "$sysctl_ct") || fail "no $sysctl_ct"
[ "$val" = 0 ]
log_test $? "net.l4vs.conntrack defaults to 0 (got: $val)"

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
bg client -l -d 6 -i 200 -w 2000 "$VIP" 80 >"$TMPD/long0"
long0=$BG_PID
wait_until 10 grep -q connected "$TMPD/long0" || fail "long-lived client did not connect"
entries=$(ct_list tcp; ct_list udp)
[ -z "$entries" ]
log_test $? "conntrack=0: balanced packets are untracked (no entry to the VIP)"
[ -n "$entries" ] && echo "$entries"
wait "$long0" 2>/dev/null	# runs to its end (-d 6)

# ---- conntrack = 1 ----------------------------------------------------------
dir_exec sysctl -qw net.l4vs.conntrack=1 || fail "cannot set net.l4vs.conntrack=1"
dir_exec conntrack -F >/dev/null 2>&1

bg client -l -d 10 -i 200 -w 2000 "$VIP" 80 >"$TMPD/long1"
long1=$BG_PID
wait_until 10 grep -q connected "$TMPD/long1" || fail "long-lived client did not connect"
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

wait "$long1" 2>/dev/null	# runs to its end (-d 10): summary last
summary=$(tail -n 1 "$TMPD/long1")
[[ $summary =~ fail=0\ reconnects=0 ]]
log_test $? "conntrack=1: the long connection never failed ($summary)"

exit $RET
