#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: what `make check` runs.  Installs what is missing, fetches the
# backports kernels (bookworm-backports' 6.12 and the newest 7.x from
# trixie-backports, which is built for in tools/vm/buildroot.sh's trixie
# root), builds l4vs for them and for the distribution kernel, and runs
# selftests/run.sh in one qemu guest per kernel, one after the other.
# Then, on the first kernel, the sync interoperability test against ip_vs
# (two guests; L4VS_INTEROP=0 skips it) and the benchmark smoke run, and on
# the host the dkms / make install test.  Ends with the line
# "N passed, N failed" summed over all of it; a build failure, a guest crash
# or timeout, or a kernel splat counts as one more failure.
#
# Environment: L4VS_KERNELS="rel ..." (default: distribution, 6.12 and 7.x
# backports), L4VS_NEWEST_SUITE (where the newest kernel comes from, default
# trixie-backports; sid works too),
# L4VS_CHECK_TIMEOUT (seconds per guest, default 2400), L4VS_TESTS (subset,
# passed on to selftests/run.sh), L4VS_MIDDLE_TESTS (a subset for the kernels
# between the first and the last, i.e. 6.12, when CI time is short; default:
# the whole suite everywhere).
set -uo pipefail

# shellcheck source=tools/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

total_passed=0
total_failed=0
total_skipped=0
summary=()

finish() {
	echo
	for line in "${summary[@]}"; do
		echo "# $line"
	done
	# .ci/run takes this line, and only this one, for the verdict
	echo "check: $total_passed passed, $total_failed failed, $total_skipped skipped"
	[ "$total_failed" -eq 0 ] && [ "$total_passed" -gt 0 ]
	exit
}

abort() {
	echo "check: $*" >&2
	total_failed=$((total_failed + 1))
	summary+=("setup: $*")
	finish
}

cd "$checkout" || abort "cannot cd to $checkout"

"$vm_dir/deps.sh" || abort "installing dependencies failed"

if [ -n "${L4VS_KERNELS:-}" ]; then
	read -r -a kernels <<<"$L4VS_KERNELS"
else
	host_rel=$(host_default_release) || abort "no distribution kernel installed"
	bpo_rel=$("$vm_dir/fetch-kernel.sh") || abort "fetching the backports kernel failed"
	newest_suite=${L4VS_NEWEST_SUITE:-trixie-backports}
	newest_rel=$("$vm_dir/fetch-kernel.sh" "$newest_suite") ||
		abort "fetching the newest kernel from $newest_suite failed"
	kernels=("$host_rel" "$bpo_rel" "$newest_rel")
fi
# a release named in L4VS_KERNELS may be one a backports suite has not
# been asked for yet
for rel in "${kernels[@]}"; do
	for suite in bookworm-backports "${L4VS_NEWEST_SUITE:-trixie-backports}"; do
		kernel_paths "$rel" >/dev/null && break
		"$vm_dir/fetch-kernel.sh" "$suite" >/dev/null || abort "fetching from $suite failed"
	done
	kernel_paths "$rel" >/dev/null || abort "kernel $rel unavailable"
done

make -s l4vsadm || abort "building l4vsadm failed"
if [ -f selftests/Makefile ]; then
	make -s -C selftests || abort "building the selftest helpers failed"
fi
[ -x selftests/run.sh ] || [ -f selftests/run.sh ] || abort "selftests/run.sh missing"

# l4vsadm's command-line parser, on the host: no kernel needed, seconds.
echo "# ======== l4vsadm parser (host) ========"
mkdir -p "$checkout/results"
if bash tools/l4vsadm/test-parse.sh >"$checkout/results/test-parse.log" 2>&1; then
	total_passed=$((total_passed + 1))
	summary+=("l4vsadm parser: $(tail -n 1 "$checkout/results/test-parse.log" | tr -d '#')")
else
	total_failed=$((total_failed + 1))
	grep '^not ok' "$checkout/results/test-parse.log"
	summary+=("l4vsadm parser: FAILED (results/test-parse.log)")
fi

timeout_s=${L4VS_CHECK_TIMEOUT:-2400}
start_all=$(date +%s)

