#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  initial namespace only:
#
#    modprobe l4vs conn_tab_bits=N  -->  ipvsadm -Ln: "... (size=2^N)"
#                                   -->  /sys/module/l4vs/parameters/conn_tab_bits
#
# conn_tab_bits sizes the connection hash table; values outside 8..20 clamp
# to the nearest bound, and the clamped value is what both places show
# (Documentation/parameters.md).  With L4VS_IMPL=ipvs the in-range cases run
# against ip_vs, which has the same parameter (it does not clamp the same
# way, so the out-of-range cases are l4vs only).

. "$(dirname "$0")/lib.sh"

core=l4vs
[ "$L4VS_IMPL" = ipvs ] && core=ip_vs
load_impl

# check_bits PARAM EFFECTIVE: load the core with conn_tab_bits=PARAM (empty:
# no parameter) and check that EFFECTIVE bits are in force.
check_bits() {
	local param=$1 bits=$2 header want sysval

	unload_module "$core" || { log_test 1 "unload $core"; return; }
	if [ -n "$param" ]; then
		modprobe "$core" conn_tab_bits="$param"
	else
		modprobe "$core"
	fi || { log_test 1 "modprobe $core conn_tab_bits=$param"; return; }
	header=$("$IPVSADM" -Ln | head -n 1)
	want="IP Virtual Server version 1.2.1 (size=$((1 << bits)))"
	[ "$header" = "$want" ]
	log_test $? "conn_tab_bits=${param:-default}: -Ln header says size=$((1 << bits)) (got: $header)"
	if [ -x "$L4VSADM" ]; then
		header=$("$L4VSADM" -Ln | head -n 1)
		[ "$header" = "$want" ]
		log_test $? "conn_tab_bits=${param:-default}: l4vsadm -Ln header agrees (got: $header)"
	fi
	sysval=$(cat "/sys/module/$core/parameters/conn_tab_bits" 2>&1)
	[ "$sysval" = "$bits" ]
	log_test $? "conn_tab_bits=${param:-default}: sysfs parameter reads $bits (got: $sysval)"
}

check_bits "" 12
check_bits 10 10
check_bits 16 16
if [ "$core" = l4vs ]; then
	check_bits 4 8
	check_bits 30 20
	check_bits 8 8
	check_bits 20 20
fi

# leave the default in place for whatever runs next
# The kernel's ip_vs holds the same netlink family and /proc names: loading
# l4vs next to it must fail with one clear line and no kernel warning.
if [ "$core" = l4vs ] && modinfo ip_vs >/dev/null 2>&1; then
	dmesg_mark "module_params-clash-$$"
	unload_module l4vs && modprobe ip_vs
	log_test $? "load the kernel's ip_vs instead"
	if modprobe l4vs 2>/dev/null; then
		log_test 1 "modprobe l4vs refused while ip_vs is loaded"
	else
		log_test 0 "modprobe l4vs refused while ip_vs is loaded"
	fi
	line=$(dmesg | sed -n "/module_params-clash-$$/,\$p" | grep -c 'already registered: unload the kernel.s ip_vs first')
	[ "$line" = 1 ]
	log_test $? "one clear line in the kernel log (got $line)"
	check_dmesg "module_params-clash-$$"
	log_test $? "no kernel warning from the refused load"
	unload_module ip_vs
	log_test $? "unload ip_vs"
fi

unload_module "$core" && modprobe "$core"
log_test $? "reload $core with defaults"

exit $RET
