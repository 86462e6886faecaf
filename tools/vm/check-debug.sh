#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh: what `make check-debug` runs.  Builds (once; cached under
# $L4VS_CACHE) the 6.1 debug kernel of tools/vm/debug-kernel.sh, with KASAN,
# KFENCE, kmemleak, lockdep, debug objects and RCU checking, builds l4vs
# against it and runs selftests/run.sh in one qemu guest on it.  Every kernel
# report fails the run: run.sh matches the guest's kernel log against
# tools/vm/splat-patterns, and at the end of the suite the guest unloads
# l4vs, asks kmemleak for a scan and turns every unreferenced object it
# lists into a failure (the report is in results/check-debug-<rel>/).
# Ends with the line "N passed, N failed"; a build failure, a guest crash or
# timeout, a splat or a leak counts as one more failure.
#
# Environment:
#   L4VS_TESTS          subset of selftests, passed on to selftests/run.sh
#   L4VS_SKIP           tests to leave out, passed on likewise
#   L4VS_FUZZ_SCALE     size of the fuzz tests (default here: large)
#   L4VS_DEBUG_TIMEOUT  seconds for the whole guest (default 14400)
#   L4VS_TEST_TIMEOUT   seconds per test (default here: 2700)
#   L4VS_DEBUG_MEM      guest memory in MB (default 3072)
#   L4VS_DEBUG_JOBS     make -j for the kernel build (default: all CPUs;
#                       always under nice -n 19)
#   L4VS_DEBUG_RELEASE  run on this (installed or cached) kernel instead of
#                       building the debug kernel
#   L4VS_DEBUG_SELFCHECK=0  leave out the splat check
#   L4VS_GUEST_LOCK     a file to flock(1) around each guest, on a machine
#                       where other guests run too (one TCG guest at a time)
set -uo pipefail

# shellcheck source=tools/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

passed=0
failed=0
summary=()

finish() {
	echo
	for line in "${summary[@]}"; do
		echo "# $line"
	done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit
}

abort() {
	echo "check-debug: $*" >&2
	failed=$((failed + 1))
	summary+=("setup: $*")
	finish
}