# One guest at a time.  Two guests side by side (four TCG vCPU threads on
# the two cores CI gives us) made every test five to seven times slower
# (tun: 290 s next to the other guest, 42 s alone; the whole 6.1 suite
# 50 min against about 10), far worse than running them in turn.
declare -A ran=()
for rel in "${kernels[@]}"; do
	echo "# ======== kernel $rel: build ========"
	# The first kernel runs a debug build: the in-module self-tests of the
	# schedulers run at load, and race_delay_us lets stress_churn hold the
	# lifetime windows open.  The others run what users build.
	debug=()
	[ "$rel" = "${kernels[0]}" ] && debug=(CONFIG_L4VS_DEBUG=y)
	if ! make -s "build-$rel" "${debug[@]}"; then
		echo "not ok - build for $rel"
		total_failed=$((total_failed + 1))
		summary+=("$rel: module build failed")
		continue
	fi
	ran[$rel]=1
	# the kernel's own ipvs.sh for selftests/kernel_ipvs.sh (it says why
	# it skips when the series' linux-source cannot be had)
	"$vm_dir/fetch-kselftest.sh" "$rel" >/dev/null ||
		echo "# no linux-source for $rel: kernel_ipvs will skip"
	out=$checkout/results/check-$rel
	rm -rf "$out"
	mkdir -p "$out"
	start=$(date +%s)
	echo "# ======== kernel $rel: selftests ========"
	# selftests/run.sh's TAP goes to the guest's console (kept in
	# console.log) and, for counting, to a file in the out share: the
	# verdict never comes from the console.
	rc=0
	tests=${L4VS_TESTS:-}
	if [ -n "${L4VS_MIDDLE_TESTS:-}" ] && [ "$rel" != "${kernels[0]}" ] &&
	   [ "$rel" != "${kernels[-1]}" ]; then
		tests=$L4VS_MIDDLE_TESTS
		echo "# $rel runs only: $tests"
	fi
	# slub_debug: connection entries are poisoned when freed and checked
	# when allocated, so a write through a stale pointer to one is a splat
	L4VS_TESTS=$tests L4VS_MODULES_DIR=$checkout/build/$rel \
		"$vm_dir/run.sh" --kernel "$rel" --timeout "$timeout_s" --out "$out" \
		--append "slub_debug=FZP,l4vs_conn" -- \
		'set -o pipefail; bash selftests/run.sh 2>&1 | tee "$L4VS_OUTDIR/selftests.log"' \
		>"$out/run.log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	log=$out/selftests.log
	cat "$log" 2>/dev/null
	tail -n 3 "$out/run.log"

	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" 2>/dev/null |
		 tail -n 1)
	sk=0
	if [ -n "$counts" ]; then
		read -r p _ f _ sk _ <<<"${counts//,/}"
	else
		# the suite did not finish: count what it did report
		p=$(grep -c '^ok ' "$log" 2>/dev/null)
		f=$(grep -c '^not ok ' "$log" 2>/dev/null)
		p=${p:-0}
		f=${f:-0}
	fi
	note=
	# a crash, timeout or splat the suite itself did not count
	if [ "$rc" -ne 0 ] && { [ -z "$counts" ] || [ "$f" -eq 0 ]; }; then
		f=$((f + 1))
		case $rc in
		124)	note=" (guest timed out)" ;;
		125)	note=" (guest died)" ;;
		*)	note=" (exit $rc; see $out/dmesg.txt)" ;;
		esac
	fi
	# a kernel on which nothing but the teardown passed tested nothing
	if [ "$p" -le 1 ] && [ "$f" -eq 0 ]; then
		f=1
		note+=" (no test passed)"
	fi
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	total_skipped=$((total_skipped + sk))
	summary+=("$rel: $p passed, $f failed, $sk skipped in ${secs}s$note")
done

# The rest runs once, on the first kernel, to keep CI well inside its time
# (L4VS_EXTRA=all runs it on every kernel, L4VS_EXTRA=none on none).
for rel in "${kernels[@]}"; do
	[ -n "${ran[$rel]:-}" ] || continue
	[ "${L4VS_EXTRA:-first}" != none ] || continue
	[ "$rel" = "${kernels[0]}" ] || [ "${L4VS_EXTRA:-first}" = all ] || continue

	# Sync protocol interoperability with the kernel's IPVS: two guests
	# joined by a qemu socket link.  About a minute; L4VS_INTEROP=0
	# leaves it out (make check-interop runs it on its own, both kernels).
	if [ "${L4VS_INTEROP:-1}" = 1 ]; then
		echo "# ======== sync interop with ip_vs, $rel ========"
		ilog=$checkout/results/sync-interop-$rel.log
		start=$(date +%s)
		L4VS_MODULES_DIR=$checkout/build/$rel "$vm_dir/sync-interop.sh" --kernel "$rel" \
			2>&1 | tee "$ilog"
		counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$ilog" | tail -n 1)
		if [ -n "$counts" ]; then
			read -r p _ f _ <<<"$counts"
		else
			p=0
			f=1
		fi
		total_passed=$((total_passed + p))
		total_failed=$((total_failed + f))
		summary+=("$rel sync interop: $p passed, $f failed in $(($(date +%s) - start))s")
	fi

	# The benchmark suite at tiny sizes, so that it never rots.
	echo "# ======== bench smoke, $rel ========"
	start=$(date +%s)
	if "$checkout/tools/bench/bench.sh" --smoke --kernel "$rel" \
		--out "$checkout/results/bench-smoke-$rel"; then
		total_passed=$((total_passed + 1))
		summary+=("$rel bench smoke: ok in $(($(date +%s) - start))s")
	else
		total_failed=$((total_failed + 1))
		summary+=("$rel bench smoke: FAILED (results/bench-smoke-$rel)")
	fi
done

# Packaging on the host: dkms.conf with Debian's dkms (6.1 and 6.12
# headers), make install/uninstall into a DESTDIR.  Root only.
if [ "$(id -u)" -eq 0 ] && [ "${L4VS_EXTRA:-first}" != none ]; then
	echo "# ======== dkms and make install (host) ========"
	mkdir -p "$checkout/results"
	L4VS_DKMS_KREL=${host_rel:-${kernels[0]}} L4VS_DKMS_KREL2=${bpo_rel:-${kernels[-1]}} \
		tools/dkms-test.sh 2>&1 | tee "$checkout/results/dkms-test.log"
	if [ "${PIPESTATUS[0]}" -eq 0 ]; then
		total_passed=$((total_passed + 1))
		summary+=("dkms-test: ok")
	else
		total_failed=$((total_failed + 1))
		summary+=("dkms-test: FAILED (results/dkms-test.log)")
	fi
fi
summary+=("total time $(($(date +%s) - start_all))s")
finish
