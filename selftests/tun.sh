#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#                    one bridge (lan ns), 10.0.1.0/24, fd00:1::/64
#   ---+----------------------+-----------------------+----------------
#      |                      |                       |
#   client               director                 rs1 10.0.1.11, fd00:1::11
#   10.0.1.2             10.0.1.1, fd00:1::1      rs2 10.0.1.12, fd00:1::12
#   fd00:1::2            VIP 10.0.1.100           VIP, VIP6 on lo; decapsulate
#                        VIP6 fd00:1::100         with tunl0, ip6tnl0,
#                        -s rr, -i (tunnel)       fou port 6080 gue, gre1;
#                                                 answer the client directly
#
#   client --(VIP)--> director ==[outer IP to rs<i> | encap | client packet]==>
#   rs<i> --(from VIP, not via the director)--> client
#
# Tunnelling, one forwarding flavour at a time over the same real servers,
# TCP and UDP each: ipip (IPv4 in IPv4), ipip with IPv6 VIP and servers
# (IPv6 in IPv6, ip6tnl), gue (fou), gre, and gre with --tun-csum.  Every
# flavour must spread exactly round robin and the backends must see the
# client's own address.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

N=6
EXPECT="rs1=3 rs2=3"
GUE_PORT=6080

require_tools
require_l4vsadm
load_impl
require_modules ipip ip6_tunnel fou ip_gre
setup_lan_topology 2
start_servers -k -t 80 -u 80

# Decapsulation on every real server: the fallback devices tunl0 (IPv4 in
# IPv4, also what GUE hands its inner packet to) and ip6tnl0 (IPv6 in
# IPv6), a fou port, and a GRE device for anything sent to this server.
# rp_filter must be off on the devices the client's packets come out of.
for ((i = 1; i <= NUM_RS; i++)); do
	ip -n "${NS_RS[i]}" -batch - <<-EOF || fail "tunnel devices on rs$i"
		link set tunl0 up
		link set ip6tnl0 up
		fou add port $GUE_PORT gue
		link add gre1 type gre local ${RS_IP[i]} remote any
		link set gre1 up
	EOF
	rs_no_rp_filter "$i" tunl0 gre1 || fail "rp_filter on rs$i"
done

wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

# services VIP TUNNEL-OPTIONS...: TCP and UDP services on VIP:80 over every
# real server (IPv6 addresses for an IPv6 VIP), replacing what was there.
services() {
	local vip=$1 proto i rules="-C"$'\n'

	shift
	for proto in -t -u; do
		rules+="-A $proto $vip:80 -s rr"$'\n'
		for ((i = 1; i <= NUM_RS; i++)); do
			if [ "${vip:0:1}" = "[" ]; then
				rules+="-a $proto $vip:80 -r [${RS_IP6[i]}]:80 -i -w 1 $*"$'\n'
			else
				rules+="-a $proto $vip:80 -r ${RS_IP[i]}:80 -i -w 1 $*"$'\n'
			fi
		done
	done
	l4vsadm_d -R <<<"$rules"
}

check_run() {
	local what=$1 client_ip=$2 out=$TMPD/$1 got rc

	shift 2
	client -n "$N" -w 2000 "$@" >"$out"
	got=$(tally "$out")
	[ "$got" = "$EXPECT" ]
	rc=$?
	log_test $rc "$what: $N requests spread $EXPECT (got: $got)"
	got=$(peers "$out")
	[ "$got" = "$client_ip" ]
	log_test $? "$what: backends see the client address $client_ip (got: ${got:-none})"
	return $rc
}

# rx_errors DEV: the sum over the real servers of DEV's receive errors.
rx_errors() {
	local i sum=0 v

	for ((i = 1; i <= NUM_RS; i++)); do
		v=$(rs_exec "$i" cat "/sys/class/net/$1/statistics/rx_errors") || v=0
		sum=$((sum + v))
	done
	echo "$sum"
}

# flavour NAME VIP CLIENT-ADDRESS TUNNEL-OPTIONS...
flavour() {
	local name=$1 vip=$2 cli=$3 addr

	shift 3
	addr=${vip#[}
	addr=${addr%]}
	if ! services "$vip" "$@"; then
		log_test 1 "$name: add services with -i $*"
		return 1
	fi
	check_run "$name tcp" "$cli" "$addr" 80
	check_run "$name udp" "$cli" -u "$addr" 80
}

flavour ipip "$VIP" "$CLI_IP"
flavour ipip6 "[$VIP6]" "$CLI_IP6"
flavour gue "$VIP" "$CLI_IP" --tun-type gue --tun-port "$GUE_PORT"
flavour gre "$VIP" "$CLI_IP" --tun-type gre --tun-nocsum
errs=$(rx_errors gre1)
[ "$errs" = 0 ]
log_test $? "gre: no receive errors on the real servers' gre1 (got: $errs)"

# With --tun-csum every GRE header carries the C bit and a checksum.  A
# Linux GRE device drops (and counts in rx_crc_errors and rx_errors) any
# packet whose C bit differs from its own "icsum" setting, so the real
# servers need a gre1 created with icsum; it then also verifies each
# checksum and drops a bad one.
for ((i = 1; i <= NUM_RS; i++)); do
	ip -n "${NS_RS[i]}" -batch - <<-EOF || fail "gre1 with icsum on rs$i"
		link del gre1
		link add gre1 type gre local ${RS_IP[i]} remote any icsum
		link set gre1 up
	EOF
	rs_no_rp_filter "$i" gre1 || fail "rp_filter on rs$i"
done
flavour gre-csum "$VIP" "$CLI_IP" --tun-type gre --tun-csum
errs=$(rx_errors gre1)
[ "$errs" = 0 ]
log_test $? "gre-csum: no receive errors on the real servers' gre1 (got: $errs)"

exit $RET
