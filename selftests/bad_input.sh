#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  director ns only:  a small valid configuration, then requests that must
#  all be refused:
#
#    ipvsadm / l4vsadm ---- IPVS genl ---> l4vs (or ip_vs)
#    ipvs_nl (hand-made messages, attributes left out) ---^
#
# Each bad request gets an error (non-zero exit and a message) and changes
# nothing: ipvsadm -Sn is identical before and after.  Hand-made requests
# with missing attributes must also carry an extack message (l4vs only: the
# kernel's ip_vs does not set one).

. "$(dirname "$0")/lib.sh"

if [ -z "$L4VS_INNER" ]; then
	require_tools "$IPVS_NL"
	load_impl
	setup_director_only
	run_inside_director
fi
make_tmpdir

ipvsadm_d -R <<EOF2 || fail "cannot apply the base configuration"
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r ${RS_IP[1]}:80 -m -w 1
-A -u $VIP:53 -s rr
EOF2
BEFORE=$(ipvsadm_d -Sn)

# refused DESCRIPTION CMD...: CMD must fail, say something, change nothing.
refused() {
	local what=$1 rc out

	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		log_test 1 "$what: refused (it succeeded)"
	elif [ -z "$out" ]; then
		log_test 1 "$what: refused with a message (exit $rc, no message)"
	else
		log_test 0 "$what: refused: ${out//$'\n'/ | }"
	fi
	unchanged "$what"
}

# unchanged DESCRIPTION: -Sn is what it was; if not, say so and put the
# base configuration back, so the next case starts from the same state.
unchanged() {
	local after

	after=$(ipvsadm_d -Sn)
	[ "$after" = "$BEFORE" ] && return 0
	echo "$BEFORE" >"$TMPD/before"
	echo "$after" >"$TMPD/after"
	diff -u "$TMPD/before" "$TMPD/after"
	log_test 1 "$1: configuration unchanged"
	ipvsadm_d -C
	ipvsadm_d -R <<<"$BEFORE"
}

tools=(ipvsadm)
[ -x "$L4VSADM" ] && tools+=(l4vsadm) || log_info "l4vsadm not built: only ipvsadm checked"

for tool in "${tools[@]}"; do
	t=${tool}_d
	refused "$tool: unknown scheduler" "$t" -A -t "$VIP:81" -s nosuchsched
	refused "$tool: duplicate service" "$t" -A -t "$VIP:80" -s rr
	refused "$tool: dest on a missing service" "$t" -a -t "$VIP:9999" -r "${RS_IP[1]}:80" -m
	refused "$tool: duplicate dest" "$t" -a -t "$VIP:80" -r "${RS_IP[1]}:80" -m
	refused "$tool: delete a missing dest" "$t" -d -t "$VIP:80" -r "${RS_IP[2]}:80"
	refused "$tool: delete a missing service" "$t" -D -u "$VIP:54"
	refused "$tool: IPv6 dest on an IPv4 NAT service" \
		"$t" -a -t "$VIP:80" -r "[${RS_IP6[1]}]:80" -m
	refused "$tool: malformed address" "$t" -A -t 10.0.1.300:80 -s rr
	refused "$tool: lower threshold above upper" \
		"$t" -a -u "$VIP:53" -r "${RS_IP[1]}:53" -m -x 10 -y 20
	refused "$tool: non-admin caller" \
		dir_exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$([ "$tool" = ipvsadm ] && echo "$IPVSADM" || echo "$L4VSADM")" -A -t "$VIP:82" -s rr
done

# Hand-made requests.  Each would be valid with the attribute present: the
# check that it is accepted then proves the error came from the omission.
nl() {
	dir_exec "$IPVS_NL" "$@"
}

# nl_refused DESCRIPTION ARGS...: ipvs_nl ARGS must get an error (with an
# extack message, for l4vs) and change nothing.
nl_refused() {
	local what=$1 out rc

	shift
	out=$(nl "$@" 2>&1)
	rc=$?
	[ $rc -eq 1 ]
	log_test $? "netlink, $what: error (${out//$'\n'/ | })"
	if [ "$IMPL" = l4vs ]; then
		[[ $out == *$'\n'extack\ ?* ]]
		log_test $? "netlink, $what: extack message present"
	fi
	unchanged "netlink, $what"
}

svc=(new-service -a "$VIP" -p 81)
dst=(new-dest -a "$VIP" -p 80 -d "${RS_IP[2]}" -q 80)
for a in svc svc.af svc.protocol svc.addr svc.port svc.sched_name svc.flags svc.timeout \
	 svc.netmask; do
	nl_refused "NEW_SERVICE without $a" "${svc[@]}" -o "$a"
done
for a in svc dest dest.addr dest.port dest.fwd_method dest.weight dest.u_thresh \
	 dest.l_thresh; do
	nl_refused "NEW_DEST without $a" "${dst[@]}" -o "$a"
done
nl_refused "NEW_SERVICE with an unknown scheduler" "${svc[@]}" -s nosuchsched
# The kernel's ip_vs accepts both of these (and then lists a service of
# protocol 0 as "--xxx-service", a dest with method "(null)"): l4vs is
# stricter on purpose.
if [ "$IMPL" = l4vs ]; then
	nl_refused "NEW_SERVICE with protocol 0" "${svc[@]}" -P 0
	nl_refused "NEW_DEST with forwarding method 7" "${dst[@]}" -m 7
fi

# The same requests, complete, are accepted: the tool itself works.
out=$(nl "${svc[@]}" 2>&1)
log_test $? "netlink, complete NEW_SERVICE accepted ($out)"
out=$(nl "${dst[@]}" 2>&1)
log_test $? "netlink, complete NEW_DEST accepted ($out)"
n=$(ipvsadm_d -Sn | grep -c -e "-t $VIP:81 -s rr" -e "-r ${RS_IP[2]}:80 -m -w 1")
[ "$n" -eq 2 ]
log_test $? "both show up in -Sn"

exit $RET
