#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh [--smoke] [--kernel REL] [--out DIR] [--timeout SECS]
#
# The l4vs benchmark suite (Documentation/benchmarks.md): builds the modules
# privately for REL, runs the scheduler benchmark natively on the host, boots
# ONE qemu guest (slab_nomerge) that runs tools/bench/guest.sh (plain
# forwarding, ip_vs and l4vs in turn), then writes DIR (default
# results/bench/<timestamp>) with results.csv, results.md, bench.png,
# summary.txt and env.txt, and prints the one-line summaries.
#
# --smoke: every scenario at tiny sizes, one repetition, a few minutes.
# Exit status: 0 when every scenario produced numbers, 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/vm/lib.sh
. "$here/../vm/lib.sh"		# checkout, kernel_kdir, host_default_release

die() {
	echo "bench: $*" >&2
	exit 1
}

smoke=0
rel=
out=
timeout_s=
while [ $# -gt 0 ]; do
	case $1 in
	--smoke)	smoke=1; shift ;;
	--kernel)	[ $# -ge 2 ] || die "--kernel needs a release"; rel=$2; shift 2 ;;
	--out)		[ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
	--timeout)	[ $# -ge 2 ] || die "--timeout needs seconds"; timeout_s=$2; shift 2 ;;
	-h|--help)	sed -n '4p' "$0" | sed 's/^# /usage: /'; exit 0 ;;
	*)		die "unknown option '$1'" ;;
	esac
done
if [ -z "$rel" ]; then
	rel=$(host_default_release) || die "no kernel; run tools/vm/deps.sh"
fi
if [ "$smoke" = 1 ]; then
	: "${timeout_s:=1200}"
	mem=2048
	sched_args=(-r 1 -m 20 -n "4,64,1024")
else
	: "${timeout_s:=7200}"
	mem=4096	# a million entries of ip_vs, then of l4vs
	sched_args=(-r 3 -m 200)
fi
stamp=$(date -u +%Y%m%d-%H%M%S)
[ -n "$out" ] || out=$checkout/results/bench/$stamp$([ "$smoke" = 1 ] && echo -smoke)
mkdir -p "$out/vm/bin" || die "cannot create $out"
out=$(cd "$out" && pwd)
rm -f "$out/raw.csv" "$out/sched.csv" "$out/bin-schedbench"

# ---- build, privately: never in the checkout's own build directories ----
kdir=$(kernel_kdir "$rel") || die "no headers for $rel (tools/vm/fetch-kernel.sh)"
bdir=$(mktemp -d "${TMPDIR:-/tmp}/l4vs-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$bdir"' EXIT
(cd "$checkout" && find Kbuild net include -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -print0 |
	cpio --quiet -0 -pdm "$bdir") || die "copying the sources failed"
echo "bench: building l4vs for $rel" >&2
make -s -C "$kdir" M="$bdir" modules >"$out/build.log" 2>&1 ||
	{ tail -20 "$out/build.log" >&2; die "module build failed (see $out/build.log)"; }
if [ ! -x "$checkout/tools/l4vsadm/l4vsadm" ]; then
	make -s -C "$checkout/tools/l4vsadm" || die "building l4vsadm failed"
fi
gcc -O2 -Wall -o "$out/vm/bin/synflood" "$here/synflood.c" || die "building synflood failed"
# a scheduler benchmark that no longer builds (<l4vs/sched.h> grew a kernel
# type the shim lacks) costs scenario 5, not the whole run
"$here/sched/build.sh" "$out/bin-schedbench" >"$out/sched-build.log" 2>&1 ||
	{ cat "$out/sched-build.log" >&2; echo "bench: building schedbench failed" >&2; }

# ---- environment -------------------------------------------------------
{
	echo "date: $(date -u '+%F %T UTC')"
	echo "kernel: $rel (guest), host $(uname -r), $(nproc) host CPUs"
	echo "host load before: $(cat /proc/loadavg)"
	echo "smoke: $smoke"
	echo "commit: $(git -C "$checkout" rev-parse --short HEAD 2>/dev/null)" \
	     "($(git -C "$checkout" status --porcelain 2>/dev/null | wc -l) files changed)"
	echo "qemu: $(qemu-system-x86_64 --version | head -1) (TCG)"
	echo "guest: --mem $mem --append slab_nomerge"
} >"$out/env.txt"

# ---- 5: schedulers, natively, before the guest competes for the CPUs ------
echo "bench: scheduler pick cost (native)" >&2
if [ -x "$out/bin-schedbench" ]; then
	"$out/bin-schedbench" "${sched_args[@]}" >"$out/sched.csv" ||
		echo "bench: schedbench reported an error" >&2
fi

# ---- 1-4, 6: in one guest -----------------------------------------------
# BENCH_SCENARIOS (e.g. "forward table") picks scenarios; default: all
cmd=$(printf 'BENCH_SMOKE=%q BENCH_OUT=%q SYNFLOOD=%q BENCH_SCENARIOS=%q' \
	"$smoke" "$out/vm" "$out/vm/bin/synflood" "${BENCH_SCENARIOS:-forward table flood}")
# the other BENCH_* overrides (Documentation/benchmarks.md) go to the guest too
for v in $(compgen -e); do
	case $v in
	BENCH_SMOKE|BENCH_OUT|BENCH_SCENARIOS|BENCH_ARGS) ;;
	BENCH_*) cmd+=$(printf ' %s=%q' "$v" "${!v}") ;;
	esac
done
cmd+=" bash tools/bench/guest.sh"
echo "bench: guest run on $rel (logs in $out/vm)" >&2
L4VS_MODULES_DIR=$bdir "$checkout/tools/vm/run.sh" --kernel "$rel" --mem "$mem" \
	--append slab_nomerge --timeout "$timeout_s" --out "$out/vm" -- "$cmd"
grc=$?
echo "host load after: $(cat /proc/loadavg)" >>"$out/env.txt"
echo "guest exit: $grc" >>"$out/env.txt"
[ -f "$out/vm/env-guest.txt" ] && cat "$out/vm/env-guest.txt" >>"$out/env.txt"

cat "$out/vm/raw.csv" "$out/sched.csv" >"$out/raw.csv" 2>/dev/null
python3 "$here/report.py" "$out"
rrc=$?
if command -v gnuplot >/dev/null; then
	gnuplot -e "dir='$out'" "$here/plot.gp" 2>"$out/gnuplot.log" ||
		echo "bench: plot failed (see $out/gnuplot.log)" >&2
else
	echo "bench: gnuplot missing (apt-get install gnuplot-nox): no bench.png" >&2
fi
ln -sfn "$(basename "$out")" "$(dirname "$out")/latest" 2>/dev/null
echo "bench: results in $out" >&2
[ $grc -eq 0 ] && [ $rrc -eq 0 ]
