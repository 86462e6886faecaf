#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns             director ns                          real servers
#  10.0.1.2 ---------    repr_config: TCP+UDP, IPv4+IPv6,     --- rs1 :80 :53 :443
#                        weights, thresholds, -m -g -i        --- rs2 :8080 :53 :8443
#                        --set 600 90 200                     --- rs3
#
#  l4vs:   ipvsadm X == l4vsadm X   for X in LISTINGS below: the table with
#          each column option, one service, the timeouts, a sync daemon, -Sn
#  ip_vs:  ipvsadm X == l4vsadm X   (l4vsadm drives the kernel's IPVS too)
#  and     ipvsadm -Sn (l4vs) == ipvsadm -Sn (ip_vs) for the same config
#
# Wire compatibility: both implementations answer both tools alike.  Some
# traffic first, so the --stats counters are not all zero.

. "$(dirname "$0")/lib.sh"

require_tools
setup_nat_topology 3
start_servers -k -t 80 -t 8080 -u 53

# Not compared: names (they depend on the guest's resolver) and --rate
# (the estimator moves between the two tools' reads).
LISTINGS=("-Ln" "-l -n" "-Ln --stats" "-Ln --stats --exact" "-Ln --thresholds"
	  "-Ln --persistent-conn" "-Ln --tun-info" "-Ln --nosort"
	  "-Ln -t $VIP:80" "-Ln --stats -t [$VIP6]:443" "-L --timeout"
	  "-L --daemon" "-Sn")

# both_read_alike I ARGS...: ipvsadm and l4vsadm list ARGS into
# $TMPD/{ipvsadm,l4vsadm}.I; true when the two are the same.
both_read_alike() {
	local i=$1

	shift
	ipvsadm_d "$@" >"$TMPD/ipvsadm.$i" 2>&1
	l4vsadm_d "$@" >"$TMPD/l4vsadm.$i" 2>&1
	cmp -s "$TMPD/ipvsadm.$i" "$TMPD/l4vsadm.$i"
}

# apply_and_compare IMPL: configure, send traffic, compare the two tools.
apply_and_compare() {
	local impl=$1 i args

	load_impl "$impl"
	repr_config | ipvsadm_d -R 2>"$TMPD/err" && [ ! -s "$TMPD/err" ]
	log_test $? "$impl: ipvsadm -R applies the configuration $(cat "$TMPD/err")"
	ipvsadm_d --set 600 90 200
	log_test $? "$impl: --set 600 90 200"

	client -n 4 "$VIP" 80 >"$TMPD/tcp"
	log_test $? "$impl: tcp traffic through the service ($(tally "$TMPD/tcp"))"
	client -u -n 5 "$VIP" 53 >"$TMPD/udp"
	log_test $? "$impl: udp traffic through the service ($(tally "$TMPD/udp"))"

	ipvsadm_d -Sn >"$TMPD/save.$impl"
	if [ ! -x "$L4VSADM" ]; then
		log_info "l4vsadm not built: tool outputs not compared"
		ipvsadm_d -C
		return
	fi
	ipvsadm_d --start-daemon master --mcast-interface cli0 --syncid 7
	log_test $? "$impl: ipvsadm --start-daemon master (for -L --daemon)"
	# The traffic's entries expire while the tools read (closed ones in
	# seconds; the debug kernel runs the two reads seconds apart), so a
	# listing is read again with both tools until the two agree on one
	# state; a formatting difference never does.
	for ((i = 0; i < ${#LISTINGS[@]}; i++)); do
		read -r -a args <<<"${LISTINGS[i]}"
		wait_until 20 both_read_alike "$i" "${args[@]}"
		same "$impl: l4vsadm ${LISTINGS[i]} equals ipvsadm's" \
			"$TMPD/ipvsadm.$i" "$TMPD/l4vsadm.$i"
	done
	ipvsadm_d --stop-daemon master

	# kube-proxy-style clients see IP_VS_SVC_F_HASHED (2) on every service
	# they dump, and the -b flags come back as set
	l4vsadm_d -Ln --json >"$TMPD/json.$impl"
	jq -e '(.services | length) > 0 and
		(.services | map(select(.flags % 4 >= 2)) | length) == (.services | length)' \
		"$TMPD/json.$impl" >/dev/null
	log_test $? "$impl: every service dumped carries IP_VS_SVC_F_HASHED"
	got=$(jq -r '.services[] | select(.sched_flags | length > 0) |
		"\(.scheduler):\(.sched_flags | join(","))"' "$TMPD/json.$impl" | sort | xargs)
	[ "$got" = "mh:mh-fallback,mh-port sh:sh-fallback,sh-port" ]
	log_test $? "$impl: -b sh-fallback,sh-port and mh-fallback,mh-port read back (got: $got)"
	ipvsadm_d -C
}

if [ "$L4VS_IMPL" = ipvs ]; then
	log_info "L4VS_IMPL=ipvs: only the kernel's ip_vs side is checked"
	apply_and_compare ipvs
	exit $RET
fi

apply_and_compare l4vs
apply_and_compare ipvs
same "ipvsadm -Sn after the same configuration: l4vs equals ip_vs" \
	"$TMPD/save.ipvs" "$TMPD/save.l4vs"

# leave l4vs loaded for the tests after this one
load_impl l4vs
exit $RET
