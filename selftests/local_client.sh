#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#                    one bridge (lan ns), 10.0.1.0/24, fd00:1::/64
#   ---+--------------------------+-----------------------+-------------
#      |                          |                       |
#   client                   director                 rs1 10.0.1.11
#   10.0.1.2                 10.0.1.1, fd00:1::1      rs2 10.0.1.12
#   fd00:1::2                VIP 10.0.1.100           VIP, VIP6 on lo,
#                            VIP6 fd00:1::100         tunl0, ip6tnl0 up
#                            local servers loc1 :8091, loc2 :8092
#                            and local clients (vs_client in this ns)
#
#   VIP:80  -m rs1 rs2    VIP:81  -g rs1 rs2    VIP:82  -i (ipip) rs1 rs2
#   VIP:90  -m loc1 loc2 (10.0.1.1:8091, :8092: real servers on the director)
#   and the same on VIP6.
#
# Clients on the director itself: their packets take LOCAL_OUT, not
# LOCAL_IN.  A client there (bound to the director's address, so that the
# direct routing and tunnelling servers do not answer themselves) reaches
# every VIP with every forwarding method, IPv4 and IPv6, and its requests
# spread round robin over both servers, which see the director's address;
# the services' counters count every connection.  Real servers on the
# director (NAT to an address of its own) answer a remote client and a
# local one from the VIP; the local one is bound to the VIP itself (the
# source a socket gets for a VIP that is its subnet's primary address).
# The masquerading checks run again with net.ipv4.vs.conntrack=1 and
# conntrack active.  Last, l4vs is unloaded while a local client still has a
# connection: no splat.
#
# Direct routing and tunnelling servers answer the local client from the
# VIP, an address of the director: IPv4 drops that as a martian unless
# accept_local is set on the receiving device, as it is here (IPVS needs
# the same).
#
# A local client also sends a megabyte through NAT, IPv4 and IPv6: large
# GSO packets from the local stack, with the checksums finished in software
# on the way out (tx offload off on the director), so a wrong update of a
# CHECKSUM_PARTIAL packet's pseudo-header sum loses the connection.
#
# Fails when: LOCAL_OUT is not hooked (every local client check), a local
# NAT client's reply is not rewritten at LOCAL_IN (nat checks), a local
# real server's reply is not rewritten at LOCAL_OUT (loc checks), the NAT
# rewrite treats the pseudo-header sum as a full checksum (nat, bulk), or
# l4vs's own transmissions are balanced again (direct routing loops).
# L4VS_IMPL=ipvs runs the same against ip_vs.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

N=10
EXPECT="rs1=5 rs2=5"
EXPECT_LOC="loc1=5 loc2=5"
PYTHON=${PYTHON:-/usr/bin/python3}
BULK=1048576

require_tools "$PYTHON"
command -v ethtool >/dev/null || skip "ethtool is not installed"
load_impl
require_modules ipip ip6_tunnel
dmesg_mark local_client
setup_lan_topology 2
start_servers -k -t 80 -t 81 -t 82

# Bulk transfers: a server that counts what it got until the client's FIN
# and answers "NAME COUNT"; a client that sends COUNT bytes and prints it.
cat >"$TMPD/bulk_server.py" <<-'PYEOF'
	import socket, sys
	s = socket.socket(socket.AF_INET6)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("::", 83))
	s.listen(8)
	open(sys.argv[2], "w").close()
	while True:
	    c, _ = s.accept()
	    n = 0
	    while True:
	        d = c.recv(65536)
	        if not d:
	            break
	        n += len(d)
	    c.sendall(("%s %d\n" % (sys.argv[1], n)).encode())
	    c.close()
PYEOF
cat >"$TMPD/bulk_client.py" <<-'PYEOF'
	import socket, sys
	fam = socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET
	c = socket.socket(fam)
	c.settimeout(20)
	c.bind((sys.argv[1], 0))
	c.connect((sys.argv[2], int(sys.argv[3])))
	c.sendall(b"x" * int(sys.argv[4]))
	c.shutdown(socket.SHUT_WR)
	print(c.makefile().readline().strip())
