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
# (IPv6 in IPv6, ip6tnl), gue (fou), gue with --tun-remcsum, gre, and gre
# with --tun-csum.  Every flavour must spread exactly round robin and the
# backends must see the client's own address.
#
# GUE on the wire is checked with nftables counters on the real servers
# (raw payload matches on the GUE header): plain GUE carries no options;
# with --tun-remcsum, packets whose checksum is still to be done carry the
# remote checksum offload option with the inner packet's checksum start and
# field, and the outer UDP checksum is on; a packet with its checksum
# already done (sent from a raw socket) goes as plain GUE, still answered.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

N=6
EXPECT="rs1=3 rs2=3"
GUE_PORT=6080
PYTHON=${PYTHON:-/usr/bin/python3}

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
	# GUE as it arrives at the fou port, by its first 12 bytes (after
	# the 8-byte UDP header): ver/C/hlen, proto, flags; private flags;
	# remcsum start and field.  Inner IPv4 (proto 4) without options:
	# TCP checksum at 20 + 16, UDP at 20 + 6.
	rs_exec "$i" nft -f - <<-EOF || fail "nft counters on rs$i"
		table ip l4vs_gue {
			counter plain { }
			counter remcsum_tcp { }
			counter remcsum_udp { }
			counter other { }
			counter nocsum { }
			chain c_in {
				type filter hook input priority 0;
				udp dport $GUE_PORT udp checksum 0 counter name "nocsum"
				udp dport $GUE_PORT @th,64,32 0x00040000 counter name "plain" accept
				udp dport $GUE_PORT @th,64,64 0x0204000180000000 @th,128,32 0x00140024 counter name "remcsum_tcp" accept
				udp dport $GUE_PORT @th,64,64 0x0204000180000000 @th,128,32 0x0014001a counter name "remcsum_udp" accept
				udp dport $GUE_PORT counter name "other"
			}
		}
	EOF
done

wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

# Every flavour replaces the services, but UDP entries of the earlier ones
# stay (their server gone) until they time out: a new request whose random
# source port matched one would be dropped as dest_gone, as IPVS does.
# Their datagrams are one-shot, so they may expire a second after use.
ipvsadm_d --set 0 0 1 || fail "cannot set the UDP timeout"

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

# rx_stat DEV STAT: the sum over the real servers of DEV's counter STAT.
rx_stat() {
	local i sum=0 v

	for ((i = 1; i <= NUM_RS; i++)); do
		v=$(rs_exec "$i" cat "/sys/class/net/$1/statistics/$2") || v=0
		sum=$((sum + v))
	done
	echo "$sum"
}

# rx_errors DEV: the sum over the real servers of DEV's receive errors.
rx_errors() {
	rx_stat "$1" rx_errors
}

# The decapsulating devices of the real servers.  A real server answers a
# client's packet whichever way it came, plain DR included, so the spread
# and the answers alone cannot tell one encapsulation from another: each
# flavour's packets must be counted on its own device and on no other.
TUN_DEVS=(tunl0 ip6tnl0 gre1 gue1)

