#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sizes of the benchmark, full or smoke (BENCH_SMOKE=1).  Sourced by the
# scenario scripts after lib.sh; every value can be overridden from the
# environment.

if [ "$BENCH_SMOKE" = 1 ]; then
	: "${BENCH_REPS:=1}" "${BENCH_WARM:=0.5}" "${BENCH_WIN:=1}"
	: "${BENCH_LEVELS:=1000 10000 20000}" "${BENCH_MID:=10000}"
	: "${BENCH_NEWCONN_PKTS:=1000}"
	: "${BENCH_FLOOD_SECS:=3}" "${BENCH_CONN_MAX:=2000}"
	: "${BENCH_FILL_BUDGET:=60}"
else
	: "${BENCH_REPS:=3}" "${BENCH_WARM:=1}" "${BENCH_WIN:=3}"
	: "${BENCH_LEVELS:=1000 100000 1000000}" "${BENCH_MID:=500000}"
	: "${BENCH_NEWCONN_PKTS:=10000}"
	: "${BENCH_FLOOD_SECS:=10}" "${BENCH_CONN_MAX:=100000}"
	: "${BENCH_FILL_BUDGET:=600}"
fi

# label N: 1000 -> 1k, 1000000 -> 1M, 123456 -> 123k (rounded down)
label() {
	if [ "$1" -ge 10000 ] && [ $(($1 % 1000)) -ne 0 ] && [ $(($1 % 1000000)) -ne 0 ]; then
		echo "$(($1 / 1000))k"
	elif [ $(($1 % 1000000)) -eq 0 ]; then
		echo "$(($1 / 1000000))M"
	elif [ $(($1 % 1000)) -eq 0 ]; then
		echo "$(($1 / 1000))k"
	else
		echo "$1"
	fi
}
