#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  (no topology: module loads only)
#
# The in-module self-tests: a debug build (make CONFIG_L4VS_DEBUG=y, what
# make check runs on its first kernel) checks, and refuses to load when
# they are wrong,
#   - in l4vs, the tunnel headers (net/selftest_tunnel.c): every outer
#     length field of a packet over 64 KiB once wrapped is 0, never the
#     length modulo 64 Ki, for each tunnel type and family (fails with
#     outer_len16() returning htons(len): l4vs refuses to load);
#   - in l4vs_wrr and l4vs_mh, the wrr sequences and the Maglev table.
# Here each module is loaded afresh and must say that its self-test passed.

. "$(dirname "$0")/lib.sh"

# the kernel log since the marker TAG
log_since() {
	dmesg | awk -v m="l4vs-selftest: mark $1\$" \
		'$0 ~ m { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }'
}

[ "$L4VS_IMPL" = l4vs ] || skip "l4vs only"
[ -e /proc/modules ] || skip "kernel has no module support (run in the VM)"
modinfo l4vs >/dev/null 2>&1 || skip "l4vs.ko is not installed"
modinfo -F parm l4vs | grep -q '^race_delay_us:' ||
	skip "not a debug build (make CONFIG_L4VS_DEBUG=y): no in-module self-tests"

unload_module ip_vs || fail "cannot unload ip_vs"
unload_module l4vs || fail "cannot unload l4vs"
dmesg_mark "sched_selftest-l4vs-$$"
modprobe l4vs
log_test $? "l4vs loads"
log=$(log_since "sched_selftest-l4vs-$$")
grep -E "tunnel self-test passed \([1-9][0-9]* checks\)" <<<"$log"
log_test $? "tunnel self-test passed"
! grep -v passed <<<"$log" | grep -q "tunnel self-test"
log_test $? "tunnel self-test reported no error"
load_impl

for m in wrr mh; do
	unload_module "l4vs_$m" || fail "cannot unload l4vs_$m"
	dmesg_mark "sched_selftest-$m-$$"
	modprobe "l4vs_$m"
	log_test $? "l4vs_$m loads"
	log=$(log_since "sched_selftest-$m-$$")
	grep -E "$m selftest: .*(pass|within)" <<<"$log"
	log_test $? "$m self-test passed"
	! grep -q "$m selftest.*" <<<"$(grep -v -E "(pass|within)" <<<"$log")"
	log_test $? "$m self-test reported no error"
done
exit $RET