PYEOF
for ((i = 1; i <= NUM_RS; i++)); do
	rm -f "$TMPD/bulk.$i"
	bg ip netns exec "${NS_RS[i]}" "$PYTHON" "$TMPD/bulk_server.py" "rs$i" \
		"$TMPD/bulk.$i"
done
wait_until 30 test -e "$TMPD/bulk.1" -a -e "$TMPD/bulk.2" ||
	fail "the bulk servers did not start"

for ((i = 1; i <= NUM_RS; i++)); do
	ip -n "${NS_RS[i]}" -batch - <<-EOF || fail "tunnel devices on rs$i"
		link set tunl0 up
		link set ip6tnl0 up
	EOF
	rs_no_rp_filter "$i" tunl0 || fail "rp_filter on rs$i"
done
dir_exec sysctl -qw net.ipv4.conf.all.accept_local=1 \
	"net.ipv4.conf.$LAN_DEV.accept_local=1" || fail "accept_local"
# Checksums in software on the director's way out: a local TCP packet is
# CHECKSUM_PARTIAL, its checksum field holding the pseudo-header's sum that
# the NAT rewrite must update; veth would hand it on unchecked, so only a
# checksum completed here shows whether that update was right.  No TSO
# either: the local stack's GSO packets are segmented in software.
dir_exec ethtool -K "$LAN_DEV" tx off >/dev/null ||
	fail "ethtool -K $LAN_DEV tx off"

# the real servers on the director (not through dir_exec: bg must get
# their own pids, or stop_bg leaves them holding the runner's pipe)
for n in 1 2; do
	rm -f "$TMPD/ready.loc$n"
	bg ip netns exec "$NS_DIR" "$VS_SERVER" -n "loc$n" -p -k -r "$TMPD/ready.loc$n" -t "809$n"
done
wait_until 30 test -e "$TMPD/ready.loc1" -a -e "$TMPD/ready.loc2" ||
	fail "the local servers did not start"

rules=
for port in 80 81 82 83; do
	case $port in 80 | 83) fwd=-m ;; 81) fwd=-g ;; 82) fwd=-i ;; esac
	rules+="-A -t $VIP:$port -s rr"$'\n'"-A -t [$VIP6]:$port -s rr"$'\n'
	for ((i = 1; i <= NUM_RS; i++)); do
		rules+="-a -t $VIP:$port -r ${RS_IP[i]}:$port $fwd -w 1"$'\n'
		rules+="-a -t [$VIP6]:$port -r [${RS_IP6[i]}]:$port $fwd -w 1"$'\n'
	done
done
rules+="-A -t $VIP:90 -s rr"$'\n'"-A -t [$VIP6]:90 -s rr"$'\n'
for n in 1 2; do
	rules+="-a -t $VIP:90 -r $DIR_IP:809$n -m -w 1"$'\n'
	rules+="-a -t [$VIP6]:90 -r [$DIR_IP6]:809$n -m -w 1"$'\n'
done
ipvsadm_d -R <<<"$rules" || fail "cannot add the services"
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

# spread_from WHO WHAT PEER WANT VS_CLIENT-ARGS...: $N requests from the
# director (WHO=local) or the client namespace (WHO=remote) spread as WANT,
# and the servers saw PEER.
spread_from() {
	local who=$1 what=$2 peer=$3 want=$4 out=$TMPD/$2 got

	shift 4
	if [ "$who" = local ]; then
		dir_exec "$VS_CLIENT" -n "$N" -w 2000 "$@" >"$out"
	else
		client -n "$N" -w 2000 "$@" >"$out"
	fi
	got=$(tally "$out")
	[ "$got" = "$want" ]
	log_test $? "$what: $N requests spread $want (got: $got)"
	got=$(peers "$out")
	[ "$got" = "$peer" ]
	log_test $? "$what: the servers see $peer (got: ${got:-none})"
}

