#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One shared LAN for the direct routing and tunnelling tests.  Sourced after
# lib.sh, never run; its namespaces go on lib.sh's NS_LIST, so lib.sh's
# cleanup removes them.
#
# With -g and -i the real servers answer the client themselves, from the VIP:
# those replies must not cross the director, which owns the VIP and would
# drop them as martians.  So client, director and real servers all sit on
# one bridge (in a namespace of its own), and each real server holds the VIP
# on lo without answering ARP or neighbour solicitations for it.
#
#                         bridge ns lan-<suffix>
#                     +---------------------------+
#                     |            br0            |
#                     |  pc     pd    pr1 .. prN  |
#                     +---|------|-----|-------|--+
#        +------------+   |      |     |       |   +------------------------+
#        | client ns  |   |      |     |       +---| real server N ns       |
#        | eth0 ------+---+      |     |           | eth0 10.0.1.<10+N>/24  |
#        | 10.0.1.2   |          |     |           |      fd00:1::<10+N>/64 |
#        | fd00:1::2  |          |     +---------- | lo   VIP/32, VIP6/128  |
#        +------------+          |     (rs1 ...)   | arp_ignore=1           |
#                     +----------+-----------+     | arp_announce=2         |
#                     | director ns  lan0    |     | rp_filter=0            |
#                     | 10.0.1.1, VIP .100   |     +------------------------+
#                     | fd00:1::1, ::100     |
#                     +----------------------+
#
# A UDP server on a wildcard socket (vs_server) answers from the source
# address routing picks, not from the address the datagram was sent to; the
# client's connected socket would ignore an answer that does not come from
# the VIP.  So each real server's route to the client prefers the VIP as
# source ("src"), as an LVS real server without IP_PKTINFO-aware daemons
# needs.  TCP is unaffected (an accepted socket keeps the VIP).  On the
# director the VIP6 is deprecated (preferred_lft 0) so that the director
# never picks it as a source address: a real server would take a packet
# from the VIP6 as its own.
#
# RS_IP[i] / RS_IP6[i] are redefined to the real servers' LAN addresses, so
# lib.sh's helpers that use them (add_nat_service's address choice, ...)
# keep working with other forwarding methods.

NS_LAN=lan-$NS_SUFFIX
LAN_DEV=lan0		# the director's leg on the LAN

for ((_i = 1; _i <= 16; _i++)); do
	RS_IP[_i]=10.0.1.$((10 + _i))
	RS_IP6[_i]=fd00:1::$((10 + _i))
done

# setup_lan_topology N: the picture above with N real servers.
setup_lan_topology() {
	local n=$1 i ns batch=

	make_tmpdir
	NS_LAN=lan-$NS_SUFFIX
	NS_LIST+=("$NS_CLI" "$NS_DIR" "$NS_LAN")
	batch+="netns add $NS_CLI"$'\n'"netns add $NS_DIR"$'\n'"netns add $NS_LAN"$'\n'
	for ((i = 1; i <= n; i++)); do
		NS_RS[i]=rs$i-$NS_SUFFIX
		NS_LIST+=("${NS_RS[i]}")
		batch+="netns add ${NS_RS[i]}"$'\n'
	done
	ip -batch - <<<"$batch" || fail "cannot create namespaces"

	# No DAD on devices created from here on (see setup_nat_topology);
	# rp_filter off, also for tunnel devices created later ("default").
	for ns in "$NS_CLI" "$NS_DIR" "$NS_LAN"; do
		in_ns "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || fail "sysctls in $ns"
	done
	for ((i = 1; i <= n; i++)); do
		in_ns "${NS_RS[i]}" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 \
			net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 ||
			fail "sysctls in ${NS_RS[i]}"
	done

	batch="link add eth0 netns $NS_CLI type veth peer name pc netns $NS_LAN"$'\n'
	batch+="link add $LAN_DEV netns $NS_DIR type veth peer name pd netns $NS_LAN"$'\n'
	for ((i = 1; i <= n; i++)); do
		batch+="link add eth0 netns ${NS_RS[i]} type veth peer name pr$i netns $NS_LAN"$'\n'
	done
	ip -batch - <<<"$batch" || fail "cannot create links"

	# No STP, no forwarding delay, no multicast snooping (neighbour
	# discovery must flood without a querier).
	batch="link add br0 type bridge forward_delay 0 stp_state 0 mcast_snooping 0"$'\n'
	for p in pc pd; do
		batch+="link set $p master br0 up"$'\n'
	done
	for ((i = 1; i <= n; i++)); do
		batch+="link set pr$i master br0 up"$'\n'
	done
	batch+="link set br0 up"$'\n'
	ip -n "$NS_LAN" -batch - <<<"$batch" || fail "bridge setup"

	ip -n "$NS_CLI" -batch - <<-EOF || fail "client setup"
		link set lo up
		link set eth0 up
		addr add $CLI_IP/24 dev eth0
		addr add $CLI_IP6/64 dev eth0 nodad
	EOF

	ip -n "$NS_DIR" -batch - <<-EOF || fail "director setup"
		link set lo up
		link set $LAN_DEV up
		addr add $DIR_IP/24 dev $LAN_DEV
		addr add $VIP/24 dev $LAN_DEV
		addr add $DIR_IP6/64 dev $LAN_DEV nodad
		addr add $VIP6/64 dev $LAN_DEV nodad preferred_lft 0
	EOF

	for ((i = 1; i <= n; i++)); do
		ip -n "${NS_RS[i]}" -batch - <<-EOF || fail "real server $i setup"
			link set lo up
			link set eth0 up
			addr add ${RS_IP[i]}/24 dev eth0
			addr add ${RS_IP6[i]}/64 dev eth0 nodad
			addr add $VIP/32 dev lo
			addr add $VIP6/128 dev lo nodad
			route add $CLI_IP/32 dev eth0 src $VIP
			route add $CLI_IP6/128 dev eth0 src $VIP6
		EOF
	done
	NUM_RS=$n
}

