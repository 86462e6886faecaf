#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   client ns                     director ns                       rs1 ns
#  eth0 10.0.1.2, fd00:1::2 ---- cli0 10.0.1.1, VIP .100, VIP2 .101 ---- rs1
#  eth1 10.0.3.2, fd00:3::2 ---- alt0 10.0.3.1, fd00:3::1              (NAT)
#  t4: ipip to 10.0.1.1          tunl0 up; a local server "dir" on :80
#  route VIP2 dev t4             ip rule from VIP (VIP6) lookup 100:
#                                  the client via alt0 / eth1
#
#   VIP:80, [VIP6]:80, VIP2:80  -m rs1
#
# net.ipv4.vs.snat_reroute and net.ipv4.vs.ignore_tunneled, each 0 and 1,
# against l4vs and, where the kernel has it, ip_vs (both driven by
# ipvsadm): the outcome must be the one IPVS documents, and the same.
#  - snat_reroute: a masqueraded reply of rs1 takes the FORWARD path; once
#    its source is the VIP, 1 routes it again by that source, so the rule
#    "from VIP lookup 100" sends it out of alt0; 0 leaves it on the route
#    found for rs1's address (the main table: cli0).  nft counters on the
#    director count the replies on each way, IPv4 and IPv6; the default
#    is 1 as IPVS's.
#  - ignore_tunneled: the client sends to VIP2 wrapped in ipip (as another
#    director would to a tunnelling real server).  With 0 the unwrapped
#    packet is balanced again (rs1 answers); with 1 it is not, and the
#    director's own server answers.  ip_vs documents the same, but its mark
#    (skb->ipvs_property on the outer packet) is cleared by the kernel when
#    it unwraps (skb_scrub_packet() in 6.1), so ip_vs balances the inner
#    packet with 1 too: its outcome with 1 is shown, not compared.
#
# Fails when: snat_reroute() in net/core.c is not called from the FORWARD
# hook, or reroutes with the knob at 0 (the replies take the other way);
# l4vs_in_hook() does not skip what a tunnel device unwrapped with
# ignore_tunneled=1 (rs1 answers) or skips it with 0 ("dir" answers).
# L4VS_IMPL is not read: both are run.

. "$(dirname "$0")/lib.sh"

N=4
VIP2=10.0.1.101

command -v nft >/dev/null || skip "nft (nftables) is not installed"
require_tools
modprobe ipip 2>/dev/null || skip "kernel module ipip is not available"

# the director's extra way to the client, its rules, the client's tunnel
setup_ways() {
	ip -n "$NS_DIR" link add alt0 type veth peer name eth1 netns "$NS_CLI" ||
		fail "cannot create the second link"
	ip -n "$NS_DIR" -batch - <<-EOF || fail "director: second way"
		link set alt0 up
		addr add 10.0.3.1/24 dev alt0
		addr add fd00:3::1/64 dev alt0 nodad
		addr add $VIP2/24 dev cli0
		route add $CLI_IP/32 via 10.0.3.2 dev alt0 table 100
		route add $CLI_IP6/128 via fd00:3::2 dev alt0 table 100
		rule add from $VIP lookup 100 pref 100
		link set tunl0 up
	EOF
	ip -n "$NS_DIR" -6 rule add from "$VIP6" lookup 100 pref 100 ||
		fail "director: IPv6 rule"
	ip -n "$NS_CLI" -batch - <<-EOF || fail "client: second way, tunnel"
		link set eth1 up
		addr add 10.0.3.2/24 dev eth1
		addr add fd00:3::2/64 dev eth1 nodad
		link add t4 type ipip local $CLI_IP remote $DIR_IP
		link set t4 up
		route add $VIP2/32 dev t4
	EOF
	dir_exec sysctl -qw net.ipv4.conf.tunl0.rp_filter=0 \
		net.ipv4.conf.alt0.rp_filter=0 || fail "director rp_filter"
	cli_exec sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.eth1.rp_filter=0 net.ipv4.conf.t4.rp_filter=0 ||
		fail "client rp_filter"
	dir_exec nft -f - <<-EOF || fail "nft counters"
		table inet rr {
			counter alt4 { }
			counter main4 { }
			counter alt6 { }
			counter main6 { }
			counter ipip { }
			chain in {
				type filter hook input priority 0;
				ip protocol 4 counter name "ipip"	# IP in IP (ipencap; nft's "ipip" is 94)
			}
			chain post {
				type filter hook postrouting priority 0;
				oifname "alt0" ip saddr $VIP tcp sport 80 counter name "alt4"
				oifname "cli0" ip saddr $VIP tcp sport 80 counter name "main4"
				oifname "alt0" ip6 saddr $VIP6 tcp sport 80 counter name "alt6"
				oifname "cli0" ip6 saddr $VIP6 tcp sport 80 counter name "main6"
			}
		}
	EOF
}

