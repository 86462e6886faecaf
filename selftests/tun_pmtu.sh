#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#                    one bridge (lan ns), 10.0.1.0/24, fd00:1::/64, MTU 1500
#   ---+----------------------+-------------------------------+-----------
#      |                      |                               |
#   client               director                          rs1 10.0.1.11
#   10.0.1.2             VIP 10.0.1.100, fd00:1::100       fd00:1::11
#   fd00:1::2            udp VIP:80 -i -> rs1              VIP, VIP6 on lo;
#   (probe: UDP with     route to rs1 "mtu 1400"           tunl0, ip6tnl0,
#    DF / IPV6 PMTU DO)  (the path towards the servers)    fou 6080, gre1
#
# Path MTU through a tunnel: the path from the director to the real server
# takes 1400 bytes, so a client packet may be at most 1400 less the tunnel
# overhead (outer header and encapsulation).  For each flavour:
#   - a datagram of exactly that size reaches the server and is answered;
#   - one byte more, with DF (IPv6: always), is refused with ICMP
#     fragmentation needed / packet too big, and the client's socket learns
#     the path MTU 1400 - overhead (getsockopt IP_MTU / IPV6_MTU);
#   - for IPv4, the same too-big datagram without DF is fragmented
#     (outside, after encapsulation) and still answered.
# GUE with --tun-remcsum adds 8 bytes (the remote checksum option) to the
# overhead of a packet whose checksum is still to be done, as the probe's.
#
# Then with net.ipv4.vs.pmtu_disc = 0 (IPVS's pmtu_disc): an IPv4 datagram
# one byte too big, with DF, is no longer refused: the outer header goes
# without DF, the director fragments it and the real server answers; no
# frag_needed is counted.  IPv6 still gets "packet too big".

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

PATH_MTU=1400
GUE_PORT=6080
PYTHON=${PYTHON:-/usr/bin/python3}

require_tools
require_l4vsadm
[ -x "$PYTHON" ] || skip "$PYTHON is needed to send datagrams with DF set"
load_impl
require_modules ipip ip6_tunnel fou ip_gre
setup_lan_topology 1
start_servers -u 80

ip -n "${NS_RS[1]}" -batch - <<-EOF || fail "tunnel devices on rs1"
	link set tunl0 up
	link set ip6tnl0 up
	fou add port $GUE_PORT gue
	link add gre1 type gre local ${RS_IP[1]} remote any
	link set gre1 up
EOF
rs_no_rp_filter 1 tunl0 gre1 || fail "rp_filter on rs1"

# The narrow path: only the director's routes to the real server.  (The
# LAN itself stays at 1500, so the client's full-size packets still reach
# the director.)
ip -n "$NS_DIR" -batch - <<-EOF || fail "route MTU on the director"
	route add ${RS_IP[1]}/32 dev $LAN_DEV mtu $PATH_MTU
	route add ${RS_IP6[1]}/128 dev $LAN_DEV mtu $PATH_MTU
EOF

wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

# probe ADDR PORT SIZE:DF...: for each SIZE:DF (DF 1 or 0), from a fresh
# socket, send one UDP datagram of SIZE bytes in all (IP header included),
# resending every 300 ms for up to 4 s, and print one line: "answer NAME" if
# the server answered, "mtu N" if the socket was told the datagram is too
# big (N: the path MTU it learned), or "timeout".  One python per flavour:
# under TCG starting it costs seconds.
PROBE='
import errno, socket, sys, time
addr, port = sys.argv[1], int(sys.argv[2])
if ":" in addr:
    fam, lvl, disc, mtuopt, hdr = socket.AF_INET6, socket.IPPROTO_IPV6, 23, 24, 48
else:
    fam, lvl, disc, mtuopt, hdr = socket.AF_INET, socket.IPPROTO_IP, 10, 14, 28
def one(size, df):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    # IP_MTU_DISCOVER / IPV6_MTU_DISCOVER: 2 = PMTUDISC_DO (DF), 0 = DONT
    s.setsockopt(lvl, disc, 2 if df else 0)
    s.connect((addr, port))
    s.settimeout(0.3)
    payload = b"x" * (size - hdr)
    end = time.monotonic() + 8
    while time.monotonic() < end:
        try:
            s.send(payload)
            return "answer " + s.recv(4096).split()[0].decode()
        except socket.timeout:
            continue
        except OSError as e:
            if e.errno == errno.EMSGSIZE:
                return "mtu %d" % s.getsockopt(lvl, mtuopt)
            time.sleep(0.3)
    return "timeout"
for spec in sys.argv[3:]:
    size, df = spec.split(":")
    print(one(int(size), df == "1"), flush=True)
'

probe() {
	cli_exec "$PYTHON" -c "$PROBE" "$@" 2>&1
}

frag_needed() {
	dir_exec awk '$1 == "frag_needed" || $1 == "frag_needed:" { print $2 }' \
		/proc/net/l4vs_drops
}