# lan_add_host NS PEER IP: one more namespace NS on the LAN (its end of the
# veth is $LAN_DEV, the bridge's end is PEER in $NS_LAN) with address IP/24;
# deleted on exit.
lan_add_host() {
	local ns=$1 peer=$2 ip=$3

	NS_LIST+=("$ns")
	ip netns add "$ns" || fail "cannot create $ns"
	ip link add "$LAN_DEV" netns "$ns" type veth peer name "$peer" netns "$NS_LAN" ||
		fail "cannot link $ns"
	ip -n "$NS_LAN" link set "$peer" master br0 up || fail "cannot bridge $ns"
	ip -n "$ns" -batch - <<-EOF || fail "$ns setup"
		link set lo up
		link set $LAN_DEV up
		addr add $ip/24 dev $LAN_DEV
	EOF
}

# rs_exec I CMD...: CMD in real server I's namespace.
rs_exec() {
	local i=$1

	shift
	ip netns exec "${NS_RS[i]}" "$@"
}

# rs_no_rp_filter I DEV...: rp_filter off on DEVs of real server I (a device
# that existed before "default" was set keeps its own value).
rs_no_rp_filter() {
	local i=$1 dev args=()

	shift
	for dev in "$@"; do
		args+=("net.ipv4.conf.$dev.rp_filter=0")
	done
	rs_exec "$i" sysctl -qw "${args[@]}"
}

# require_modules MOD...: load kernel modules the test needs, or skip.
require_modules() {
	local m

	for m in "$@"; do
		modprobe "$m" 2>/dev/null || skip "kernel module $m is not available"
	done
}

# lan_neigh_ready: the client resolves the VIP to the director, and the
# director resolves every real server (a first packet then cannot be lost
# to address resolution, which would spoil an exact spread).
lan_neigh_ready() {
	local i

	cli_exec ping -q -c 1 -W 2 "$VIP" >/dev/null || return 1
	cli_exec ping -q -c 1 -W 2 "$VIP6" >/dev/null || return 1
	for ((i = 1; i <= NUM_RS; i++)); do
		dir_exec ping -q -c 1 -W 2 -I "$DIR_IP" "${RS_IP[i]}" >/dev/null ||
			return 1
		dir_exec ping -q -c 1 -W 2 -I "$DIR_IP6" "${RS_IP6[i]}" >/dev/null ||
			return 1
	done
	return 0
}

# lan_vip_mac_is_director: the client must reach the VIP through the
# director only: its neighbour entry for the VIP must carry the director's
# MAC (a real server answering ARP for the VIP would bypass the balancer).
lan_vip_mac_is_director() {
	local dmac vmac

	dmac=$(dir_exec cat "/sys/class/net/$LAN_DEV/address")
	vmac=$(ip -n "$NS_CLI" neigh show "$VIP" dev eth0 | awk '{ print $3 }')
	[ -n "$dmac" ] && [ "$dmac" = "$vmac" ]
}
