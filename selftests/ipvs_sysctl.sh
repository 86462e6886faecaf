#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  netns dir-<suffix>                        the guest itself
#  /proc/sys/net/ipv4/vs/*                   modprobe -C tools/modprobe/l4vs-ip_vs.conf
#  <- sysctl -p of an LVS guide's lines      ip_vs / ip_vs_sh / ip_vs_ftp
#  <- out-of-range and pending values
#  (then the same netns under ip_vs: the knob names and defaults compared)
#
# The IPVS sysctl tree: l4vs answers under net.ipv4.vs with IPVS's names,
# so `sysctl -p` of the usual /etc/sysctl.conf lines (kube-proxy's, LVS
# guides') applies unchanged, in every namespace.  A value out of a knob's
# range, or a value of a knob whose behaviour l4vs does not have yet, is
# refused (EINVAL) and changes nothing.  Against the kernel's ip_vs: every
# knob ip_vs shows, l4vs shows too (but the ones Documentation/parameters.md
# gives a reason for), with the same default where the behaviour is the
# same.  Then the modprobe configuration `make install` ships: with l4vs
# loaded, "modprobe ip_vs" (as ipvsadm, keepalived and kube-proxy run it)
# loads l4vs's modules and never ip_vs, so the kernel has nothing to warn
# about (run.sh fails the test on any splat).

. "$(dirname "$0")/lib.sh"

[ "$L4VS_IMPL" = l4vs ] || skip "l4vs's tree is the subject; ip_vs is compared inside"
load_impl l4vs
setup_nat_topology 1

VS=/proc/sys/net/ipv4/vs

# knobs ip_vs has that l4vs leaves out, each with its reason in
# Documentation/parameters.md
NOT_IN_L4VS="debug_level est_cpulist est_nice"
NOT_IN_L4VS+=" conn_lfactor svc_lfactor"	# 7.x
# knobs whose default differs from ip_vs's because l4vs does not have the
# behaviour yet (held at the value that describes l4vs), or by design
# (conn_max: 7.x's ip_vs has one too, 2^30 by default; l4vs sizes it from RAM)
DEFAULT_DIFFERS="sync_qlen_max conn_max"

knob() {	# knob NAME: its value in the director namespace
	dir_exec cat "$VS/$1" 2>/dev/null | tr -s ' \t' ' '
}

# ---- sysctl -p of the usual lines --------------------------------------------

conf=$TMPD/sysctl.conf
cat >"$conf" <<-EOF
	# kube-proxy and the LVS HOWTOs
	net.ipv4.vs.conntrack = 1
	net.ipv4.vs.expire_nodest_conn = 1
	net.ipv4.vs.expire_quiescent_template = 1
	net.ipv4.vs.conn_reuse_mode = 0
	net.ipv4.vs.sync_threshold = 5 60
	net.ipv4.vs.amemthresh = 2048
	net.ipv4.vs.drop_entry = 1
	net.ipv4.vs.secure_tcp = 3
	net.ipv4.vs.run_estimation = 0
	net.ipv4.vs.pmtu_disc = 1
EOF
out=$(dir_exec sysctl -p "$conf" 2>&1)
log_test $? "sysctl -p of the usual net.ipv4.vs lines applies"
[ -n "$out" ] || log_info "(sysctl printed nothing)"
got="$(knob conntrack)/$(knob expire_nodest_conn)/$(knob expire_quiescent_template)/$(knob sync_threshold)/$(knob amemthresh)/$(knob run_estimation)"
[ "$got" = "1/1/1/5 60/2048/0" ]
log_test $? "read back: conntrack/expire_nodest_conn/expire_quiescent_template/sync_threshold/amemthresh/run_estimation = 1/1/1/5 60/2048/0 (got: $got)"

# Each KNOB=VALUE written in one shell in the director namespace (forks
# cost tens of ms here): prints "knob|before|after|what the write said".
write_all() {
	dir_exec bash -c '
		for kv; do
			f=/proc/sys/net/ipv4/vs/${kv%%=*}
			before=$(<"$f")
			err=$({ echo "${kv#*=}" >"$f"; } 2>&1) && err=accepted
			after=$(<"$f")
			echo "${kv%%=*}|${before//$'"'"'\t'"'"'/ }|${after//$'"'"'\t'"'"'/ }|$err"
		done' bash "$@"
}

while IFS='|' read -r k before after err; do
	[ "$before" = "$after" ] && [[ $err == *"Invalid argument"* ]]
	log_test $? "$k refused with EINVAL, value kept ($after; the write said: ${err##*: })"
done < <(write_all conntrack=2 expire_nodest_conn=-1 drop_entry=4 sync_version=0 \
	sync_ports=0 conn_max=-5 sloppy_tcp=2 sloppy_sctp=-1 conn_reuse_mode=4 \
	snat_reroute=2 cache_bypass=1 nat_icmp_send=2 schedule_icmp=-1 \
	ignore_tunneled=-1)

# implemented since: each value taken and read back (conn_reuse_mode is a
# bitmap of two bits, the other knobs booleans); the defaults last
writes=(conn_reuse_mode=3 conn_reuse_mode=2 sloppy_tcp=1 sloppy_sctp=1
	snat_reroute=0 ignore_tunneled=1
	conn_reuse_mode=1 sloppy_tcp=0 sloppy_sctp=0 snat_reroute=1
	ignore_tunneled=0 nat_icmp_send=1 schedule_icmp=1 nat_icmp_send=0
	schedule_icmp=0)
