#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: run the l4vs selftests and print TAP 13.
#
# Runs every test in TESTS (or the ones named in L4VS_TESTS="a b", with or
# without ".sh"), each in its own bash with a time limit, checks the kernel
# log after each one (a splat fails the test that caused it) and ends with
# the line "N passed, N failed, N skipped" (the last "test" is the teardown:
# leftover namespaces removed, every module of the implementation unloaded,
# the kernel log read once more).  Exit status 1 if anything failed or
# nothing but the teardown passed.
#
# Environment: L4VS_TESTS (subset), L4VS_SKIP (tests to leave out),
# L4VS_TEST_TIMEOUT (seconds per test,
# default: timeout= of ./settings, as kselftest's runner reads it),
# L4VS_IMPL (l4vs or ipvs, read by the tests).

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1
. ./lib.sh

# Order matters a little: the cheap control-plane tests first, the ones that
# unload modules last.
TESTS=(
	bad_input
	module_params
	sched_selftest
	sysctl_userns
	ipvs_sysctl
	ipvsadm_compat
	kernel_ipvs
	save_restore
	nat_rr
	dr
	tun
	tun_pmtu
	tun_gso
	tun_thdr
	ttl
	frag
	tstamp
	edemux
	route_cache
	route_tos
	dest_delete
	dest_readd
	weight0_drain
	overload
	conn_list
	timeout_expire
	fwmark
	persist
	one_packet
	sctp_nat
	icmp
	icmp_knobs
	conntrack
	local_client
	malformed
	conn_table
	flood_evict
	sync_bad
	sync_trust
	sync
	sync_churn
	sched_mh
	sched_swap
	sched_cache
	fuzz_netlink
	fuzz_sync
	fuzz_packets
	keepalived
	node_exporter
	vrrp
	stress_churn
	unload_traffic
	conn_reuse
	sloppy
	reroute_tunneled
	sched_diff
)

timeout_s=${L4VS_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' settings)}
timeout_s=${timeout_s:-900}

if [ -n "$L4VS_TESTS" ]; then
	read -r -a selected <<<"$L4VS_TESTS"
	selected=("${selected[@]%.sh}")
else
	selected=("${TESTS[@]}")
fi
# L4VS_SKIP="a b": leave these out
if [ -n "${L4VS_SKIP:-}" ]; then
	read -r -a skip_list <<<"$L4VS_SKIP"
	kept=()
	for t in "${selected[@]}"; do
		[[ " ${skip_list[*]%.sh} " == *" $t "* ]] || kept+=("$t")
	done
	selected=("${kept[@]}")
fi

echo "TAP version 13"
# one more than the tests: the teardown check at the end
echo "1..$((${#selected[@]} + 1))"
echo "# implementation under test: ${L4VS_IMPL}; kernel $(uname -r)"

# A test killed by the timeout may leave its namespaces, and with them
# services that pin the scheduler module: remove them before the next test.
reap_namespaces() {
	local ns rest

	while read -r ns rest; do
		[[ $ns =~ ^(cli|dir|lan|bak|snd|rs[0-9]+)-[0-9a-f]{8}$ ]] || continue
		echo "# removing leftover namespace $ns"
		ip netns del "$ns"
	done <<<"$(ip netns list 2>/dev/null)"
}

logf=$(mktemp /tmp/l4vs-run.XXXXXX)
trap 'rm -f "$logf"' EXIT

passed=0
failed=0
skipped=0
n=0
skips=()
for t in "${selected[@]}"; do
	n=$((n + 1))
	if [ ! -f "$t.sh" ]; then
		echo "not ok $n $t # no such test"
		failed=$((failed + 1))
		continue
	fi
	tag="$t-$n-$$"
	dmesg_mark "$tag"
	echo "# running $t"
	start=$(now_ms)
	# each output line prefixed with "# ", as kselftest does
	timeout -k 10 "$timeout_s" bash "./$t.sh" 2>&1 | sed -u "s/^/# /w $logf"
	rc=${PIPESTATUS[0]}
	secs=$((($(now_ms) - start + 500) / 1000))
	[ "$rc" -eq "$KSFT_PASS" ] || reap_namespaces
	splat=$(check_dmesg "$tag")
	if [ -n "$splat" ]; then
		echo "$splat" | sed 's/^/# /'
		[ "$rc" -eq $KSFT_PASS ] || [ "$rc" -eq $KSFT_SKIP ] && rc=$KSFT_FAIL
	fi
	case $rc in
	"$KSFT_PASS")
		echo "ok $n $t # ${secs}s"
		passed=$((passed + 1))
		;;
	"$KSFT_SKIP")
		reason=$(sed -n 's/^# SKIP: //p' "$logf" | tail -n 1)
		echo "ok $n $t # SKIP ${reason:-no reason given}"
		skipped=$((skipped + 1))
		skips+=("$t")
		;;
	124|137)
		echo "# TIMEOUT ${timeout_s}s"
		echo "not ok $n $t # TIMEOUT"
		failed=$((failed + 1))
		;;
	*)
		echo "not ok $n $t # exit $rc"
		failed=$((failed + 1))
		;;
	esac
done

# The last test's namespaces go away asynchronously, and nothing above
# unloads the modules: wait for the one, do the other, and read the kernel
# log once more, so that a splat in teardown or unload fails the run too.
n=$((n + 1))
tag="teardown-$n-$$"
dmesg_mark "$tag"
reap_namespaces
if [ "$L4VS_IMPL" = ipvs ]; then
	core=ip_vs
else
	core=l4vs
fi
msg=
unload_module "$core" || msg="$core would not unload"
splat=$(check_dmesg "$tag")
[ -n "$splat" ] && msg+="${msg:+; }kernel splat"
if [ -z "$msg" ]; then
	echo "ok $n teardown # namespaces gone, $core unloaded"
	passed=$((passed + 1))
else
	echo "$splat" | sed 's/^/# /'
	echo "not ok $n teardown # $msg"
	failed=$((failed + 1))
fi

[ "$skipped" -gt 0 ] && echo "# skipped: $skipped (${skips[*]})"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 1 ]