# read_counts: the packets of each nft counter into COUNT[name]
declare -A COUNT
read_counts() {
	local name k v

	COUNT=()
	while read -r k v; do
		case $k in
		counter) name=$v ;;
		packets) COUNT[${name%% *}]=${v%% *} ;;
		esac
	done < <(dir_exec nft list counters table inet rr)
}

knob() {
	dir_exec sysctl -qw "net.ipv4.vs.$1" || fail "cannot set $1"
}

# snat_case VALUE FAMILY(4|6) ADDR: N requests to ADDR:80 with
# snat_reroute=VALUE; the way the replies took into OUT[snat.VALUE.FAMILY]
# ("alt", "main", or "alt=N main=N" when split or missing).
snat_case() {
	local v=$1 f=$2 addr=$3 alt main got want way

	knob "snat_reroute=$v"
	read_counts
	alt=${COUNT[alt$f]} main=${COUNT[main$f]}
	client -n "$N" -w 2000 "$addr" 80 >"$TMPD/snat"
	got=$(tally "$TMPD/snat")
	[ "$got" = "rs1=$N" ]
	log_test $? "$IMPL snat_reroute=$v IPv$f: $N requests answered by rs1 (got: $got)"
	read_counts
	alt=$((${COUNT[alt$f]} - alt)) main=$((${COUNT[main$f]} - main))
	if [ "$alt" -ge "$N" ] && [ "$main" = 0 ]; then
		way=alt
	elif [ "$main" -ge "$N" ] && [ "$alt" = 0 ]; then
		way=main
	else
		way="alt=$alt main=$main"
	fi
	want=main
	[ "$v" = 1 ] && want=alt
	[ "$way" = "$want" ]
	log_test $? "$IMPL snat_reroute=$v IPv$f: replies leave by the $want way (alt0: $alt, cli0: $main packets)"
	OUT[snat.$v.$f]=$way
}

# tunnel_case VALUE: N requests to VIP2:80 through the client's ipip
# tunnel with ignore_tunneled=VALUE; who answered with 0 into OUT[tunnel.0].
tunnel_case() {
	local v=$1 got want

	knob "ignore_tunneled=$v"
	client -b "$CLI_IP" -n "$N" -w 2000 "$VIP2" 80 >"$TMPD/tun"
	got=$(tally "$TMPD/tun")
	want="rs1=$N"
	[ "$v" = 1 ] && want="dir=$N"
	read_counts
	if [ "$IMPL" = ipvs ] && [ "$v" = 1 ]; then
		log_info "ip_vs ignore_tunneled=1: unwrapped requests answered $got (the kernel clears its mark when unwrapping)"
	else
		[ "$got" = "$want" ]
		log_test $? "$IMPL ignore_tunneled=$v: unwrapped requests answered $want (got: $got)"
		[ "$v" = 0 ] && OUT[tunnel.0]=$got
	fi
	[ "${COUNT[ipip]}" -ge "$N" ]
	log_test $? "$IMPL ignore_tunneled=$v: the requests came wrapped in ipip (${COUNT[ipip]} ipip packets so far)"
}

run_impl() {
	local v

	load_impl "$1"
	new_names
	setup_nat_topology 1
	setup_ways
	start_servers -t 80
	rm -f "$TMPD/ready.dir"
	bg ip netns exec "$NS_DIR" "$VS_SERVER" -n dir -p -r "$TMPD/ready.dir" -t 80
	wait_until 30 test -e "$TMPD/ready.dir" || fail "the director's server did not start"
	add_nat_service -t "$VIP:80" || fail "cannot add the IPv4 service"
	add_nat_service -t "[$VIP6]:80" || fail "cannot add the IPv6 service"
	add_nat_service -t "$VIP2:80" || fail "cannot add the tunnelled service"

	v=$(dir_exec cat /proc/sys/net/ipv4/vs/snat_reroute)
	[ "$v" = 1 ]
	log_test $? "$IMPL snat_reroute defaults to 1 (got: $v)"
	snat_case 1 4 "$VIP"
	snat_case 1 6 "$VIP6"
	snat_case 0 4 "$VIP"
	snat_case 0 6 "$VIP6"
	knob snat_reroute=1
	tunnel_case 0
	tunnel_case 1
	tunnel_case 0
	ipvsadm_d -C
	drop_namespaces
}

diff_impls
declare -A OUT L4VS_OUT
for impl in "${IMPLS[@]}"; do
	OUT=()
	run_impl "$impl"
	if [ "$impl" = l4vs ]; then
		for k in "${!OUT[@]}"; do
			L4VS_OUT[$k]=${OUT[$k]}
		done
		continue
	fi
	diff=$(outcome_diff)
	[ -z "$diff" ]
	log_test $? "ip_vs and l4vs have the same outcome in every case (differ:${diff:- none})"
done
[ "${IMPLS[-1]}" = ipvs ] && load_impl l4vs

exit $RET
