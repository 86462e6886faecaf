#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh: the in-guest half of tools/bench/bench.sh.  Runs the scenario
# scripts one after the other (forward.sh, table.sh, flood.sh, or those in
# BENCH_SCENARIOS), each in its own bash under a time limit, appending to
# $BENCH_CSV; writes the guest's environment to $BENCH_OUT/env-guest.txt.
# Exit status 1 if a scenario failed.
BENCH_DIR=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
export BENCH_OUT=${BENCH_OUT:-$L4VS_OUTDIR}
export BENCH_CSV=$BENCH_OUT/raw.csv
: >"$BENCH_CSV"

{
	echo "kernel: $(uname -r)"
	echo "cmdline: $(cat /proc/cmdline)"
	echo "cpus: $(nproc)"
	grep -E '^(MemTotal|MemAvailable)' /proc/meminfo
	echo "smoke: ${BENCH_SMOKE:-0}"
	env | grep '^BENCH_' | sort
} >"$BENCH_OUT/env-guest.txt"

rc=0
for s in ${BENCH_SCENARIOS:-forward table flood}; do
	echo "bench: scenario $s start $(date -u +%T)" >&2
	timeout -k 10 "${BENCH_SCENARIO_TIMEOUT:-3000}" bash "$BENCH_DIR/$s.sh"
	r=$?
	echo "bench: scenario $s exit $r $(date -u +%T)" >&2
	echo "status,$s,,exit,1,$r" >>"$BENCH_CSV"
	[ $r -eq 0 ] || rc=1
done

# module parameters and sysctls as the run left them (modules reloaded)
{
	modprobe ip_vs 2>/dev/null && {
		echo "## ip_vs parameters"
		grep -H . /sys/module/ip_vs/parameters/* 2>/dev/null
		echo "## net.ipv4.vs (initial namespace)"
		sysctl -a 2>/dev/null | grep '^net.ipv4.vs\.' 
		modprobe -r ip_vs 2>/dev/null
	}
	modprobe l4vs 2>/dev/null && {
		echo "## l4vs parameters"
		grep -H . /sys/module/l4vs/parameters/* 2>/dev/null
		echo "## net.ipv4.vs (initial namespace)"
		sysctl -a 2>/dev/null | grep '^net.ipv4.vs\.'
		modprobe -r l4vs 2>/dev/null
	}
} >>"$BENCH_OUT/env-guest.txt" 2>&1
exit $rc