# The rest is one block, parsed before any of it runs: editing this file
# while a run is under way (hours) cannot derail that run.
{
cd "$checkout" || abort "cannot cd to $checkout"

# run.sh, one guest at a time if asked to
vm_run() {
	if [ -n "${L4VS_GUEST_LOCK:-}" ]; then
		flock "$L4VS_GUEST_LOCK" "$vm_dir/run.sh" "$@"
	else
		"$vm_dir/run.sh" "$@"
	fi
}

"$vm_dir/deps.sh" || abort "installing dependencies failed"

start_all=$(date +%s)
echo "# ======== debug kernel: fetch, configure, build (cached) ========"
if [ -n "${L4VS_DEBUG_RELEASE:-}" ]; then
	rel=$L4VS_DEBUG_RELEASE
else
	rel=$("$vm_dir/debug-kernel.sh") || abort "building the debug kernel failed"
fi
kernel_paths "$rel" >/dev/null || abort "debug kernel $rel not installed"
summary+=("debug kernel $rel ready after $(($(date +%s) - start_all))s")

make -s l4vsadm || abort "building l4vsadm failed"
if [ -f selftests/Makefile ]; then
	make -s -C selftests || abort "building the selftest helpers failed"
fi
echo "# ======== kernel $rel: build l4vs ========"
# CONFIG_L4VS_DEBUG: the race windows held open (race_delay_us) and the
# schedulers' in-module self-tests, as on make check's first kernel
make -s "build-$rel" CONFIG_L4VS_DEBUG=y || abort "building l4vs for $rel failed"

# Knobs the tests read: the fuzzers run at their large size here, and a
# slower kernel (KASAN and lockdep under TCG: two to three times) gets
# longer per-test limits.
export L4VS_FUZZ_SCALE=${L4VS_FUZZ_SCALE:-large}
export L4VS_TEST_TIMEOUT=${L4VS_TEST_TIMEOUT:-2700}
export L4VS_DEBUG_KERNEL=1

out=$checkout/results/check-debug-$rel
rm -rf "$out"
mkdir -p "$out"

# Shell for the guest, ahead of both commands below.  kmemleak_report LABEL
# scans twice a few seconds apart (objects younger than five seconds are
# never reported; the second scan drops anything only transiently
# unreferenced), appends what kmemleak lists to OUT/kmemleak.txt under LABEL
# and copies it into the kernel log, where run.sh and the splat patterns
# look for reports.  Returns 1 if anything is listed, 2 if kmemleak failed.
# shellcheck disable=SC2016 # expanded in the guest
guest_lib='
kl=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
kmemleak_start() {
	{ echo scan >$kl && echo clear >$kl; } 2>/dev/null
}
kmemleak_report() {
	local list
	{ echo scan >$kl && sleep 6 && echo scan >$kl; } 2>/dev/null || return 2
	list=$(cat $kl)
	echo "## kmemleak, $1:" >>"$L4VS_OUTDIR/kmemleak.txt"
	[ -z "$list" ] || echo "$list" >>"$L4VS_OUTDIR/kmemleak.txt"
	grep -q "^unreferenced object" <<<"$list" || return 0
	while IFS= read -r line; do
		echo "kmemleak report: $line" >/dev/kmsg
	done <<<"$list"
	return 1
}
'

# The splat check: one deliberate report of each kind from
# tools/vm/splat-selftest, each of which must match tools/vm/splat-patterns
# in the lines it added to the kernel log.  Lockdep first and KASAN last:
# a KASAN report turns lockdep off.
# shellcheck disable=SC2016 # expanded in the guest
selfcheck_cmd='
pats=$(mktemp)
grep -Ev "^(#|\$)" tools/vm/splat-patterns >"$pats"
kmemleak_start || echo "# kmemleak is not working"
rc=0
for kind in lockdep kfence odebug kmemleak kasan; do
	before=$(dmesg | wc -l)
	insmod "$L4VS_SPLAT_KO" what=$kind 2>/dev/null
	[ $kind != kmemleak ] || kmemleak_report "splat check"
	new=$(dmesg | tail -n +$((before + 1)))
	hit=$(grep -E -f "$pats" <<<"$new" | head -n 1)
	if [ -n "$hit" ]; then
		echo "ok - splat check: the $kind report is caught: $hit" |
			tee -a "$L4VS_OUTDIR/checks.log"
	else
		echo "not ok - splat check: the $kind report is not caught" |
			tee -a "$L4VS_OUTDIR/checks.log"
		sed "s/^/# /" <<<"$new"
		rc=1
	fi
done
exit $rc
'

# The suite.  kmemleak: a scan right after boot, then "clear", so what boot
# left looking unreferenced is not blamed on l4vs.  After the suite, one
# report with l4vs still loaded (its frames then have names), "clear", and
# one after unloading it: its data held the pointers to everything it still
# owned, so what it forgot to free shows up then, with bare addresses for
# its frames (OUT/modules.txt has where the modules were loaded).
# shellcheck disable=SC2016 # expanded in the guest
guest_cmd='
leak_ok=1
if ! kmemleak_start; then
	echo "not ok - kmemleak is not working in this kernel (see dmesg)"
	leak_ok=0
fi
bash selftests/run.sh 2>&1 | tee "$L4VS_OUTDIR/selftests.log"
rc=${PIPESTATUS[0]}
# what the suite loaded: the list debug-kernel.modules must cover
lsmod >"$L4VS_OUTDIR/lsmod.txt"
cat /proc/modules >"$L4VS_OUTDIR/modules.txt"
leaks=0
if [ "$leak_ok" = 1 ]; then
	kmemleak_report "l4vs loaded"
	r=$?
	[ "$r" -ne 2 ] || leak_ok=0
	[ "$r" -ne 1 ] || { leaks=1; echo clear >$kl; }
fi
for m in $(lsmod | awk "/^l4vs_/ {print \$1}") l4vs; do
	grep -q "^$m " /proc/modules && { rmmod "$m" || echo "# cannot unload $m"; }
done
if [ "$leak_ok" = 1 ]; then
	kmemleak_report "after unloading l4vs"
	r=$?
	[ "$r" -ne 2 ] || leak_ok=0
	[ "$r" -ne 1 ] || leaks=1
fi
if [ "$leak_ok" != 1 ]; then
	echo "not ok - kmemleak: the scan failed"
elif [ "$leaks" = 1 ]; then
	echo "not ok - kmemleak: unreferenced objects after the suite:"
	sed "s/^/# /" "$L4VS_OUTDIR/kmemleak.txt"
else
	echo "ok - kmemleak: no unreferenced objects after the suite"
fi
[ "$leak_ok" = 1 ] && [ "$leaks" = 0 ] || [ "$rc" -ne 0 ] || rc=1
echo "$leak_ok $rc" >"$L4VS_OUTDIR/leak-status"
exit "$rc"
'

if [ "${L4VS_DEBUG_SELFCHECK:-1}" = 1 ]; then
	echo "# ======== kernel $rel: splat check ========"
	sdir=$checkout/build/splat-selftest-$rel
	rm -rf "$sdir"
	mkdir -p "$sdir"
	cp "$vm_dir"/splat-selftest/Kbuild "$vm_dir"/splat-selftest/*.c "$sdir/"
	kdir=$(kernel_kdir "$rel") || abort "no headers for $rel"
	make -s -C "$kdir" M="$sdir" modules >/dev/null || abort "building the splat check module failed"
	sout=$checkout/results/check-debug-splat-$rel
	rm -rf "$sout"
	mkdir -p "$sout"
	start=$(date +%s)
	rc=0
	L4VS_SPLAT_KO=$sdir/splat_selftest.ko \
		vm_run --kernel "$rel" --timeout 900 --mem "${L4VS_DEBUG_MEM:-3072}" \
		--out "$sout" -- "$guest_lib$selfcheck_cmd" \
		>"$sout/run.log" 2>&1 || rc=$?
	touch "$sout/checks.log"
	cat "$sout/checks.log"
	p=$(grep -c '^ok - ' "$sout/checks.log")
	f=$(grep -c '^not ok - ' "$sout/checks.log")
	passed=$((passed + p))
	failed=$((failed + f))
	# run.sh must have seen the splats too (exit 1); 124/125 is a dead guest
	if [ $((p + f)) -ne 5 ] || [ "$rc" -ne 1 ]; then
		failed=$((failed + 1))
		summary+=("$rel splat check: guest exit $rc, $((p + f)) of 5 checks ran (see $sout)")
	fi
	summary+=("$rel splat check: $p of 5 kinds of report caught in $(($(date +%s) - start))s")
	[ "$f" -eq 0 ] && [ "$p" -eq 5 ] ||
		summary+=("$rel: the kernel log checks miss reports; a clean run below proves little")
fi

echo "# ======== kernel $rel: selftests (debug) ========"
start=$(date +%s)
rc=0
L4VS_MODULES_DIR=$checkout/build/$rel \
	vm_run --kernel "$rel" --timeout "${L4VS_DEBUG_TIMEOUT:-14400}" \
	--mem "${L4VS_DEBUG_MEM:-3072}" --out "$out" -- "$guest_lib$guest_cmd" \
	>"$out/run.log" 2>&1 || rc=$?
secs=$(($(date +%s) - start))
log=$out/selftests.log
cat "$log" 2>/dev/null
tail -n 3 "$out/run.log"

counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" 2>/dev/null | tail -n 1)
if [ -n "$counts" ]; then
	read -r p _ f _ <<<"$counts"
else
	# the suite did not finish: count what it did report
	p=$(grep -c '^ok ' "$log" 2>/dev/null)
	f=$(grep -c '^not ok ' "$log" 2>/dev/null)
	p=${p:-0}
	f=${f:-0}
fi
passed=$((passed + p))
failed=$((failed + f))
# run.sh's own figure leaves out any wait for L4VS_GUEST_LOCK
gsecs=$(sed -n 's/^run\.sh: .* in \([0-9]*\)s (logs in .*/\1/p' "$out/run.log" | tail -n 1)
summary+=("$rel: $p passed, $f failed in ${secs}s${gsecs:+ (guest ${gsecs}s)}")

# kmemleak's verdict, written by the guest after the suite
leak=$(cat "$out/leak-status" 2>/dev/null)
leak_failed=0
case $leak in
"1 "*)	if grep -q '^unreferenced object' "$out/kmemleak.txt" 2>/dev/null; then
		leak_failed=1
		summary+=("$rel: kmemleak: $(grep -c '^unreferenced object' "$out/kmemleak.txt") unreferenced objects (see $out/kmemleak.txt)")
	else
		passed=$((passed + 1))
		summary+=("$rel: kmemleak: nothing unreferenced")
	fi ;;
"0 "*)	leak_failed=1
	summary+=("$rel: kmemleak not working (see $out/dmesg.txt)") ;;
*)	;;	# the guest never got there: counted below
esac
failed=$((failed + leak_failed))

# run.sh's own verdict: a splat anywhere in the kernel log, a crash or a
# timeout that nothing above counted
if [ "$rc" -ne 0 ] && [ $((f + leak_failed)) -eq 0 ]; then
	failed=$((failed + 1))
	case $rc in
	124)	note="guest timed out" ;;
	125)	note="guest died" ;;
	*)	note="exit $rc; kernel reports in $out/dmesg.txt" ;;
	esac
	summary+=("$rel: $note")
fi
if [ -s "$out/dmesg.txt" ]; then
	splats=$(grep -cE -f <(grep -Ev '^(#|$)' "$vm_dir/splat-patterns") "$out/dmesg.txt")
	summary+=("$rel: $splats kernel log lines match tools/vm/splat-patterns")
fi
summary+=("total time $(($(date +%s) - start_all))s")
finish
}
