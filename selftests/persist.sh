#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                       director ns                    real servers
#  A 10.0.1.2/24  ---------------  cli0 10.0.1.1/24, 10.0.2.1/24  --- rs1 10.0.11.2
#  B 10.0.1.3/24  (same /24 as A)  VIP 10.0.1.100:80 tcp          --- rs2 10.0.12.2
#  C 10.0.2.2/24  (another /24)    -s rr -p 60 -M 255.255.255.0   --- rs3 10.0.13.2
#
# Persistence with a netmask: every connection of client A goes to one real
# server, client B (same /24) is sent to that same server, and client C (a
# different /24) gets a template of its own, which round robin places on
# the next server.  -Lnc shows one template per client network, with
# client port 0 and state NONE.  A control service without -p spreads the
# same clients over every server.  The same over IPv6 with -M 64: clients
# fd00:1::2 and fd00:1::3 share a /64 and so a server.

. "$(dirname "$0")/lib.sh"

N=4
CLI_B=10.0.1.3
CLI_C=10.0.2.2
CLI_B6=fd00:1::3

require_tools
load_impl
setup_nat_topology 3
start_servers -k -t 80 -t 81

ip -n "$NS_CLI" -batch - <<-EOF || fail "client addresses"
	addr add $CLI_B/24 dev eth0
	addr add $CLI_C/24 dev eth0
	addr add $CLI_B6/64 dev eth0 nodad
EOF
ip -n "$NS_DIR" addr add 10.0.2.1/24 dev cli0 || fail "director address"

rules="-A -t $VIP:80 -s rr -p 60 -M 255.255.255.0"$'\n'
for ((i = 1; i <= NUM_RS; i++)); do
	rules+="-a -t $VIP:80 -r ${RS_IP[i]}:80 -m -w 1"$'\n'
done
ipvsadm_d -R <<<"$rules" || fail "cannot add the persistent service"
add_nat_service -t "$VIP:81" || fail "cannot add the control service"
rules="-A -t [$VIP6]:80 -s rr -p 60 -M 64"$'\n'
for ((i = 1; i <= NUM_RS; i++)); do
	rules+="-a -t [$VIP6]:80 -r [${RS_IP6[i]}]:80 -m -w 1"$'\n'
done
ipvsadm_d -R <<<"$rules" || fail "cannot add the IPv6 persistent service"

# one_server FILE: the single server of FILE, or nothing if several/errors
one_server() {
	local t

	t=$(tally "$1")
	[[ $t =~ ^(rs[0-9]+)=$N$ ]] && echo "${BASH_REMATCH[1]}"
}

client -n $N -w 2000 "$VIP" 80 >"$TMPD/a"
client -n $N -w 2000 -b "$CLI_B" "$VIP" 80 >"$TMPD/b"
client -n $N -w 2000 -b "$CLI_C" "$VIP" 80 >"$TMPD/c"
srv_a=$(one_server "$TMPD/a")
srv_b=$(one_server "$TMPD/b")
srv_c=$(one_server "$TMPD/c")

[ -n "$srv_a" ]
log_test $? "client A: all $N connections on one server (got: $(tally "$TMPD/a"))"
[ -n "$srv_b" ] && [ "$srv_b" = "$srv_a" ]
log_test $? "client B (same /24): same server as A (got: $(tally "$TMPD/b"))"
[ -n "$srv_c" ] && [ "$srv_c" != "$srv_a" ]
log_test $? "client C (other /24): one server, the next one (got: $(tally "$TMPD/c"))"
got=$(peers "$TMPD/b")
[ "$got" = "$CLI_B" ]
log_test $? "backends see client B's own address (got: $got)"

conns=$(ipvsadm_d -Lnc)
tmpl_re() {	# tmpl_re NETWORK SERVER_NAME
	local i=${2#rs}

	echo "^TCP +[0-9:]+ +NONE +$1:0 +$VIP:80 +${RS_IP[i]//./\\.}:80 *\$"
}
grep -qE "$(tmpl_re 10.0.1.0 "$srv_a")" <<<"$conns"
log_test $? "-Lnc: template 10.0.1.0:0 -> $srv_a with state NONE"
grep -qE "$(tmpl_re 10.0.2.0 "$srv_c")" <<<"$conns"
log_test $? "-Lnc: template 10.0.2.0:0 -> $srv_c with state NONE"
n=$(grep -cE "^TCP +[0-9:]+ +NONE +[0-9.]+:0 " <<<"$conns")
[ "$n" = 2 ]
log_test $? "-Lnc: exactly two templates (got: $n)"
[ "$RET" -ne 0 ] && echo "$conns"

# the template is refreshed, not replaced: A still goes to the same server
client -n 3 -w 2000 "$VIP" 80 >"$TMPD/a2"
got=$(tally "$TMPD/a2")
[ "$got" = "$srv_a=3" ]
log_test $? "client A again: still $srv_a (got: $got)"

# control: no persistence, the same client is spread
client -n 3 -w 2000 "$VIP" 81 >"$TMPD/ctl"
got=$(tally "$TMPD/ctl")
[ "$got" = "rs1=1 rs2=1 rs3=1" ]
log_test $? "without -p the same client spreads rs1=1 rs2=1 rs3=1 (got: $got)"

# IPv6: the netmask is a prefix length; both clients are in one /64
client -n $N -w 2000 "$VIP6" 80 >"$TMPD/a6"
client -n $N -w 2000 -b "$CLI_B6" "$VIP6" 80 >"$TMPD/b6"
srv_a6=$(one_server "$TMPD/a6")
srv_b6=$(one_server "$TMPD/b6")
[ -n "$srv_a6" ] && [ "$srv_b6" = "$srv_a6" ]
log_test $? "IPv6 -M 64: $CLI_B6 goes where $CLI_IP6 went (got: $(tally "$TMPD/a6") / $(tally "$TMPD/b6"))"
n=$(ipvsadm_d -Lnc | grep -cE "^TCP +[0-9:]+ +NONE +\[?fd00:1::\]?:0 ")
[ "$n" = 1 ]
log_test $? "-Lnc: one IPv6 template, for fd00:1:: (got: $n)"

exit $RET