# tunnel_service LABEL VIP OVERHEAD TUNNEL-OPTIONS...: a UDP service on VIP:80
# tunnelled to rs1 with the options; sets addr, fam and mtu (the path MTU
# less the overhead) for the caller, and makes the client forget the path
# MTU the previous service taught it.
tunnel_service() {
	local label=$1 vip=$2 overhead=$3 rs

	shift 3
	addr=${vip#[}
	addr=${addr%]}
	fam=4
	rs=${RS_IP[1]}
	if [ "${vip:0:1}" = "[" ]; then
		fam=6
		rs="[${RS_IP6[1]}]"
	fi
	mtu=$((PATH_MTU - overhead))
	ip -n "$NS_CLI" -$fam route flush cache
	l4vsadm_d -R <<-EOF && return 0
		-C
		-A -u $vip:80 -s rr
		-a -u $vip:80 -r $rs:80 -i $*
	EOF
	log_test 1 "$label: add the service with -i $*"
	return 1
}

# flavour NAME VIP OVERHEAD TUNNEL-OPTIONS...
flavour() {
	local name=$1 addr fam mtu got before after fit nodf big

	tunnel_service "$@" || return 1

	# IPv4: the too-big datagram without DF first, while the client
	# still believes in 1500 (afterwards it would fragment it itself)
	before=$(frag_needed)
	if [ "$fam" = 4 ]; then
		got=$(probe "$addr" 80 "$mtu:1" "$((mtu + 1)):0" "$((mtu + 1)):1")
	else
		got=$(probe "$addr" 80 "$mtu:1" "$((mtu + 1)):1")
	fi
	after=$(frag_needed)
	{
		read -r fit
		[ "$fam" = 4 ] && read -r nodf
		read -r big
	} <<<"$got"

	[ "$fit" = "answer rs1" ]
	log_test $? "$name: a $mtu-byte datagram with DF crosses the tunnel (got: $fit)"
	if [ "$fam" = 4 ]; then
		[ "$nodf" = "answer rs1" ]
		log_test $? "$name: $((mtu + 1)) bytes without DF are fragmented and answered (got: $nodf)"
	fi
	[ "$big" = "mtu $mtu" ]
	log_test $? "$name: $((mtu + 1)) bytes with DF: client learns MTU $mtu (got: $big)"
	[ -n "$after" ] && [ "$after" -gt "${before:-0}" ]
	log_test $? "$name: counted in l4vs_drops frag_needed (${before:-none} -> ${after:-none})"
}

# overhead: outer IPv4 20, IPv6 40; GUE adds UDP 8 + GUE 4; GRE 4
flavour ipip "$VIP" 20
flavour ipip6 "[$VIP6]" 40
flavour gue "$VIP" 32 --tun-type gue --tun-port "$GUE_PORT"
flavour gre "$VIP" 24 --tun-type gre --tun-nocsum
flavour gue-remcsum "$VIP" 40 --tun-type gue --tun-port "$GUE_PORT" --tun-remcsum

# ---- pmtu_disc = 0 ------------------------------------------------------------
sysctl_pmtu=/proc/sys/net/ipv4/vs/pmtu_disc
val=$(dir_exec cat "$sysctl_pmtu") || fail "no $sysctl_pmtu"
[ "$val" = 1 ]
log_test $? "net.ipv4.vs.pmtu_disc defaults to 1 (got: $val)"
dir_exec sysctl -qw net.ipv4.vs.pmtu_disc=0 || fail "cannot set net.ipv4.vs.pmtu_disc=0"

# nodisc NAME VIP OVERHEAD TUNNEL-OPTIONS...: one datagram a byte too big,
# with DF, from a client that still believes in 1500.
nodisc() {
	local name=$1 addr fam mtu got before after

	tunnel_service "pmtu_disc=0 $name" "${@:2}" || return 1
	before=$(frag_needed)
	got=$(probe "$addr" 80 "$((mtu + 1)):1")
	after=$(frag_needed)
	if [ "$fam" = 4 ]; then
		[ "$got" = "answer rs1" ] && [ "$after" = "$before" ]
		log_test $? "pmtu_disc=0 $name: $((mtu + 1)) bytes with DF are fragmented and answered (got: $got, frag_needed $before -> $after)"
	else
		[ "$got" = "mtu $mtu" ] && [ "$after" -gt "$before" ]
		log_test $? "pmtu_disc=0 $name: IPv6 still gets packet too big, MTU $mtu (got: $got)"
	fi
}

nodisc ipip "$VIP" 20
nodisc ipip6 "[$VIP6]" 40
nodisc gue "$VIP" 32 --tun-type gue --tun-port "$GUE_PORT" --tun-csum
nodisc gre "$VIP" 24 --tun-type gre --tun-nocsum
dir_exec sysctl -qw net.ipv4.vs.pmtu_disc=1

exit $RET
