#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                    director ns                 real servers
#  held TCP conn ===========    VIP 10.0.1.100:80 tcp       --- rs1
#  3 short TCP conns -------    VIP 10.0.1.100:53 udp       --- rs2
#  3 UDP requests  ---------    --set 700 100 250           --- rs3
#
# The connection table as ipvsadm -Lnc and l4vsadm -Lnc show it: every
# entry from the client, to a VIP, to a real server; the held connection
# ESTABLISHED, closed ones in a closing state, UDP entries as UDP, and every
# timer within its configured timeout.  Both tools list the same entries.
# The timeouts differ from the defaults (900 120 300), so a --set that
# changed nothing shows timers above them.

. "$(dirname "$0")/lib.sh"

TCP_TO=700
FIN_TO=100
UDP_TO=250
# TIME_WAIT and the other closing states have fixed timeouts, 2 min at most.
CLOSING_MAX=120

require_tools
load_impl
setup_nat_topology 3
start_servers -k -t 80 -u 53
add_nat_service -t "$VIP:80" || fail "cannot add the TCP service"
add_nat_service -u "$VIP:53" || fail "cannot add the UDP service"
ipvsadm_d --set $TCP_TO $FIN_TO $UDP_TO || fail "cannot set timeouts"

long=$TMPD/long
bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -i 200 -d 120 -w 2000 "$VIP" 80 >"$long"
connected() {
	grep -q '^connected ' "$long"
}
wait_until 10 connected || fail "the held connection did not come up"
client -n 3 "$VIP" 80 >"$TMPD/tcp" || fail "tcp requests failed: $(cat "$TMPD/tcp")"
client -u -n 3 "$VIP" 53 >"$TMPD/udp" || fail "udp requests failed: $(cat "$TMPD/udp")"
# a closed connection may need a moment to see its last ACK
nap 0.5

ipvsadm_d -Lnc >"$TMPD/ipvsadm"
log_info "ipvsadm -Lnc:"
sed 's/^/    /' "$TMPD/ipvsadm"

# check_table FILE: the entries make sense.
check_table() {
	local f=$1 tool=$2 bad

	bad=$(awk -v cli="$CLI_IP" -v vip="$VIP" -v rs="${RS_IP[1]} ${RS_IP[2]} ${RS_IP[3]}" \
		-v tcp_to=$TCP_TO -v cmax=$CLOSING_MAX -v udp_to=$UDP_TO '
		BEGIN { n = split(rs, r, " "); for (i = 1; i <= n; i++) ok_rs[r[i]] = 1 }
		NR <= 2 { next }
		{
			split($2, t, ":"); secs = t[1] * 60 + t[2]
			split($4, s, ":"); split($5, v, ":"); split($6, d, ":")
			if (s[1] != cli || v[1] != vip || !(d[1] in ok_rs)) { print "addresses: " $0; next }
			if ($1 == "TCP" && $3 == "ESTABLISHED") {
				if (v[2] != 80 || secs <= tcp_to - 60 || secs > tcp_to) print "timer: " $0
				est++
			} else if ($1 == "TCP" && $3 ~ /^(TIME_WAIT|FIN_WAIT|CLOSE|CLOSE_WAIT|LAST_ACK)$/) {
				if (v[2] != 80 || secs < 0 || secs > cmax) print "timer: " $0
				closing++
			} else if ($1 == "UDP" && $3 == "UDP") {
				if (v[2] != 53 || secs <= udp_to - 60 || secs > udp_to) print "timer: " $0
				udp++
			} else {
				print "state: " $0
			}
		}
		END {
			if (est != 1) print "expected 1 ESTABLISHED entry, got " est + 0
			if (closing != 3) print "expected 3 closing TCP entries, got " closing + 0
			if (udp != 3) print "expected 3 UDP entries, got " udp + 0
		}' "$f")
	[ -z "$bad" ] || echo "$bad"
	[ -z "$bad" ]
	log_test $? "$tool -Lnc: 1 held, 3 closed TCP and 3 UDP entries, sane states and timers"
}

head -n 2 "$TMPD/ipvsadm" >"$TMPD/hdr"
printf 'IPVS connection entries\npro expire state       source             virtual            destination\n' >"$TMPD/hdr.want"
same "ipvsadm -Lnc header" "$TMPD/hdr.want" "$TMPD/hdr"
check_table "$TMPD/ipvsadm" ipvsadm

if [ -x "$L4VSADM" ]; then
	l4vsadm_d -Lnc >"$TMPD/l4vsadm"
	check_table "$TMPD/l4vsadm" l4vsadm
	# timers tick between the two calls: compare everything but the expiry
	awk '{ $2 = ""; print }' "$TMPD/ipvsadm" | sort >"$TMPD/a"
	awk '{ $2 = ""; print }' "$TMPD/l4vsadm" | sort >"$TMPD/b"
	same "l4vsadm -Lnc lists the same entries as ipvsadm -Lnc" "$TMPD/a" "$TMPD/b"
else
	log_info "l4vsadm not built: its -Lnc not checked"
fi

exit $RET