w=0
while IFS='|' read -r k before after err; do
	want=${writes[w]#*=}
	w=$((w + 1))
	[ "$err" = accepted ] && [ "$after" = "$want" ]
	log_test $? "$k=$want accepted and read back (got: $after; the write said: ${err##*: })"
done < <(write_all "${writes[@]}")
[ "$w" = "${#writes[@]}" ]
log_test $? "every write answered ($w of ${#writes[@]})"

# run_estimation=0 (applied above) suspends the rates: the service's
# connection rate stays 0 under traffic, and moves once it is set back to 1
start_servers -u 53
add_nat_service -u "$VIP:53" || fail "cannot add the service"
cps() {		# the service's connections per second, as ipvsadm shows it
	ipvsadm_d -Ln --rate | awk '$1 == "UDP" { print $3; exit }'
}
client -u -n 20 -w 2000 "$VIP" 53 >/dev/null
# the estimator steps every 2 s: give it two steps
nap 4.5
r=$(cps)
[ "$r" = 0 ]
log_test $? "run_estimation=0: 20 new flows, the rate stays 0 after two estimator periods (got: $r)"
dir_exec sysctl -qw net.ipv4.vs.run_estimation=1 || fail "cannot set run_estimation=1"
# the first step after the pause averages over all of it: keep new flows
# coming until the rate shows them
rate_moves() {
	client -u -n 10 -w 2000 "$VIP" 53 >/dev/null
	[ "$(cps)" != 0 ]
}
wait_until 20 rate_moves
log_test $? "run_estimation=1: the rate moves under new flows (got: $(cps) conn/s)"

# ---- the names and defaults against ip_vs ------------------------------------

# l4vs unloads below: its services (and their scheduler module) go first
ipvsadm_d -C || fail "cannot clear the services"

# knobs NS ARRAY: ARRAY[name]=value for every knob of namespace NS, from
# one grep (sync_threshold's two numbers joined by a space)
knobs() {
	local -n out=$2
	local line name

	while IFS= read -r line; do
		name=${line%%:*}
		name=${name##*/}
		line=${line#*:}
		out["$name"]=${line//$'\t'/ }
	done < <(ip netns exec "$1" grep -r "" "$VS")
}

# the director netns above has had its values changed: defaults from a new one
fresh=l4vs-sysctl-$$
ip netns add "$fresh" || fail "cannot add a netns"
defer "ip netns del $fresh"
declare -A L4VS_DEF IPVS_DEF
knobs "$fresh" L4VS_DEF
ip netns del "$fresh"

if modinfo ip_vs >/dev/null 2>&1; then
	load_impl ipvs
	ip netns add "$fresh" || fail "cannot add a netns"
	knobs "$fresh" IPVS_DEF
	missing=
	for k in "${!IPVS_DEF[@]}"; do
		[ -n "${L4VS_DEF[$k]+x}" ] && continue
		[[ " $NOT_IN_L4VS " == *" $k "* ]] || missing+=" $k"
	done
	[ -z "$missing" ]
	log_test $? "every knob ip_vs has is in l4vs's tree, or documented as left out (missing:${missing:- none})"
	differ=
	same=0
	for k in "${!IPVS_DEF[@]}"; do
		[ -n "${L4VS_DEF[$k]+x}" ] || continue
		d=${IPVS_DEF[$k]}
		if [ "$d" = "${L4VS_DEF[$k]}" ]; then
			same=$((same + 1))
		elif [[ " $DEFAULT_DIFFERS " != *" $k "* ]]; then
			differ+=" $k(ip_vs $d, l4vs ${L4VS_DEF[$k]})"
		fi
	done
	[ -z "$differ" ] && [ "$same" -ge 20 ]
	log_test $? "defaults equal ip_vs's for $same knobs, differ only where documented (else:${differ:- none})"
	ip netns del "$fresh"
	load_impl l4vs
else
	log_info "ip_vs not available: names and defaults not compared"
fi

# ---- modprobe ip_vs with l4vs loaded -----------------------------------------

MPCONF=$REPO_DIR/tools/modprobe/l4vs-ip_vs.conf
[ -r "$MPCONF" ] || fail "no $MPCONF"
module_loaded l4vs || fail "l4vs not loaded"
modprobe -C "$MPCONF" ip_vs
rc=$?
! module_loaded ip_vs && module_loaded l4vs && [ $rc = 0 ]
log_test $? "modprobe ip_vs keeps l4vs and loads no ip_vs (exit $rc)"
modprobe -C "$MPCONF" ip_vs_sh
rc=$?
module_loaded l4vs_sh && ! module_loaded ip_vs_sh && [ $rc = 0 ]
log_test $? "modprobe ip_vs_sh loads l4vs_sh (exit $rc)"
modprobe -C "$MPCONF" ip_vs_lblc
rc=$?
module_loaded l4vs_lblc && ! module_loaded ip_vs_lblc && [ $rc = 0 ]
log_test $? "modprobe ip_vs_lblc loads l4vs_lblc (exit $rc)"
modprobe -C "$MPCONF" ip_vs_ftp 2>/dev/null
rc=$?
! module_loaded ip_vs_ftp && ! module_loaded ip_vs && [ $rc != 0 ]
log_test $? "modprobe ip_vs_ftp fails cleanly, ip_vs stays out (exit $rc)"
unload_module l4vs_sh
unload_module l4vs_lblc

exit "$RET"
