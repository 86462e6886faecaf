#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   client 10.0.1.2 ---- bridge ---- director lan0, VIP 10.0.1.100:80 tcp -i
#                           |        --tun-type gre (--tun-nocsum, then
#                           |        --tun-csum); tc on lan0's egress:
#                           |          prio 1: outer IP protocol 47, continue
#                           |          prio 2: the same and, at the transport
#                           |                  header, GRE protocol 0x0800
#                           +------- rs1 10.0.1.11, VIP on lo, gre1
#
# A GRE packet l4vs builds must say where its tunnel header starts, as the
# kernel's own GRE devices do (gre_build_header()): skb's transport header
# on the GRE header, not left on the client's TCP header it pointed at when
# the packet arrived.  Whatever reads the transport header on the way out
# reads the wrong bytes otherwise: a NIC driver's tunnel offload (its
# header lengths come from the inner network header less the transport
# header), or, here, a tc classifier matching at "layer transport" (em_cmp;
# tcf_get_base_ptr() is skb_transport_header()).  Every GRE packet to rs1
# the first filter sees, the second must see too, with and without the GRE
# checksum, and every request must be answered.
# Mutation that fails it: push_gre() without skb_reset_transport_header()
# (the second filter counts nothing: it reads the TCP destination port).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

PORT=80
N=4

require_tools
require_l4vsadm
load_impl
require_modules ip_gre cls_basic em_cmp act_gact sch_ingress
setup_lan_topology 1
start_servers -t $PORT

# gre_dev CSUM: rs1's gre1, checking the GRE checksum with "icsum"
gre_dev() {
	ip -n "${NS_RS[1]}" link del gre1 2>/dev/null
	# shellcheck disable=SC2086 # the option is one word or none
	ip -n "${NS_RS[1]}" link add gre1 type gre local "${RS_IP[1]}" remote any $1 &&
		ip -n "${NS_RS[1]}" link set gre1 up &&
		rs_no_rp_filter 1 gre1
}

dir_exec tc qdisc add dev "$LAN_DEV" clsact || skip "no clsact qdisc"
dir_exec tc filter add dev "$LAN_DEV" egress prio 1 protocol ip basic \
	match 'cmp(u8 at 9 layer network eq 47)' action continue ||
	skip "tc cannot match with em_cmp"
dir_exec tc filter add dev "$LAN_DEV" egress prio 2 protocol ip basic \
	match 'cmp(u8 at 9 layer network eq 47) and cmp(u16 at 2 layer transport eq 0x800)' \
	action pass || skip "tc cannot match at the transport layer with em_cmp"
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"

# matched PRIO: packets the filter of that priority has matched
matched() {
	dir_exec tc -s filter show dev "$LAN_DEV" egress prio "$1" |
		sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n 1
}

# flavour NAME RS-GRE-OPTION L4VSADM-OPTION
flavour() {
	local name=$1 gre0 gre0_ok got all thdr

	gre_dev "$2" || fail "$name: gre1 on rs1"
	l4vsadm_d -C
	l4vsadm_d -A -t "$VIP:$PORT" -s rr &&
		l4vsadm_d -a -t "$VIP:$PORT" -r "${RS_IP[1]}:$PORT" -i --tun-type gre "$3" ||
		fail "$name: cannot add the service"
	gre0=$(matched 1)
	gre0_ok=$(matched 2)
	client -n $N -w 2000 "$VIP" $PORT >"$TMPD/out"
	got=$(tally "$TMPD/out")
	[ "$got" = "rs1=$N" ]
	log_test $? "$name: $N requests through the tunnel are answered (got: $got)"
	all=$(($(matched 1) - gre0))
	thdr=$(($(matched 2) - gre0_ok))
	[ "$all" -gt 0 ] && [ "$thdr" = "$all" ]
	log_test $? "$name: tc finds the GRE header at the transport header of every GRE packet ($thdr of $all)"
}

flavour gre "" --tun-nocsum
flavour gre-csum icsum --tun-csum

exit $RET