# tun_rx ARRAY: ARRAY[dev] = rx_packets of dev summed over the real servers
# (one grep a server; a device not created yet counts 0).
tun_rx() {
	local -n rx=$1
	local i dev path v files=()

	for dev in "${TUN_DEVS[@]}"; do
		rx["$dev"]=0
		files+=("/sys/class/net/$dev/statistics/rx_packets")
	done
	for ((i = 1; i <= NUM_RS; i++)); do
		while IFS=: read -r path v; do
			dev=${path#/sys/class/net/}
			dev=${dev%%/*}
			rx["$dev"]=$((${rx["$dev"]} + v))
		done < <(rs_exec "$i" grep -s -H . "${files[@]}")
	done
}

# flavour NAME DEVICE VIP CLIENT-ADDRESS TUNNEL-OPTIONS...: the spread over
# TCP and UDP, and every request arrived encapsulated for DEVICE: its
# counter rose by at least the requests sent, the other devices' did not.
flavour() {
	local name=$1 want=$2 vip=$3 cli=$4 addr dev v rc=0 got=
	local -A rx0=() rx1=()

	shift 4
	addr=${vip#[}
	addr=${addr%]}
	if ! services "$vip" "$@"; then
		log_test 1 "$name: add services with -i $*"
		return 1
	fi
	tun_rx rx0
	check_spread "$name tcp" "$cli" "$addr" 80
	check_spread "$name udp" "$cli" -u "$addr" 80
	tun_rx rx1
	for dev in "${!rx1[@]}"; do
		v=$((rx1[$dev] - rx0[$dev]))
		got+="${got:+ }$dev+$v"
		if [ "$dev" = "$want" ]; then
			[ "$v" -ge $((2 * N)) ] || rc=1
		else
			[ "$v" = 0 ] || rc=1
		fi
	done
	log_test $rc "$name: $((2 * N)) requests arrived on the real servers' $want and no other tunnel device ($got)"
}

flavour ipip tunl0 "$VIP" "$CLI_IP"
flavour ipip6 ip6tnl0 "[$VIP6]" "$CLI_IP6"
# gue_counts: "plain=N remcsum_tcp=N ..." summed over the real servers, one
# nft call per server (a fork costs tens of milliseconds under TCG).
gue_counts() {
	local i c w1 w2 rest name out=
	local -A sum=()

	for ((i = 1; i <= NUM_RS; i++)); do
		while read -r w1 w2 rest; do
			case $w1 in
			counter) name=$w2 ;;
			packets) sum[$name]=$((${sum[$name]:-0} + w2)) ;;
			esac
		done < <(rs_exec "$i" nft list counters table ip l4vs_gue)
	done
	for c in plain remcsum_tcp remcsum_udp other nocsum; do
		out+="${out:+ }$c=${sum[$c]:-0}"
	done
	echo "$out"
}

gue_reset() {
	local i

	for ((i = 1; i <= NUM_RS; i++)); do
		rs_exec "$i" nft reset counters table ip l4vs_gue >/dev/null
	done
}

gue_reset
flavour gue tunl0 "$VIP" "$CLI_IP" --tun-type gue --tun-port "$GUE_PORT"
got=$(gue_counts)
[[ $got =~ ^plain=[1-9][0-9]*\ remcsum_tcp=0\ remcsum_udp=0\ other=0\ nocsum=[1-9] ]]
log_test $? "gue: plain GUE headers, no outer checksum ($got)"

# --tun-remcsum.  Each real server decapsulates with an ipip device set up
# for GUE with remote checksum offload (more specific than tunl0, so it
# takes these packets) and its fou port; vs_client's packets leave the
# client with their checksums to be done (CHECKSUM_PARTIAL over veth).
# (The client's kernel completes some checksums itself, e.g. the ACK a
# TIME_WAIT socket sends: those go as plain GUE.)
for ((i = 1; i <= NUM_RS; i++)); do
	ip -n "${NS_RS[i]}" -batch - <<-EOF || fail "gue1 with remcsum on rs$i"
		link add gue1 type ipip local ${RS_IP[i]} remote any encap gue encap-sport auto encap-dport $GUE_PORT encap-csum encap-remcsum
		link set gue1 up
	EOF
	rs_no_rp_filter "$i" gue1 || fail "rp_filter on rs$i"
done
gue_reset
flavour gue-remcsum gue1 "$VIP" "$CLI_IP" --tun-type gue --tun-port "$GUE_PORT" --tun-remcsum
got=$(gue_counts)
[[ $got =~ ^plain=[0-9]+\ remcsum_tcp=[1-9][0-9]*\ remcsum_udp=[1-9][0-9]*\ other=0\ nocsum=0$ ]]
log_test $? "gue-remcsum: option with start/field 20/36 (TCP), 20/26 (UDP), outer checksum ($got)"
pkts=$(rx_stat gue1 rx_packets)
errs=$(rx_stat gue1 rx_errors)
[ "$pkts" -gt 0 ] && [ "$errs" = 0 ]
log_test $? "gue-remcsum: the real servers' gue1 decapsulated them ($pkts packets, $errs errors)"

# A datagram whose checksum is already complete (from a raw socket: nothing
# left to offload) cannot use the option: it goes as plain GUE with the
# outer checksum, and is still answered.
RAWUDP='
import socket, struct, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind((src, 0))
u.settimeout(0.5)
sport = u.getsockname()[1]
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
data = b"raw\n"
ulen = 8 + len(data)
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, ulen)
c = csum(pseudo + struct.pack("!HHHH", sport, port, ulen, 0) + data) or 0xffff
pkt = struct.pack("!HHHH", sport, port, ulen, c) + data
for _ in range(10):
    r.sendto(pkt, (dst, 0))
    try:
        print(u.recv(4096).split()[0].decode())
        break
    except socket.timeout:
        pass
else:
    print("timeout")
'
if [ -x "$PYTHON" ]; then
	gue_reset
	got=$(cli_exec "$PYTHON" -c "$RAWUDP" "$CLI_IP" "$VIP" 80 2>&1)
	[[ $got =~ ^rs[12]$ ]]
	log_test $? "gue-remcsum: a datagram with its checksum done is answered (got: $got)"
	got=$(gue_counts)
	[[ $got =~ ^plain=[1-9][0-9]*\ remcsum_tcp=0\ remcsum_udp=0\ other=0\ nocsum=0$ ]]
	log_test $? "gue-remcsum: ... it went as plain GUE with the outer checksum ($got)"
else
	log_info "no $PYTHON: the remcsum fallback is not tested"
fi
flavour gre gre1 "$VIP" "$CLI_IP" --tun-type gre --tun-nocsum
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
flavour gre-csum gre1 "$VIP" "$CLI_IP" --tun-type gre --tun-csum
errs=$(rx_errors gre1)
[ "$errs" = 0 ]
log_test $? "gre-csum: no receive errors on the real servers' gre1 (got: $errs)"

exit $RET