# conns VS: the connection counter of TCP service VS ("addr:port").
conns() {
	ipvsadm_d -Ln --stats -t "$1" | awk '$1 == "TCP" { print $3 }'
}

check_conns() {
	local got

	got=$(conns "$1")
	[ "$got" = "$2" ]
	log_test $? "$1 counted $2 connections (got: ${got:-none})"
}

# bulk WHAT SRC VIP: a local client sends $BULK bytes through the NAT
# service VIP:83 (GSO packets from the local stack), a server counts them.
bulk() {
	local got

	got=$(dir_exec "$PYTHON" "$TMPD/bulk_client.py" "$2" "$3" 83 "$BULK" 2>&1)
	[[ $got =~ ^rs[12]\ $BULK$ ]]
	log_test $? "$1: $BULK bytes from a local client arrive (got: ${got:-none})"
}

# local_round TAG: every forwarding method from a local client, and the
# local real servers from both sides.
local_round() {
	local t=$1

	spread_from local "$t nat" "$DIR_IP" "$EXPECT" -b "$DIR_IP" "$VIP" 80
	spread_from local "$t nat6" "$DIR_IP6" "$EXPECT" -b "$DIR_IP6" "$VIP6" 80
	bulk "$t nat bulk" "$DIR_IP" "$VIP"
	bulk "$t nat6 bulk" "$DIR_IP6" "$VIP6"
	spread_from remote "$t loc remote client" "$CLI_IP" "$EXPECT_LOC" "$VIP" 90
	spread_from remote "$t loc6 remote client" "$CLI_IP6" "$EXPECT_LOC" "$VIP6" 90
	spread_from local "$t loc local client" "$VIP" "$EXPECT_LOC" -b "$VIP" "$VIP" 90
	spread_from local "$t loc6 local client" "$DIR_IP6" "$EXPECT_LOC" \
		-b "$DIR_IP6" "$VIP6" 90
}

local_round "ct=0"
spread_from local "dr" "$DIR_IP" "$EXPECT" -b "$DIR_IP" "$VIP" 81
spread_from local "dr6" "$DIR_IP6" "$EXPECT" -b "$DIR_IP6" "$VIP6" 81
spread_from local "tun" "$DIR_IP" "$EXPECT" -b "$DIR_IP" "$VIP" 82
spread_from local "tun6" "$DIR_IP6" "$EXPECT" -b "$DIR_IP6" "$VIP6" 82

for vs in "$VIP:80" "[$VIP6]:80" "$VIP:81" "[$VIP6]:81" "$VIP:82" "[$VIP6]:82"; do
	check_conns "$vs" "$N"
done
check_conns "$VIP:90" $((2 * N))
check_conns "[$VIP6]:90" $((2 * N))

# The same with conntrack following the connections (an nft rule using ct
# state makes the namespace track).
if command -v nft >/dev/null; then
	dir_exec nft -f - <<-EOF || fail "cannot load the conntrack rules"
		table inet l4vs_ct {
			chain c_in {
				type filter hook input priority 0;
				ct state new counter
			}
			chain c_out {
				type filter hook output priority 0;
				ct state new counter
			}
		}
	EOF
	dir_exec sysctl -qw net.ipv4.vs.conntrack=1 || fail "net.ipv4.vs.conntrack"
	local_round "ct=1"
else
	log_info "nft is not installed: the conntrack=1 round is left out"
fi

# Unload while a local client holds a connection through the NAT service.
bg ip netns exec "$NS_DIR" "$VS_CLIENT" -l -v -d 600 -b "$DIR_IP" "$VIP" 80 >"$TMPD/long"
wait_until 20 long_connected "$TMPD/long"
log_test $? "a local client is connected through the NAT service"
ipvsadm_d -C
mod=l4vs
[ "$IMPL" = ipvs ] && mod=ip_vs
unload_module "$mod"
log_test $? "$mod unloads while a local client is connected"
stop_bg
check_dmesg local_client
log_test $? "no kernel splat"

exit $RET
