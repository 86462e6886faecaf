#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  (no topology: module loads only)
#
# The schedulers' in-module self-tests (net/sched/selftest_*.c): a debug
# build (make CONFIG_L4VS_DEBUG=y, what make check runs on its first kernel)
# checks the wrr sequences and the Maglev table when l4vs_wrr and l4vs_mh
# load, and refuses to load when they are wrong.  Here both modules are
# loaded afresh and must say that their self-test passed.

. "$(dirname "$0")/lib.sh"

[ "$L4VS_IMPL" = l4vs ] || skip "l4vs only"
load_impl
[ -e /sys/module/l4vs/parameters/race_delay_us ] ||
	skip "not a debug build (make CONFIG_L4VS_DEBUG=y): no in-module self-tests"

for m in wrr mh; do
	unload_module "l4vs_$m" || fail "cannot unload l4vs_$m"
	dmesg_mark "sched_selftest-$m-$$"
	modprobe "l4vs_$m"
	log_test $? "l4vs_$m loads"
	log=$(dmesg | awk -v m="l4vs-selftest: mark sched_selftest-$m-$$\$" \
		'$0 ~ m { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }')
	grep -E "$m selftest: .*(pass|within)" <<<"$log"
	log_test $? "$m self-test passed"
	! grep -q "$m selftest.*" <<<"$(grep -v -E "(pass|within)" <<<"$log")"
	log_test $? "$m self-test reported no error"
done
exit $RET
